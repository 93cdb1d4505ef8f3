import type { Image } from 'cornerstone-core';

import { cornerstone } from './cornerstone-setup.js';

/** Cause of an image that could not be shown. */
export type ImageLoadProblem =
  | { kind: 'timeout'; seconds: number }
  | { kind: 'not-found' }
  | { kind: 'unavailable'; status: number }
  | { kind: 'decode'; detail: string };

export type ImageLoadResult = { ok: true; image: Image } | { ok: false; problem: ImageLoadProblem };

/**
 * Maps what cornerstone-wado-image-loader rejects with to a problem. The loader rejects with
 * the XMLHttpRequest on HTTP errors, and otherwise with a string, an Error or an object of the
 * form `{ error, dataSet }` whose dataSet contains the whole file, so only a short text is kept.
 */
export function problemOfRejection(reason: unknown): ImageLoadProblem {
  if (typeof XMLHttpRequest !== 'undefined' && reason instanceof XMLHttpRequest) {
    if (reason.status === 404) return { kind: 'not-found' };
    return { kind: 'unavailable', status: reason.status };
  }
  return { kind: 'decode', detail: shortText(reason) };
}

function shortText(reason: unknown): string {
  let text: string;
  if (typeof reason === 'string') text = reason;
  else if (reason instanceof Error) text = reason.message;
  else if (typeof reason === 'object' && reason !== null) {
    const record = reason as { error?: unknown; exception?: unknown; message?: unknown };
    const inner = record.error ?? record.exception ?? record.message;
    text = inner === undefined ? 'unknown error' : inner instanceof Error ? inner.message : String(inner);
  } else text = String(reason);
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

/**
 * Loads and decodes one image through cornerstone's cache, giving up after `timeoutMs`. A load
 * may never settle: loader 4.13.2 loses exceptions thrown inside its own metadata code (see
 * missing-modality.ts for the one known trigger), and a host may never respond. The time limit
 * turns either into a message. A timed-out image leaves the cache, so a later attempt starts over.
 */
export async function loadImageWithin(imageId: string, timeoutMs: number): Promise<ImageLoadResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<ImageLoadResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, problem: { kind: 'timeout', seconds: Math.round(timeoutMs / 1000) } }), timeoutMs);
  });
  const load = cornerstone.loadAndCacheImage(imageId).then(
    (image): ImageLoadResult => ({ ok: true, image }),
    (reason: unknown): ImageLoadResult => ({ ok: false, problem: problemOfRejection(reason) }),
  );
  try {
    const result = await Promise.race([load, timeout]);
    if (!result.ok) forget(imageId);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

function forget(imageId: string): void {
  try {
    cornerstone.imageCache.removeImageLoadObject(imageId);
  } catch {
    // A rejected load may already have left the cache; there is nothing else to release.
  }
}
