import { describe, expect, it } from 'vitest';

import type { AstmField, AstmRecordInput } from '../../../../devices/astm/index.js';
import {
  AstmBuildError,
  AstmParseError,
  buildAstmMessage,
  buildAstmRecord,
  DEFAULT_DELIMITERS,
  fieldNumberOf,
  parseAstmMessage,
  parseAstmMessages,
} from '../../../../devices/astm/index.js';

const HEADER = 'H|\\^&|||ANALYZER^1.0|||||LIS||P|LIS2-A2|20240101120000\r';

describe('record parsing', () => {
  it('numbers fields as LIS2-A2 does, with the record type as field 1', () => {
    const message = parseAstmMessage(HEADER + 'O|1|SID0024||^^^GLU|R\rR|1|^^^GLU|5.4|mmol/L|3.9 to 6.1|N||F\rL|1|N\r');
    const [order] = message.recordsOfType('O');
    const [result] = message.recordsOfType('R');

    expect(message.records.map((record) => record.type)).toEqual(['H', 'O', 'R', 'L']);
    expect(order?.value(3)).toBe('SID0024');
    expect(order?.value('specimenId')).toBe('SID0024');
    expect(result?.value(1)).toBe('R');
    expect(result?.value(4)).toBe('5.4');
    expect(result?.value('dataOrMeasurementValue')).toBe('5.4');
    expect(result?.value('units')).toBe('mmol/L');
    expect(result?.field('universalTestId').components).toEqual(['', '', '', 'GLU']);
    expect(result?.field(3).component(4)).toBe('GLU');
    expect(result?.fieldCount).toBe(9);
    expect(result?.field(14).isEmpty).toBe(true);
    expect(message.warnings).toEqual([]);
  });

  it('gives the field numbers of LIS2-A2 names', () => {
    expect(fieldNumberOf('R', 'dataOrMeasurementValue')).toBe(4);
    expect(fieldNumberOf('O', 'specimenId')).toBe(3);
    expect(fieldNumberOf('O', 'reportTypes')).toBe(26);
    expect(fieldNumberOf('Q', 'requestInformationStatusCodes')).toBe(13);
    expect(fieldNumberOf('H', 'dateAndTimeOfMessage')).toBe(14);
    expect(fieldNumberOf('P', 'dosageCategory')).toBe(35);
    expect(fieldNumberOf('L', 'terminationCode')).toBe(3);
    expect(fieldNumberOf('X', 'anything')).toBeUndefined();
  });

  it('keeps the H delimiter definition as one value', () => {
    const message = parseAstmMessage(HEADER + 'L|1|N\r');

    expect(message.header.field(2).repeats).toEqual([['\\^&']]);
    expect(message.header.field(5).components).toEqual(['ANALYZER', '1.0']);
    expect(message.header.value('processingId')).toBe('P');
    expect(message.delimiters).toEqual(DEFAULT_DELIMITERS);
  });

  it('splits repeats and components with the delimiters the H record declares', () => {
    const message = parseAstmMessage('H!@#$!MSG\rO!1!!!a#b@c#d\rL!1\r');
    const [order] = message.recordsOfType('O');

    expect(message.delimiters).toEqual({ field: '!', repeat: '@', component: '#', escape: '$' });
    expect(message.header.value(3)).toBe('MSG');
    expect(order?.field(5).repeats).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('decodes the four escape sequences', () => {
    const message = parseAstmMessage(HEADER + 'C|1|I|a&F&b&S&c&R&d&E&e|G\rL|1|N\r');

    expect(message.recordsOfType('C')[0]?.field(4).repeats).toEqual([['a|b^c\\d&e']]);
    expect(message.warnings).toEqual([]);
  });

  it('keeps unknown or unclosed escape sequences as sent, with a warning', () => {
    const message = parseAstmMessage(HEADER + 'C|1|I|x&X41&y|G\rC|2|I|R&D|G\rL|1|N\r');
    const comments = message.recordsOfType('C');

    expect(comments[0]?.value(4)).toBe('x&X41&y');
    expect(comments[1]?.value(4)).toBe('R&D');
    expect(message.warnings.map((warning) => warning.code)).toEqual(['invalid-escape-sequence', 'invalid-escape-sequence']);
  });

  it('accepts LF and CR LF between records and skips blank lines', () => {
    const message = parseAstmMessage('H|\\^&\r\nP|1\n\nL|1|N');
    expect(message.records.map((record) => record.type)).toEqual(['H', 'P', 'L']);
    expect(message.records.map((record) => record.offset)).toEqual([0, 7, 12]);
  });

  it('reads bytes as Latin-1 by default and as UTF-8 on request', () => {
    const bytes = Buffer.from(HEADER + 'R|1|^^^K|4.1|µmol/L\rL|1\r', 'utf8');

    expect(parseAstmMessage(bytes).recordsOfType('R')[0]?.value(5)).toBe('Âµmol/L');
    expect(parseAstmMessage(bytes, { encoding: 'utf8' }).recordsOfType('R')[0]?.value(5)).toBe('µmol/L');
  });

  it('starts a new message at each H record', () => {
    const messages = parseAstmMessages(HEADER + 'L|1|N\rH|@^\\\rR|1|a@b\rL|1|N\r');

    expect(messages).toHaveLength(2);
    expect(messages[1]?.offset).toBe(HEADER.length + 6);
    expect(messages[1]?.recordsOfType('R')[0]?.field(3).repeats).toEqual([['a'], ['b']]);
    expect(() => parseAstmMessage(HEADER + 'L|1|N\rH|\\^&\rL|1|N\r')).toThrowError(expect.objectContaining({ code: 'multiple-messages', offset: HEADER.length + 6 }));
  });

  it('warns about a missing L record, records after it and unknown record types', () => {
    expect(parseAstmMessage(HEADER + 'P|1\r').warnings.map((warning) => warning.code)).toEqual(['missing-terminator-record']);
    expect(parseAstmMessage(HEADER + 'L|1\rP|1\r').warnings.map((warning) => warning.code)).toEqual(['record-after-terminator']);

    const unknown = parseAstmMessage(HEADER + 'Z|1|x\rL|1\r');
    expect(unknown.records[1]?.type).toBe('Z');
    expect(unknown.records[1]?.value(3)).toBe('x');
    expect(unknown.warnings.map((warning) => [warning.code, warning.offset])).toEqual([['unknown-record-type', HEADER.length]]);
  });

  it('reads a doubled delimiter definition as its single characters, with a warning', () => {
    const message = parseAstmMessage('H|\\\\^&|||X\rL|1\r');

    expect(message.delimiters).toEqual(DEFAULT_DELIMITERS);
    expect(message.header.value(2)).toBe('\\\\^&');
    expect(message.header.value(5)).toBe('X');
    expect(message.warnings.map((warning) => warning.code)).toEqual(['repaired-delimiter-definition']);
  });

  it('rejects text that is not an ASTM message with typed errors and offsets', () => {
    const cases: [string, string, number][] = [
      ['', 'empty-message', 0],
      ['\r\n \r', 'empty-message', 0],
      ['P|1\rL|1\r', 'missing-header', 0],
      ['H', 'invalid-delimiters', 0],
      ['H|ab^|x\r', 'invalid-delimiters', 0],
      ['H|\\\\^^\r', 'invalid-delimiters', 0],
      [HEADER + 'R-1-x\r', 'invalid-record', HEADER.length],
    ];

    for (const [text, code, offset] of cases) {
      let thrown: unknown;
      try {
        parseAstmMessages(text);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, JSON.stringify(text)).toBeInstanceOf(AstmParseError);
      expect((thrown as AstmParseError).code, JSON.stringify(text)).toBe(code);
      expect((thrown as AstmParseError).offset, JSON.stringify(text)).toBe(offset);
    }
  });

  it('names no field content in error messages', () => {
    try {
      parseAstmMessages('P|1||PATIENT-ID-123\r');
    } catch (error) {
      expect((error as Error).message).not.toContain('PATIENT-ID-123');
      return;
    }
    expect.unreachable('the parser accepted a message without H');
  });
});

describe('record building', () => {
  it('writes records with CR, the delimiter definition and escaped values', () => {
    const text = buildAstmMessage([
      { type: 'H', fields: { senderNameOrId: ['LIS', '1'], processingId: 'P' } },
      { type: 'C', fields: { sequenceNumber: '1', commentSource: 'L', commentText: 'a|b^c\\d&e', commentType: 'G' } },
      { type: 'L', fields: { sequenceNumber: '1', terminationCode: 'N' } },
    ]);

    expect(text).toBe('H|\\^&|||LIS^1|||||||P\rC|1|L|a&F&b&S&c&R&d&E&e|G\rL|1|N\r');
  });

  it('reads back what it writes', () => {
    const records: AstmRecordInput[] = [
      { type: 'H', fields: { messageControlId: 'M1' } },
      { type: 'P', fields: { sequenceNumber: '1', patientName: ['DOE', 'JANE'] } },
      { type: 'O', fields: { sequenceNumber: '1', specimenId: 'S1', universalTestId: [['', '', '', 'NA'], ['', '', '', 'K']], 26: 'Q' } },
      { type: 'R', fields: { sequenceNumber: '1', dataOrMeasurementValue: '1|2', units: 'mmol/L' } },
      { type: 'L', fields: { sequenceNumber: '1' } },
    ];
    const message = parseAstmMessage(buildAstmMessage(records));

    expect(message.recordsOfType('P')[0]?.field('patientName').components).toEqual(['DOE', 'JANE']);
    expect(message.recordsOfType('O')[0]?.field(5).repeats).toEqual([
      ['', '', '', 'NA'],
      ['', '', '', 'K'],
    ]);
    expect(message.recordsOfType('O')[0]?.value('reportTypes')).toBe('Q');
    expect(message.recordsOfType('R')[0]?.value(4)).toBe('1|2');
    expect(message.warnings).toEqual([]);
  });

  it('keeps trailing empty components and explicit empty trailing fields', () => {
    expect(buildAstmRecord({ type: 'O', fields: { sequenceNumber: '1', instrumentSpecimenId: ['40', '0', '5', '', 'SAMPLE', 'NORMAL', ''] } })).toBe('O|1||40^0^5^^SAMPLE^NORMAL^');
    expect(buildAstmRecord({ type: 'L', fields: { sequenceNumber: '1', terminationCode: '' } })).toBe('L|1|');
    expect(buildAstmRecord({ type: 'L', fields: { sequenceNumber: '1' } })).toBe('L|1');
    expect(buildAstmRecord({ type: 'H' })).toBe('H|\\^&');
  });

  it('writes a parsed field back unchanged', () => {
    const query = parseAstmMessage('H|\\^&\rQ|1|^S1^40^0^5^^SAMPLE^NORMAL||ALL\rL|1\r').recordsOfType('Q')[0];
    const range = query?.field('startingRangeIdNumber') as AstmField;

    expect(buildAstmRecord({ type: 'Q', fields: { sequenceNumber: '1', startingRangeIdNumber: range } })).toBe('Q|1|^S1^40^0^5^^SAMPLE^NORMAL');
  });

  it('writes with the delimiters it is given', () => {
    const delimiters = { field: '|', repeat: '@', component: '^', escape: '\\' };
    const text = buildAstmMessage(
      [
        { type: 'H' },
        { type: 'R', fields: { sequenceNumber: '1', resultAbnormalFlags: 'A@B' } },
      ],
      { delimiters },
    );

    expect(text).toBe('H|@^\\\rR|1|||||A\\R\\B\r');
    expect(parseAstmMessage(text).recordsOfType('R')[0]?.field(7).repeats).toEqual([['A@B']]);
  });

  it('rejects what it cannot write with typed errors', () => {
    const cases: [() => unknown, string][] = [
      [() => buildAstmMessage([]), 'empty-message'],
      [() => buildAstmMessage([{ type: 'L' }]), 'missing-header'],
      [() => buildAstmMessage([{ type: 'H' }], { delimiters: { field: '|', repeat: '|', component: '^', escape: '&' } }), 'invalid-delimiters'],
      [() => buildAstmMessage([{ type: 'H' }], { delimiters: { field: '|', repeat: 'a', component: '^', escape: '&' } }), 'invalid-delimiters'],
      [() => buildAstmRecord({ type: 'C', fields: { commentText: 'line\rbreak' } }), 'invalid-character'],
      [() => buildAstmRecord({ type: 'C', fields: { commentText: 'tab\tchar' } }), 'invalid-character'],
      [() => buildAstmRecord({ type: 'C', fields: { 1: 'X' } }), 'invalid-field-position'],
      [() => buildAstmRecord({ type: 'H', fields: { 2: '@^\\' } }), 'invalid-field-position'],
      [() => buildAstmRecord({ type: 'X' } as unknown as AstmRecordInput), 'invalid-field-position'],
      [() => buildAstmRecord({ type: 'R', fields: { nonsense: 'x' } } as unknown as AstmRecordInput), 'invalid-field-position'],
    ];

    for (const [build, code] of cases) {
      expect(build).toThrowError(AstmBuildError);
      expect(build).toThrowError(expect.objectContaining({ code }));
    }
  });
});
