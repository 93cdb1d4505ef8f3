import { getMultipartBoundary, MultipartParseError, parseMultipartStream } from '@remix-run/multipart-parser';

import { DicomWebError } from './dicomweb-error.js';

export interface MultipartBodyPart {
  bytes: Uint8Array;
  /** The part's Content-Type without parameters, in lower case. */
  mediaType: string;
}

/**
 * Reads a WADO-RS multipart/related response that must carry exactly one part, no larger than
 * `maxBytes`. The parser keeps the whole part in memory. `what` and `path` name the request in
 * errors and must not carry query values.
 */
export async function readSinglePart(response: Response, maxBytes: number, what: string, path: string): Promise<MultipartBodyPart> {
  const contentType = response.headers.get('content-type') ?? '';
  const boundary = /^multipart\/related\s*;/i.test(contentType) ? getMultipartBoundary(contentType) : null;
  if (!boundary || !response.body) {
    await response.body?.cancel();
    throw new DicomWebError(`${what} returned Content-Type "${contentType}" instead of multipart/related with a boundary`, 'invalid-response', path, response.status);
  }

  const parts: MultipartBodyPart[] = [];
  try {
    for await (const part of parseMultipartStream(response.body, { boundary, maxFileSize: maxBytes, maxTotalSize: maxBytes, maxParts: 1 })) {
      parts.push({ bytes: part.bytes, mediaType: (part.mediaType ?? '').toLowerCase() });
    }
  } catch (error) {
    if (!(error instanceof MultipartParseError)) throw error;
    throw new DicomWebError(`${what} returned a multipart body that could not be read: ${error.message}`, 'invalid-response', path, response.status, { cause: error });
  }

  const [part] = parts;
  if (parts.length !== 1 || !part) {
    throw new DicomWebError(`${what} returned ${parts.length} parts instead of 1`, 'invalid-response', path, response.status);
  }
  return part;
}
