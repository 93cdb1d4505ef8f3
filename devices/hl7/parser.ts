import { byteOffsetOf, decodeMessageBytes } from './charset.js';
import type { Encoding } from './charset.js';
import { delimitersFrom } from './delimiters.js';
import type { Delimiters } from './delimiters.js';
import { Hl7Error } from './errors.js';
import type { Hl7ErrorLocation, Hl7Warning } from './errors.js';
import { Hl7Message } from './message.js';
import { Hl7Segment } from './segment.js';
import type { SegmentContext } from './segment.js';

export interface ParseOptions {
  /** Reject a message that has no CR instead of reading LF as the terminator with a warning. */
  strict?: boolean;
  /** Byte offset of the input within a larger stream or file, added to every reported offset. */
  offset?: number;
}

const CR = '\r';
const LF = '\n';
const LF_CODE = 0x0a;

/**
 * Parses one HL7 v2 message from its bytes, decoded by MSH-18, or from text already decoded.
 *
 * CR ends a segment, one LF directly after a CR is dropped, and empty lines are skipped. A bare LF
 * is data, unless the message has no CR at all. Then LF ends segments and the message carries a
 * warning, or with `strict` is rejected. Throws an `Hl7Error` with the byte offset of the problem.
 * When MSH itself was readable, the error carries it as `header`.
 */
export function parseMessage(input: Uint8Array | string, options: ParseOptions = {}): Hl7Message {
  const offset = options.offset ?? 0;
  if (typeof input === 'string') {
    const bom = input.charCodeAt(0) === 0xfeff ? 1 : 0;
    const text = bom === 1 ? input.slice(1) : input;
    return parseText(text, { encoding: 'utf-8', declaredCharset: '', warnings: [], byteOffset: offset + bom * 3, strict: options.strict ?? false });
  }
  if (input.length === 0) throw new Hl7Error('empty-message', `The message at byte ${offset} is empty`, { offset });

  const decoded = decodeOrExplain(input, offset);
  return parseText(decoded.text, {
    encoding: decoded.encoding,
    declaredCharset: decoded.declaredCharset,
    warnings: decoded.warnings,
    byteOffset: offset + decoded.bomLength,
    strict: options.strict ?? false,
  });
}

function decodeOrExplain(input: Uint8Array, offset: number): ReturnType<typeof decodeMessageBytes> {
  try {
    return decodeMessageBytes(input, offset);
  } catch (error) {
    if (error instanceof Hl7Error) throw withHeaderAndLocation(error, input, offset);
    throw error;
  }
}

/**
 * Adds what an ACK needs to a decoding error: the MSH read byte by byte (its fields are ASCII in
 * every supported character set) and the segment and field that hold the offending byte.
 */
function withHeaderAndLocation(error: Hl7Error, input: Uint8Array, offset: number): Hl7Error {
  const bom = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? 3 : 0;
  const text = Buffer.from(input.buffer, input.byteOffset + bom, input.byteLength - bom).toString('latin1');
  let header: Hl7Message | undefined;
  try {
    header = parseText(text.slice(0, firstTerminator(text)), { encoding: 'latin1', declaredCharset: '', warnings: [], byteOffset: offset + bom, strict: false });
  } catch {
    // The MSH is unreadable too, so the ACK cannot name MSH-10.
    header = undefined;
  }
  const location = error.location ?? (error.offset === undefined || header === undefined ? undefined : locate(text, error.offset - offset - bom, header.delimiters.field));
  return new Hl7Error(error.kind, error.message, { offset: error.offset, location, condition: error.condition, header });
}

function firstTerminator(text: string): number {
  const cr = text.indexOf(CR);
  if (cr >= 0) return cr;
  const lf = text.indexOf(LF);
  return lf >= 0 ? lf : text.length;
}

/** Finds the segment and field that hold character `index`, in HL7's numbering. */
function locate(text: string, index: number, fieldSeparator: string): Hl7ErrorLocation | undefined {
  const pieces = splitSegments(text, text.includes(CR) ? CR : LF, text.includes(CR));
  const occurrences = new Map<string, number>();
  for (const piece of pieces) {
    const id = text.slice(piece.start, piece.start + 3);
    const sequence = (occurrences.get(id) ?? 0) + 1;
    occurrences.set(id, sequence);
    if (index < piece.start || index >= piece.end) continue;
    let field = id === 'MSH' ? 1 : 0;
    for (let position = piece.start; position < index; position++) {
      if (text[position] === fieldSeparator) field++;
    }
    return { segmentId: id, sequence, field };
  }
  return undefined;
}

interface TextSource {
  encoding: Encoding;
  declaredCharset: string;
  warnings: Hl7Warning[];
  /** Byte offset of the text's first character in the parser's input. */
  byteOffset: number;
  strict: boolean;
}

function parseText(text: string, source: TextSource): Hl7Message {
  const byteOffset = (index: number): number => source.byteOffset + byteOffsetOf(text, index, source.encoding);
  const hasCr = text.includes(CR);
  if (!hasCr && text.includes(LF)) {
    if (source.strict) {
      throw new Hl7Error('no-cr-terminator', 'The message has no CR segment terminator (it uses LF only); HL7 v2 ends segments with CR', { offset: source.byteOffset });
    }
    source.warnings.push({ code: 'lf-terminator', message: 'no CR found; LF used as segment terminator', offset: source.byteOffset });
  }

  const pieces = splitSegments(text, hasCr ? CR : LF, hasCr);
  const first = pieces[0];
  if (first === undefined) throw new Hl7Error('empty-message', `The message at byte ${source.byteOffset} contains no segment`, { offset: source.byteOffset });
  if (!text.startsWith('MSH', first.start)) {
    throw new Hl7Error('missing-header', `The message at byte ${byteOffset(first.start)} does not start with an MSH segment`, {
      offset: byteOffset(first.start),
      location: { segmentId: '', sequence: 1 },
      segmentText: text.slice(first.start, Math.min(first.end, first.start + 20)),
    });
  }

  const delimiters = readDelimiters(text, first.start, first.end, byteOffset(first.start));
  const context: SegmentContext = { delimiters, encoding: source.encoding, byteOffsetOf: byteOffset };
  const segments: Hl7Segment[] = [new Hl7Segment('MSH', text.slice(first.start, first.end), 1, first.start, context)];
  const messageSource = { segments, delimiters, encoding: source.encoding, declaredCharset: source.declaredCharset, warnings: source.warnings };

  for (const [index, { start, end }] of pieces.entries()) {
    if (index === 0) continue;
    const id = segmentIdAt(text, start, end, delimiters.field);
    if (id === undefined || id === 'MSH') {
      throw segmentError(id, text, start, end, index + 1, byteOffset(start), headerOnly(messageSource));
    }
    segments.push(new Hl7Segment(id, text.slice(start, end), index + 1, start, context));
  }
  return new Hl7Message(messageSource);
}

interface Piece {
  start: number;
  end: number;
}

function splitSegments(text: string, terminator: string, dropLineFeedAfterTerminator: boolean): Piece[] {
  const pieces: Piece[] = [];
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf(terminator, start);
    if (end < 0) end = text.length;
    let segmentStart = start;
    if (dropLineFeedAfterTerminator && text.charCodeAt(segmentStart) === LF_CODE) segmentStart++;
    if (segmentStart < end && !onlyLineFeeds(text, segmentStart, end)) pieces.push({ start: segmentStart, end });
    start = end + 1;
  }
  return pieces;
}

function onlyLineFeeds(text: string, start: number, end: number): boolean {
  for (let index = start; index < end; index++) {
    if (text.charCodeAt(index) !== LF_CODE) return false;
  }
  return true;
}

function readDelimiters(text: string, start: number, end: number, offset: number): Delimiters {
  const field = text.charAt(start + 3);
  const encodingEnd = field === '' ? end : text.indexOf(field, start + 4);
  const encodingCharacters = text.slice(start + 4, encodingEnd < 0 || encodingEnd > end ? end : encodingEnd);
  const delimiters = start + 3 < end ? delimitersFrom(field, encodingCharacters) : 'MSH has no field separator (MSH-1)';
  if (typeof delimiters === 'string') {
    throw new Hl7Error('invalid-delimiters', `${delimiters}; the message at byte ${offset} cannot be read`, {
      offset,
      location: { segmentId: 'MSH', sequence: 1, field: 2 },
    });
  }
  return delimiters;
}

/** Returns the segment ID at `start` if it is three capital letters or digits followed by MSH-1. */
function segmentIdAt(text: string, start: number, end: number, fieldSeparator: string): string | undefined {
  if (end - start < 3) return undefined;
  const first = text.charCodeAt(start);
  if (first < 0x41 || first > 0x5a) return undefined;
  for (let index = start + 1; index < start + 3; index++) {
    const code = text.charCodeAt(index);
    const letterOrDigit = (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39);
    if (!letterOrDigit) return undefined;
  }
  if (end > start + 3 && text[start + 3] !== fieldSeparator) return undefined;
  return text.slice(start, start + 3);
}

function segmentError(id: string | undefined, text: string, start: number, end: number, position: number, offset: number, header: Hl7Message): Hl7Error {
  const segmentText = text.slice(start, Math.min(end, start + 40));
  if (id === 'MSH') {
    return new Hl7Error('multiple-messages', `Segment ${position} at byte ${offset} is a second MSH; parse files with several messages with parseMessages()`, {
      offset,
      location: { segmentId: 'MSH', sequence: 2 },
      header,
      segmentText,
    });
  }
  return new Hl7Error(
    'invalid-segment-id',
    `Segment ${position} at byte ${offset} does not start with a segment ID (three capital letters or digits) followed by the field separator; a line break inside a field value splits a segment like this`,
    { offset, location: { segmentId: '', sequence: position }, header, segmentText },
  );
}

function headerOnly(source: { segments: Hl7Segment[]; delimiters: Delimiters; encoding: Encoding; declaredCharset: string; warnings: Hl7Warning[] }): Hl7Message {
  return new Hl7Message({ ...source, segments: source.segments.slice(0, 1) });
}

/**
 * Parses text that this layer built itself, keeping the encoding the message will be sent in.
 * Not part of the public API: callers parse bytes or received text with `parseMessage`.
 */
export function messageFromBuiltText(text: string, encoding: Encoding, declaredCharset: string): Hl7Message {
  return parseText(text, { encoding, declaredCharset, warnings: [], byteOffset: 0, strict: true });
}
