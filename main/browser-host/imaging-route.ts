import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { InstanceResponse, ReadImagingInstance } from '../core/imaging/instance-access.js';
import type { Logger } from '../core/logging/logger.js';

/** Path prefix of the DICOM instances the viewer loads: `/imaging/instances/<study>/<series>/<sop>`. */
export const IMAGING_INSTANCES_PATH = '/imaging/instances/';

/** Query parameter that carries the launch token on instance URLs. */
export const IMAGING_TOKEN_PARAMETER = 'token';

/** Tells whether a request path belongs to the instance route. */
export function isImagingRoute(pathname: string): boolean {
  return pathname.startsWith(IMAGING_INSTANCES_PATH);
}

/**
 * Serves one DICOM instance as `application/dicom` to a page of this browser host.
 *
 * The request must carry this launch's token, as the WebSocket handshake does. The viewer's loader
 * fetches images by URL, with no place for a header, so the token may come as the `token` query
 * parameter as well as in an `Authorization: Bearer` header. The host never logs request URLs, and
 * the renderer's Referrer-Policy is no-referrer. The core then applies the session and role
 * checks of the imaging calls.
 */
export async function serveImagingInstance(request: IncomingMessage, response: ServerResponse, token: string, readInstance: ReadImagingInstance, logger: Logger): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    sendError(response, 405, 'Only GET and HEAD read instances', { allow: 'GET, HEAD' });
    return;
  }
  if (!carriesToken(request, url, token)) {
    logger.warn('imaging instance request without this launch token rejected');
    sendError(response, 401, 'The launch token is missing or wrong; open the address the workstation printed at this start');
    return;
  }

  const parts = url.pathname.slice(IMAGING_INSTANCES_PATH.length).split('/');
  const [studyInstanceUid, seriesInstanceUid, sopInstanceUid] = parts;
  if (parts.length !== 3 || !studyInstanceUid || !seriesInstanceUid || !sopInstanceUid) {
    sendError(response, 404, `No instance route ${url.pathname.slice(0, 200)}: use ${IMAGING_INSTANCES_PATH}<StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>`);
    return;
  }

  let result: InstanceResponse;
  try {
    result = await readInstance({ studyInstanceUid, seriesInstanceUid, sopInstanceUid });
  } catch (error) {
    logger.error({ studyInstanceUid, sopInstanceUid, error: error instanceof Error ? error.message : String(error) }, 'reading an imaging instance failed');
    sendError(response, 500, 'Reading the instance failed; the workstation log has the details');
    return;
  }
  if (result.status !== 200) {
    sendError(response, result.status, result.error);
    return;
  }
  response.writeHead(200, {
    'content-type': 'application/dicom',
    'content-length': String(result.bytes.byteLength),
    // Images are patient data: the browser keeps no copy on disk.
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  response.end(request.method === 'HEAD' ? undefined : result.bytes);
}

function carriesToken(request: IncomingMessage, url: URL, token: string): boolean {
  const header = request.headers.authorization;
  const fromHeader = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
  const presented = fromHeader ?? url.searchParams.get(IMAGING_TOKEN_PARAMETER);
  if (!presented) return false;
  const expected = Buffer.from(token, 'utf8');
  const actual = Buffer.from(presented, 'utf8');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function sendError(response: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  response.end(JSON.stringify({ error: { status, message } }));
}
