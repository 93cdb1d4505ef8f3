import { Hl7Error } from './errors.js';
import type { Hl7Warning } from './errors.js';
import type { Hl7Message } from './message.js';
import { parseMessage } from './parser.js';
import type { ParseOptions } from './parser.js';

export interface ParsedMessages {
  /** The messages that parsed, in file order. */
  messages: Hl7Message[];
  /** One error per message that did not parse, and for bytes before the first MSH. */
  errors: Hl7Error[];
  /** FHS, BHS, BTS and FTS segments of an HL7 batch file, as text. */
  envelope: string[];
  warnings: Hl7Warning[];
}

const ENVELOPE_IDS = new Set(['FHS', 'BHS', 'BTS', 'FTS']);

/**
 * Parses a file or capture that contains several messages one after another, such as an HL7 batch
 * file or an export from an interface engine. A message starts at each MSH found at the start of a
 * line (after CR or LF); batch envelope segments are set aside. Each message is decoded by its own
 * MSH-18, and a message that fails does not stop the others.
 */
export function parseMessages(bytes: Uint8Array, options: Pick<ParseOptions, 'strict'> = {}): ParsedMessages {
  const result: ParsedMessages = { messages: [], errors: [], envelope: [], warnings: [] };
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const starts = segmentStarts(bytes, bom);

  const firstStart = starts[0]?.offset ?? bytes.length;
  if (!onlyLineBreaks(bytes, bom, firstStart)) {
    result.errors.push(new Hl7Error('missing-header', `Bytes ${bom} to ${firstStart} come before the first MSH segment and are not a message`, { offset: bom }));
  }

  for (const [index, start] of starts.entries()) {
    const end = starts[index + 1]?.offset ?? bytes.length;
    if (start.id !== 'MSH') {
      const lineEnd = endOfLine(bytes, start.offset);
      result.envelope.push(Buffer.from(bytes.subarray(start.offset, lineEnd)).toString('latin1'));
      result.warnings.push({ code: 'batch-envelope', message: `Batch segment ${start.id} at byte ${start.offset} was set aside`, offset: start.offset });
      if (!onlyLineBreaks(bytes, lineEnd, end)) {
        result.errors.push(new Hl7Error('missing-header', `Bytes ${lineEnd} to ${end} follow a ${start.id} segment and are not a message`, { offset: lineEnd }));
      }
      continue;
    }
    try {
      result.messages.push(parseMessage(bytes.subarray(start.offset, end), { ...options, offset: start.offset }));
    } catch (error) {
      if (!(error instanceof Hl7Error)) throw error;
      result.errors.push(error);
    }
  }
  return result;
}

interface SegmentStart {
  id: string;
  offset: number;
}

function segmentStarts(bytes: Uint8Array, from: number): SegmentStart[] {
  const starts: SegmentStart[] = [];
  let lineStart = from;
  while (lineStart < bytes.length) {
    const id = envelopeOrHeaderAt(bytes, lineStart);
    if (id !== undefined) starts.push({ id, offset: lineStart });
    const lineEnd = endOfLine(bytes, lineStart);
    lineStart = lineEnd + 1;
  }
  return starts;
}

function envelopeOrHeaderAt(bytes: Uint8Array, offset: number): string | undefined {
  if (offset + 4 > bytes.length) return undefined;
  const id = Buffer.from(bytes.buffer, bytes.byteOffset + offset, 3).toString('latin1');
  if (id !== 'MSH' && !ENVELOPE_IDS.has(id)) return undefined;
  const separator = bytes[offset + 3] ?? 0;
  const isDelimiter = separator > 0x20 && separator < 0x7f && !/[A-Za-z0-9]/.test(String.fromCharCode(separator));
  return isDelimiter ? id : undefined;
}

function endOfLine(bytes: Uint8Array, from: number): number {
  for (let index = from; index < bytes.length; index++) {
    const byte = bytes[index];
    if (byte === 0x0d || byte === 0x0a) return index;
  }
  return bytes.length;
}

function onlyLineBreaks(bytes: Uint8Array, from: number, to: number): boolean {
  for (let index = from; index < to; index++) {
    const byte = bytes[index];
    if (byte !== 0x0d && byte !== 0x0a) return false;
  }
  return true;
}
