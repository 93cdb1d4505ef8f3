import { readAstmFrameCapture, readAstmRecordText } from './astm-capture.js';
import type { Capture, CaptureFormat, CaptureProtocol } from './capture-types.js';
import { CaptureError } from './capture-types.js';
import { decodeEscapedLog, isEscapedLog } from './escaped-log.js';
import { readHl7MllpCapture, readHl7SegmentText } from './hl7-capture.js';

const STX = 0x02;
const ENQ = 0x05;
const VT = 0x0b;

export interface ReadCaptureOptions {
  /** Skips protocol detection; the shape within the protocol is still detected. */
  protocol?: CaptureProtocol;
}

/**
 * Reads the messages of a capture file, detecting the protocol and the shape from its bytes:
 * MLLP blocks or MSH lines mean HL7; STX frames, ENQ, or lines of records with an H record among
 * them mean ASTM. A log that writes control characters as `[STX]`, `[VT]` and so on is decoded
 * first. Throws CaptureError when the file is neither, or contains no message.
 */
export function readCapture(input: Uint8Array, options: ReadCaptureOptions = {}): Capture {
  const raw = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const escapedLog = isEscapedLog(raw);
  const decoded = escapedLog ? decodeEscapedLog(raw) : undefined;
  const bytes = decoded?.bytes ?? raw;

  const protocol = options.protocol ?? detectProtocol(bytes);
  const format = detectFormat(bytes, protocol);
  const content = readContent(bytes, format);

  if (content.messages.length === 0) {
    throw new CaptureError(`The capture contains no ${protocol === 'astm' ? 'ASTM' : 'HL7'} message (read as ${format}): check that it is the right file, or set the protocol if detection chose the wrong one`);
  }

  const notes = decoded && decoded.replyLines > 0 ? [`${decoded.replyLines} reply line(s) of the other side were left out of the log`, ...content.notes] : content.notes;
  return { protocol, format, escapedLog, messages: content.messages, notes };
}

function detectProtocol(bytes: Buffer): CaptureProtocol {
  // A block may open with a byte order mark between VT and MSH.
  const blockStart = bytes.indexOf(VT);
  if (blockStart >= 0 && bytes.subarray(blockStart + 1, blockStart + 7).includes('MSH')) return 'hl7';
  if (bytes.includes(STX) || bytes.includes(ENQ)) return 'astm';

  const firstLine = firstTextLine(bytes);
  if (/^(MSH|FHS|BHS)./.test(firstLine)) return 'hl7';
  // A LIS2-A2 record: its type letter, then the field delimiter; one of the records must be an H.
  if (/^[A-Z][^A-Za-z0-9\s]/.test(firstLine) && /(^|[\r\n])H[^A-Za-z0-9\s]/.test(bytes.toString('latin1'))) return 'astm';

  throw new CaptureError(
    'The capture is neither ASTM nor HL7: expected ASTM frames (STX … ETX), ASTM records one per line starting with an H record, HL7 MLLP blocks (VT … FS CR) or HL7 segments one per line starting with MSH',
  );
}

function detectFormat(bytes: Buffer, protocol: CaptureProtocol): CaptureFormat {
  if (protocol === 'hl7') return bytes.includes(VT) ? 'hl7-mllp' : 'hl7-segments';
  return bytes.includes(STX) ? 'astm-frames' : 'astm-records';
}

function readContent(bytes: Buffer, format: CaptureFormat): { messages: Capture['messages']; notes: readonly string[] } {
  switch (format) {
    case 'astm-frames':
      return readAstmFrameCapture(bytes);
    case 'astm-records':
      return readAstmRecordText(bytes);
    case 'hl7-mllp':
      return readHl7MllpCapture(bytes);
    case 'hl7-segments':
      return readHl7SegmentText(bytes);
  }
}

/** Returns the first line that is not blank, after a UTF-8 byte order mark. */
function firstTextLine(bytes: Buffer): string {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const text = bytes.subarray(bom, bom + 4096).toString('latin1');
  return text.split(/\r\n|\r|\n/).find((line) => line.trim() !== '') ?? '';
}
