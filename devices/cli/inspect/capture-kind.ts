import type { CaptureFraming } from './report.js';

const STX = 0x02;
const ENQ = 0x05;
const VT = 0x0b;
const CR = 0x0d;
const LF = 0x0a;

/**
 * Tells how a capture is framed from its bytes:
 * - `mllp` when a VT (MLLP start byte) comes before any STX or ENQ, since HL7 over MLLP never
 *   contains STX or ENQ;
 * - `astm-frames` when the capture contains STX or ENQ (E1381 framing);
 * - `hl7-text` when the first line starts with MSH, FHS or BHS and a delimiter;
 * - `astm-records` when the first line is an H record (H and a delimiter);
 * - `unknown` otherwise.
 * A UTF-8 byte order mark, NUL bytes and blank lines before the content are skipped.
 */
export function detectFraming(bytes: Uint8Array): CaptureFraming {
  for (const byte of bytes) {
    if (byte === VT) return 'mllp';
    if (byte === STX || byte === ENQ) return 'astm-frames';
  }

  const start = firstContentOffset(bytes);
  const head = Buffer.from(bytes.subarray(start, start + 4)).toString('latin1');
  if (/^(MSH|FHS|BHS)[\x21-\x7e]$/.test(head) && !/[A-Za-z0-9]$/.test(head)) return 'hl7-text';
  if (/^H[\x21-\x7e]/.test(head) && !/^H[A-Za-z0-9]/.test(head)) return 'astm-records';
  return 'unknown';
}

function firstContentOffset(bytes: Uint8Array): number {
  let offset = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (offset < bytes.length && (bytes[offset] === CR || bytes[offset] === LF || bytes[offset] === 0x00 || bytes[offset] === 0x20)) offset += 1;
  return offset;
}
