import { TextDecoder } from 'node:util';

import { Hl7Error } from './errors.js';
import type { Hl7Warning } from './errors.js';

/**
 * Character sets of MSH-18 (HL7 table 0211) that this layer reads and writes. All of them keep
 * ASCII bytes as ASCII, so delimiters and MSH-18 itself can be found before decoding.
 */
export type Encoding = 'utf-8' | 'latin1' | 'iso-8859-2' | 'iso-8859-3' | 'iso-8859-4' | 'iso-8859-5' | 'iso-8859-6' | 'iso-8859-7' | 'iso-8859-8' | 'iso-8859-9' | 'iso-8859-15';

/** The values of MSH-18 this layer supports, and the encoding each one means. */
const DECLARED_ENCODINGS: ReadonlyMap<string, Encoding> = new Map([
  ['ASCII', 'utf-8'],
  ['8859/1', 'latin1'],
  ['8859/2', 'iso-8859-2'],
  ['8859/3', 'iso-8859-3'],
  ['8859/4', 'iso-8859-4'],
  ['8859/5', 'iso-8859-5'],
  ['8859/6', 'iso-8859-6'],
  ['8859/7', 'iso-8859-7'],
  ['8859/8', 'iso-8859-8'],
  // NOTE: TextDecoder (WHATWG) reads iso-8859-9 as windows-1254, which differs only in the C1
  // control range 0x80-0x9F; HL7 text has no C1 controls.
  ['8859/9', 'iso-8859-9'],
  ['8859/15', 'iso-8859-15'],
  ['UNICODE UTF-8', 'utf-8'],
  // Before v2.5, "UNICODE" named ISO/IEC 10646 without an encoding form. Analyzers that declare it
  // (the Erba ELite 580, for one) send UTF-8.
  ['UNICODE', 'utf-8'],
]);

export const SUPPORTED_CHARACTER_SETS: readonly string[] = [...DECLARED_ENCODINGS.keys()];

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/** The text of a message and how its bytes were read. */
export interface DecodedBytes {
  text: string;
  encoding: Encoding;
  /** MSH-18 (first repetition) as declared, '' when absent. */
  declaredCharset: string;
  /** Bytes of a UTF-8 byte order mark that preceded the text (0 or 3). */
  bomLength: number;
  warnings: Hl7Warning[];
}

/**
 * Decodes the bytes of one message by its MSH-18, after stripping a UTF-8 byte order mark.
 * An empty MSH-18 reads UTF-8 (ASCII is a subset) and falls back to ISO 8859-1 with a warning when
 * the bytes are not UTF-8, because real senders omit MSH-18 for both. `baseOffset` is added to every
 * offset reported.
 */
export function decodeMessageBytes(bytes: Uint8Array, baseOffset = 0): DecodedBytes {
  const warnings: Hl7Warning[] = [];
  rejectUtf16(bytes, baseOffset);
  const bomLength = hasUtf8Bom(bytes) ? 3 : 0;
  const body = bytes.subarray(bomLength);
  const declaredCharset = readDeclaredCharset(body);
  const declared = declaredCharset === '' ? undefined : DECLARED_ENCODINGS.get(declaredCharset.toUpperCase());

  if (declaredCharset !== '' && declared === undefined) {
    throw new Hl7Error(
      'unsupported-charset',
      `MSH-18 declares the character set '${declaredCharset}', which this interface cannot decode; configure the analyzer to send one of: ${SUPPORTED_CHARACTER_SETS.join(', ')}`,
      { offset: baseOffset, location: { segmentId: 'MSH', sequence: 1, field: 18 }, condition: 103 },
    );
  }
  if (declaredCharset.toUpperCase() === 'UNICODE') {
    warnings.push({ code: 'charset-assumed', message: "MSH-18 'UNICODE' names no encoding form; the message was read as UTF-8" });
  }
  if (bomLength > 0 && declared !== undefined && declared !== 'utf-8') {
    warnings.push({
      code: 'bom-charset-mismatch',
      message: `The message starts with a UTF-8 byte order mark but MSH-18 declares '${declaredCharset}'; it was read as declared`,
      offset: baseOffset,
    });
  }

  const offsetOfBody = baseOffset + bomLength;
  if (declared === undefined || declaredCharset.toUpperCase() === 'ASCII') {
    return { ...decodeUndeclared(body, declaredCharset, offsetOfBody, warnings), declaredCharset, bomLength, warnings };
  }
  if (declared === 'utf-8') {
    return { text: decodeUtf8Strict(body, offsetOfBody), encoding: 'utf-8', declaredCharset, bomLength, warnings };
  }
  return { text: decodeWith(declared, body), encoding: declared, declaredCharset, bomLength, warnings };
}

/** Encodes message text for the wire in the given encoding; throws when a character has no byte. */
export function encodeText(text: string, encoding: Encoding): Buffer {
  if (encoding === 'utf-8') return Buffer.from(text, 'utf8');

  const table = encoding === 'latin1' ? undefined : reverseTable(encoding);
  const bytes = Buffer.allocUnsafe(text.length);
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    let byte: number | undefined;
    if (code < 0x80) byte = code;
    else if (table !== undefined) byte = table.get(code);
    else if (code <= 0xff) byte = code;
    if (byte === undefined) {
      throw new Hl7Error(
        'unencodable-value',
        `Character U+${code.toString(16).toUpperCase().padStart(4, '0')} at position ${index} has no byte in ${encoding}; send this message as UNICODE UTF-8 instead`,
      );
    }
    bytes[index] = byte;
  }
  return bytes;
}

/** Decodes the bytes of an \X..\ escape in the message's encoding, or returns undefined if invalid. */
export function decodeEscapedBytes(bytes: Uint8Array, encoding: Encoding): string | undefined {
  if (encoding === 'utf-8') {
    try {
      return strictUtf8.decode(bytes);
    } catch {
      return undefined;
    }
  }
  return decodeWith(encoding, bytes);
}

/** Converts a character index in decoded text back to a byte offset in the original bytes. */
export function byteOffsetOf(text: string, characterIndex: number, encoding: Encoding): number {
  if (encoding !== 'utf-8') return characterIndex;
  return Buffer.byteLength(text.slice(0, characterIndex), 'utf8');
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const decoders = new Map<Encoding, TextDecoder>();
const reverseTables = new Map<Encoding, Map<number, number>>();

function decodeWith(encoding: Encoding, bytes: Uint8Array): string {
  if (encoding === 'latin1') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  let decoder = decoders.get(encoding);
  if (decoder === undefined) {
    decoder = new TextDecoder(encoding);
    decoders.set(encoding, decoder);
  }
  return decoder.decode(bytes);
}

function reverseTable(encoding: Encoding): Map<number, number> {
  let table = reverseTables.get(encoding);
  if (table === undefined) {
    table = new Map();
    const all = Uint8Array.from({ length: 256 }, (_, byte) => byte);
    const characters = decodeWith(encoding, all);
    for (let byte = 0; byte < 256; byte++) {
      const code = characters.charCodeAt(byte);
      if (code !== 0xfffd && !table.has(code)) table.set(code, byte);
    }
    reverseTables.set(encoding, table);
  }
  return table;
}

function decodeUndeclared(bytes: Uint8Array, declaredCharset: string, offset: number, warnings: Hl7Warning[]): { text: string; encoding: Encoding } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buffer.toString('utf8');
  if (!text.includes('\ufffd') || firstInvalidUtf8(bytes) < 0) {
    if (declaredCharset !== '' && hasNonAsciiByte(bytes)) {
      warnings.push({ code: 'charset-fallback', message: "MSH-18 declares ASCII but the message has bytes above 0x7F; they were read as UTF-8" });
    }
    return { text, encoding: 'utf-8' };
  }
  const reason = declaredCharset === '' ? 'MSH-18 is empty' : `MSH-18 declares '${declaredCharset}'`;
  warnings.push({
    code: 'charset-fallback',
    message: `${reason} and the bytes are not UTF-8; the message was read as ISO 8859-1. Set MSH-18 on the sender`,
    offset: offset + firstInvalidUtf8(bytes),
  });
  return { text: buffer.toString('latin1'), encoding: 'latin1' };
}

function decodeUtf8Strict(bytes: Uint8Array, offset: number): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (!text.includes('\ufffd')) return text;
  const invalidAt = firstInvalidUtf8(bytes);
  if (invalidAt < 0) return text;
  throw new Hl7Error(
    'invalid-encoding',
    `Byte ${offset + invalidAt} is not valid UTF-8, although MSH-18 declares UNICODE UTF-8; check the analyzer's character set setting`,
    { offset: offset + invalidAt, condition: 102 },
  );
}

/** Returns the index of the first byte that starts an invalid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index] ?? 0;
    if (lead < 0x80) {
      index++;
      continue;
    }
    const length = sequenceLength(lead);
    if (length === 0 || index + length > bytes.length) return index;
    const second = bytes[index + 1] ?? 0;
    const [low, high] = secondByteRange(lead);
    if (second < low || second > high) return index;
    for (let next = 2; next < length; next++) {
      const continuation = bytes[index + next] ?? 0;
      if (continuation < 0x80 || continuation > 0xbf) return index;
    }
    index += length;
  }
  return -1;
}

/** Returns the length of the UTF-8 sequence a lead byte starts, or 0 if it starts none. */
function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Returns the valid range of the second byte, which excludes overlong forms, surrogates and code points above U+10FFFF. */
function secondByteRange(lead: number): [number, number] {
  if (lead === 0xe0) return [0xa0, 0xbf];
  if (lead === 0xed) return [0x80, 0x9f];
  if (lead === 0xf0) return [0x90, 0xbf];
  if (lead === 0xf4) return [0x80, 0x8f];
  return [0x80, 0xbf];
}

function hasNonAsciiByte(bytes: Uint8Array): boolean {
  for (const byte of bytes) {
    if (byte >= 0x80) return true;
  }
  return false;
}

function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2];
}

function rejectUtf16(bytes: Uint8Array, offset: number): void {
  const first = bytes[0];
  const second = bytes[1];
  const utf16 = (first === 0xff && second === 0xfe) || (first === 0xfe && second === 0xff);
  if (utf16) {
    throw new Hl7Error('unsupported-charset', 'The message starts with a UTF-16 byte order mark; this interface reads ASCII, ISO 8859 and UTF-8 only', {
      offset,
      location: { segmentId: 'MSH', sequence: 1, field: 18 },
      condition: 103,
    });
  }
}

/**
 * Reads MSH-18 (its first repetition, trimmed) straight from the bytes. The MSH segment ends at the
 * first CR, or at the first LF when the message has no CR, as the parser will split it.
 */
export function readDeclaredCharset(bytes: Uint8Array): string {
  if (bytes.length < 4 || bytes[0] !== 0x4d || bytes[1] !== 0x53 || bytes[2] !== 0x48) return '';
  const fieldSeparator = bytes[3] ?? 0;
  const hasCr = bytes.indexOf(0x0d) >= 0;
  const terminator = hasCr ? 0x0d : 0x0a;
  const repetitionSeparator = bytes[4] !== fieldSeparator && bytes[5] !== fieldSeparator ? bytes[5] : undefined;

  let separators = 1;
  let index = 4;
  while (index < bytes.length && separators < 17) {
    const byte = bytes[index];
    if (byte === terminator) return '';
    if (byte === fieldSeparator) separators++;
    index++;
  }
  if (separators < 17) return '';
  const start = index;
  while (index < bytes.length) {
    const byte = bytes[index];
    if (byte === terminator || byte === fieldSeparator || byte === repetitionSeparator) break;
    index++;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, index - start).toString('latin1').trim();
}
