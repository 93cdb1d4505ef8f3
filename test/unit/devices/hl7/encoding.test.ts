import { describe, expect, it } from 'vitest';

import { DEFAULT_DELIMITERS, Hl7Error, ackForError, encodeText, escapeValue, parseMessage, unescapeValue } from '../../../../devices/hl7/index.js';
import type { Delimiters } from '../../../../devices/hl7/index.js';

function decode(text: string, delimiters: Delimiters = DEFAULT_DELIMITERS): string {
  return unescapeValue(text, delimiters, 'utf-8');
}

function parseError(input: Uint8Array | string): Hl7Error {
  try {
    parseMessage(input);
  } catch (error) {
    if (error instanceof Hl7Error) return error;
    throw error;
  }
  throw new Error('the message parsed');
}

/** Builds the bytes of a message whose MSH-18 is `charset` and whose PID-5 contains `name`. */
function messageBytes(charset: string, name: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`MSH|^~\\&|LAB|LAB|HIS|HOSP|20240101120000||ORU^R01|MSG1|P|2.5||||||${charset}\rPID|1||ID1||`, 'latin1'),
    name,
    Buffer.from('\rOBX|1|NM|GLU||5.4|mmol/L\r', 'latin1'),
  ]);
}

describe('HL7 escape sequences', () => {
  it('decodes delimiter escapes', () => {
    expect(decode('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f')).toBe('a|b^c&d~e\\f');
  });

  it('joins back-to-back hex escapes before decoding', () => {
    expect(decode('\\XC3\\\\XA4\\')).toBe('ä');
    expect(decode('1\\X0D\\\\X0A\\2')).toBe('1\r\n2');
  });

  it('keeps hex data that is not valid in the character set', () => {
    expect(decode('x\\XC3\\y')).toBe('x\\XC3\\y');
  });

  it('drops NUL bytes from hex data', () => {
    expect(unescapeValue('\\X00E0\\', DEFAULT_DELIMITERS, 'latin1')).toBe('à');
  });

  it('turns line break commands into LF', () => {
    expect(decode('one\\.br\\two\\.sp 2\\three')).toBe('one\ntwo\n\nthree');
  });

  it('keeps highlighting, character set and local escapes as written', () => {
    expect(decode('\\H\\HIGH\\N\\ \\C2842\\ \\Zlocal\\ \\.ce\\')).toBe('\\H\\HIGH\\N\\ \\C2842\\ \\Zlocal\\ \\.ce\\');
  });

  it('treats an escape character that starts no sequence as data', () => {
    expect(decode('a\\b c\\F\\')).toBe('a\\b c|');
    expect(decode('ends with \\')).toBe('ends with \\');
  });

  it('maps \\P\\ to the truncation character of v2.7', () => {
    const delimiters: Delimiters = { ...DEFAULT_DELIMITERS, truncation: '#', encodingCharacters: '^~\\&#' };

    expect(decode('10\\P\\', delimiters)).toBe('10#');
    expect(decode('10\\P\\')).toBe('10\\P\\');
  });

  it('encodes delimiters and line breaks', () => {
    expect(escapeValue('a|b^c&d~e\\f\r\ng', DEFAULT_DELIMITERS)).toBe('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\X0D\\\\X0A\\g');
    expect(escapeValue('plain', DEFAULT_DELIMITERS)).toBe('plain');
  });

  it('refuses to encode a delimiter without an escape character', () => {
    const noEscape: Delimiters = { ...DEFAULT_DELIMITERS, escape: undefined, subcomponent: undefined, encodingCharacters: '^~' };

    expect(() => escapeValue('a^b', noEscape)).toThrow(expect.objectContaining({ kind: 'unencodable-value' }));
  });
});

describe('HL7 character sets', () => {
  it('decodes 8859/1 bytes', () => {
    const message = parseMessage(messageBytes('8859/1', Buffer.from([0x4d, 0xfc, 0x4c, 0x4c, 0x45, 0x52])));

    expect(message.get('PID-5')).toBe('MüLLER');
    expect(message.encoding).toBe('latin1');
    expect(message.warnings).toEqual([]);
  });

  it('encodes a reply in the message character set', () => {
    const message = parseMessage(messageBytes('8859/1', Buffer.from([0x4d, 0xfc])));

    expect(message.toBytes().includes(Buffer.from([0x4d, 0xfc]))).toBe(true);
  });

  it('decodes 8859/2 bytes', () => {
    expect(parseMessage(messageBytes('8859/2', Buffer.from([0xb1]))).get('PID-5')).toBe('ą');
  });

  it('reads an empty MSH-18 as UTF-8', () => {
    const message = parseMessage(messageBytes('', Buffer.from('Zoë', 'utf8')));

    expect(message.get('PID-5')).toBe('Zoë');
    expect(message.warnings).toEqual([]);
  });

  it('falls back to 8859/1 with a warning when undeclared bytes are not UTF-8', () => {
    const message = parseMessage(messageBytes('', Buffer.from([0x5a, 0x6f, 0xeb])));

    expect(message.get('PID-5')).toBe('Zoë');
    expect(message.warnings).toEqual([expect.objectContaining({ code: 'charset-fallback' })]);
  });

  it('reads UNICODE as UTF-8 with a warning', () => {
    const message = parseMessage(messageBytes('UNICODE', Buffer.from('Zoë', 'utf8')));

    expect(message.get('PID-5')).toBe('Zoë');
    expect(message.warnings.map((warning) => warning.code)).toEqual(['charset-assumed']);
  });

  it('rejects bytes that are not UTF-8 when MSH-18 declares it', () => {
    const bytes = messageBytes('UNICODE UTF-8', Buffer.from([0x5a, 0x6f, 0xeb, 0x21]));
    const error = parseError(bytes);

    expect(error.kind).toBe('invalid-encoding');
    expect(error.offset).toBe(bytes.indexOf(0xeb));
    expect(error.location).toEqual({ segmentId: 'PID', sequence: 1, field: 5 });
    expect(error.header?.controlId).toBe('MSG1');
    expect(error.ackCode).toBe('AE');
  });

  it('rejects an unsupported character set and answers AR naming MSH-18', () => {
    const error = parseError(messageBytes('ISO IR87', Buffer.from('X')));
    const ack = ackForError(error);

    expect(error.kind).toBe('unsupported-charset');
    expect(error.message).toContain("'ISO IR87'");
    expect(ack.get('MSA-1')).toBe('AR');
    expect(ack.get('MSA-2')).toBe('MSG1');
    expect(ack.get('ERR-2')).toBe('MSH^1^18');
    expect(ack.get('ERR-3.1')).toBe('103');
  });

  it('rejects a UTF-16 byte order mark', () => {
    expect(parseError(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('MSH|^~\\&|', 'utf16le')])).kind).toBe('unsupported-charset');
  });

  it('gives byte offsets after multi-byte characters', () => {
    const text = 'MSH|^~\\&|A||||||ORU^R01|M1|P|2.5||||||UNICODE UTF-8\rPID|1||ÄÖÜ\rbad segment\r';
    const error = parseError(Buffer.from(text, 'utf8'));

    expect(error.kind).toBe('invalid-segment-id');
    expect(error.offset).toBe(Buffer.from(text, 'utf8').indexOf('bad'));
  });

  it('refuses to encode a character the character set lacks', () => {
    expect(() => encodeText('每', 'latin1')).toThrow(expect.objectContaining({ kind: 'unencodable-value' }));
    expect(encodeText('ą', 'iso-8859-2')).toEqual(Buffer.from([0xb1]));
  });
});
