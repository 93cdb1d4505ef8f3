import { describe, expect, it } from 'vitest';

import type { ReviewReason } from '../../../../devices/results/index.js';
import { mapAstmMessage, mapHl7Message, readInterpretation, readReferenceRange, readTimestamp, ResultMappingError } from '../../../../devices/results/index.js';
import { resultAt, resultsOf, reviewCodes, shippedProfile } from './support/fixtures.js';
import { astmMessage, CHEMISTRY_PROFILE, hl7Message, mapAstmRecords, mapHl7Segments } from './support/messages.js';

const HEADER = 'H|\\^&|||ANALYZER|||||LIS||P|LIS2-A2|20240115083000';

/** Builds the records of an ASTM message with one order, for accession ACC1, and the given R records. */
function chemistry(...results: string[]): string[] {
  return [HEADER, 'P|1', 'O|1|ACC1||^^^GLU|R|20240115080000', ...results, 'L|1|N'];
}

describe('units', () => {
  it('converts only from the analyzerUnit', () => {
    const mapping = mapAstmRecords(chemistry('R|1|^^^GLU|100|mg/dL|70-110|N||F'), { profile: CHEMISTRY_PROFILE });
    const glucose = resultAt(mapping, 'R[1]');

    expect(glucose.value).toEqual({ kind: 'quantity', value: 5.55 });
    expect(glucose.sentValue).toBe('100');
    expect(glucose.unit).toEqual({ sent: 'mg/dL', stored: 'mmol/L', conversion: { factor: 0.0555, offset: 0 } });
    expect(glucose.referenceRange).toEqual({ text: '70-110', low: 3.885, high: 6.105 });
    expect(glucose.review).toEqual([]);
  });

  it('stores a value sent in the stored unit unchanged', () => {
    const glucose = resultAt(mapAstmRecords(chemistry('R|1|^^^GLU|5.4|mmol/L||N||F'), { profile: CHEMISTRY_PROFILE }), 'R[1]');

    expect(glucose.value).toEqual({ kind: 'quantity', value: 5.4 });
    expect(glucose.unit).toEqual({ sent: 'mmol/L', stored: 'mmol/L' });
  });

  it('never converts a unit that matches neither', () => {
    const glucose = resultAt(mapAstmRecords(chemistry('R|1|^^^GLU|100|mg/l|70-110|N||F'), { profile: CHEMISTRY_PROFILE }), 'R[1]');
    const mismatch = glucose.review.find((reason) => reason.code === 'unit-mismatch') as Extract<ReviewReason, { code: 'unit-mismatch' }>;

    expect(glucose.value).toEqual({ kind: 'quantity', value: 100 });
    expect(glucose.unit).toEqual({ sent: 'mg/l' });
    expect(glucose.referenceRange).toEqual({ text: '70-110', low: 70, high: 110 });
    expect(reviewCodes(glucose)).toEqual(['unit-mismatch']);
    expect(mismatch.sent).toBe('mg/l');
    expect(mismatch.expected).toEqual(['mmol/L', 'mg/dL']);
  });

  it('holds a number sent without a unit', () => {
    const sodium = resultAt(mapAstmRecords(chemistry('R|1|^^^NA|140|||N||F'), { profile: CHEMISTRY_PROFILE }), 'R[1]');
    expect(reviewCodes(sodium)).toEqual(['unit-mismatch']);
  });

  it('accepts text without a unit', () => {
    const sodium = resultAt(mapAstmRecords(chemistry('R|1|^^^NA||||N||X'), { profile: CHEMISTRY_PROFILE }), 'R[1]');
    expect(sodium.value).toEqual({ kind: 'empty' });
    expect(sodium.review).toEqual([]);
  });

  it('accepts any unit for a qualitative test', () => {
    const hiv = resultAt(mapAstmRecords(chemistry('R|1|^^^HIV|NEG|S/CO||N||F'), { profile: CHEMISTRY_PROFILE }), 'R[1]');
    expect(hiv.unit).toEqual({ sent: 'S/CO' });
    expect(hiv.value).toEqual({ kind: 'text', text: 'NEG' });
    expect(hiv.review).toEqual([]);
  });
});

describe('values', () => {
  it.each([
    ['<0.5', { kind: 'quantity', value: 0.5, comparator: '<' }],
    ['> 100', { kind: 'quantity', value: 100, comparator: '>' }],
    ['>=3', { kind: 'quantity', value: 3, comparator: '>=' }],
    ['-2.5', { kind: 'quantity', value: -2.5 }],
    ['.5', { kind: 'quantity', value: 0.5 }],
    ['POSITIVE', { kind: 'text', text: 'POSITIVE' }],
    ['', { kind: 'empty' }],
  ])('ASTM value %j', (sent, value) => {
    const result = resultAt(mapAstmRecords(chemistry(`R|1|^^^HIV|${sent}|||||F`), { profile: CHEMISTRY_PROFILE }), 'R[1]');
    expect(result.value).toEqual(value);
  });

  it('holds text for a quantitative test', () => {
    const glucose = resultAt(mapAstmRecords(chemistry('R|1|^^^GLU|HEMOLYZED|mmol/L||N||F'), { profile: CHEMISTRY_PROFILE }), 'R[1]');
    expect(glucose.value).toEqual({ kind: 'text', text: 'HEMOLYZED' });
    expect(reviewCodes(glucose)).toEqual(['unparseable-value']);
  });

  it('holds an R.4 with several repetitions', () => {
    const result = resultAt(mapAstmRecords(chemistry('R|1|^^^HIV|1\\2|||||F'), { profile: CHEMISTRY_PROFILE }), 'R[1]');
    expect(result.value).toEqual({ kind: 'quantity', value: 1 });
    expect(result.sentValue).toBe('1\\2');
    expect(reviewCodes(result)).toEqual(['unparseable-value']);
  });

  it.each([
    ['NM', '4.5', { kind: 'quantity', value: 4.5 }],
    ['NM', '<0.001', { kind: 'quantity', value: 0.001, comparator: '<' }],
    ['SN', '>^100', { kind: 'quantity', value: 100, comparator: '>' }],
    ['SN', '<=^0.5', { kind: 'quantity', value: 0.5, comparator: '<=' }],
    ['SN', '=^7', { kind: 'quantity', value: 7 }],
    ['SN', '^1^:^128', { kind: 'ratio', numerator: 1, denominator: 128 }],
    ['SN', '^2^-^8', { kind: 'range', low: 2, high: 8 }],
    ['SN', '^2^+', { kind: 'text', text: '2+' }],
    ['ST', 'NOT DETECTED', { kind: 'text', text: 'NOT DETECTED' }],
    ['TX', 'first line~second line', { kind: 'text', text: 'first line\nsecond line' }],
    ['CWE', '260415000^Not detected^SCT', { kind: 'coded', code: '260415000', display: 'Not detected', system: 'SCT' }],
    ['RP', 'https://example.org/image^^image^JPEG', { kind: 'text', text: 'https://example.org/image^^image^JPEG' }],
  ])('HL7 %s value %j', (type, sent, value) => {
    const mapping = mapHl7Segments(['MSH|^~\\&|LAB||LIS||20240101120000||ORU^R01|M1|P|2.5.1', 'OBR|1||ACC1|PANEL', `OBX|1|${type}|X^Test^L||${sent}|||N|||F`]);
    expect(resultAt(mapping, 'OBX[1]').value).toEqual(value);
  });

  it.each([
    ['NM', 'five', 'OBX[1]: OBX-5 is not a valid NM value; kept as text'],
    ['NM', '1~2', 'OBX[1]: OBX-5 has 2 repetitions of type NM where one value was expected; kept as text'],
  ])('HL7 %s value %j needs review', (type, sent, message) => {
    const mapping = mapHl7Segments(['MSH|^~\\&|LAB||LIS||20240101120000||ORU^R01|M1|P|2.5.1', 'OBR|1||ACC1|PANEL', `OBX|1|${type}|X^Test^L||${sent}|||N|||F`]);
    const reason = resultAt(mapping, 'OBX[1]').review.find((entry) => entry.code === 'unparseable-value');
    expect(reason?.message).toBe(message);
  });
});

describe('reference ranges', () => {
  it.each([
    ['3.5 to 5.1', { text: '3.5 to 5.1', low: 3.5, high: 5.1 }],
    ['3.5-5.1', { text: '3.5-5.1', low: 3.5, high: 5.1 }],
    [' 84.0 - 94.0 ', { text: '84.0 - 94.0', low: 84, high: 94 }],
    ['-1.0-1.0', { text: '-1.0-1.0', low: -1, high: 1 }],
    ['<5', { text: '<5', high: 5 }],
    ['<= 5', { text: '<= 5', high: 5 }],
    ['>2', { text: '>2', low: 2 }],
    ['Negative', { text: 'Negative' }],
    ['<1:32', { text: '<1:32' }],
    ['5-3', { text: '5-3' }],
    ['', undefined],
  ])('%j', (text, range) => {
    expect(readReferenceRange(text)).toEqual(range);
  });
});

describe('interpretation flags', () => {
  it('normalizes to v3 codes', () => {
    expect(readInterpretation(['H', 'neg', 'H>', '<'])).toEqual([
      { sent: 'H', code: 'H', display: 'High', critical: false },
      { sent: 'neg', code: 'NEG', display: 'Negative', critical: false },
      { sent: 'H>', code: 'HU', display: 'Significantly high', critical: false },
      { sent: '<', code: '<', display: 'Off scale low', critical: false },
    ]);
  });

  it('marks LL, HH and AA critical', () => {
    expect(readInterpretation(['LL', 'HH', 'AA', 'L']).map((flag) => flag.critical)).toEqual([true, true, true, false]);
  });

  it('holds critical and unknown flags for review', () => {
    const result = resultAt(mapAstmRecords(chemistry('R|1|^^^GLU|2.0|mmol/L||LL\\X9||F'), { profile: CHEMISTRY_PROFILE }), 'R[1]');

    expect(result.interpretation).toEqual([
      { sent: 'LL', code: 'LL', display: 'Critical low', critical: true },
      { sent: 'X9', critical: false },
    ]);
    expect(reviewCodes(result)).toEqual(['critical-flag', 'unknown-flag']);
  });

  it('takes extra critical flags from the context', () => {
    const result = resultAt(mapAstmRecords(chemistry('R|1|^^^GLU|30|mmol/L||H||F'), { profile: CHEMISTRY_PROFILE, criticalFlags: ['H'] }), 'R[1]');
    expect(reviewCodes(result)).toEqual(['critical-flag']);
  });
});

describe('result status', () => {
  it.each([
    ['F', 'final', []],
    ['P', 'preliminary', []],
    ['W', 'preliminary', ['status-needs-review']],
    ['X', 'cancelled', []],
    ['Z', 'final', []],
    ['Q', 'unknown', ['status-needs-review']],
    ['', 'unknown', ['status-needs-review']],
  ])('ASTM R.9 %j', (sent, fhir, review) => {
    const result = resultAt(mapAstmRecords(chemistry(`R|1|^^^HIV|NEG|||||${sent}`), { profile: CHEMISTRY_PROFILE }), 'R[1]');
    expect(result.status).toEqual({ sent, fhir });
    expect(reviewCodes(result)).toEqual(review);
  });
});

describe('test codes', () => {
  it('holds unmapped codes and explains why', () => {
    const withProfile = resultAt(mapAstmRecords(chemistry('R|1|^^^CRP|5|mg/L||N||F'), { profile: CHEMISTRY_PROFILE }), 'R[1]');
    const withoutProfile = resultAt(mapAstmRecords(chemistry('R|1|^^^CRP|5|mg/L||N||F')), 'R[1]');

    expect(withProfile.match).toEqual({ kind: 'unmapped', key: 'CRP' });
    expect(withProfile.review[0]?.message).toBe('R[1]: profile "test-chemistry" does not map test code "CRP", so the result has no LOINC code');
    expect(withoutProfile.review[0]?.message).toBe('R[1]: no analyzer profile was used, so the result has no LOINC code');
    expect(withoutProfile.unit).toEqual({ sent: 'mg/L' });
  });

  it('never holds an ignored code', () => {
    const result = resultAt(mapAstmRecords(chemistry('R|1|^^^QC1|99|mg/L||HH||Q')), 'R[1]');
    const ignored = resultAt(mapAstmRecords(chemistry('R|1|^^^QC1|99|mg/L||HH||Q'), { profile: CHEMISTRY_PROFILE }), 'R[1]');

    expect(reviewCodes(result)).toEqual(['unmapped-test', 'critical-flag', 'status-needs-review']);
    expect(ignored.match).toEqual({ kind: 'ignored', key: 'QC1', reason: 'quality-control channels' });
    expect(ignored.review).toEqual([]);
  });
});

describe('times', () => {
  it.each([
    ['20240115', 'UTC', '2024-01-15'],
    ['202401', 'UTC', '2024-01'],
    ['2024011508', 'UTC', '2024-01-15T08:00:00+00:00'],
    ['202401150830', 'Europe/Berlin', '2024-01-15T08:30:00+01:00'],
    ['20240715083000', 'Europe/Berlin', '2024-07-15T08:30:00+02:00'],
    ['20240715083000', 'America/New_York', '2024-07-15T08:30:00-04:00'],
    ['20240715083000', '+05:30', '2024-07-15T08:30:00+05:30'],
    ['20240715083000.25-0500', 'Europe/Berlin', '2024-07-15T08:30:00.25-05:00'],
    // 02:30 does not exist on 31 March 2024 in Berlin; the offset before the change is kept.
    ['20240331023000', 'Europe/Berlin', '2024-03-31T02:30:00+01:00'],
    // 02:30 happens twice on 27 October 2024 in Berlin; the first is taken.
    ['20241027023000', 'Europe/Berlin', '2024-10-27T02:30:00+02:00'],
  ])('%s in %s', (text, timeZone, dateTime) => {
    expect(readTimestamp(text, timeZone)).toEqual({ ok: true, dateTime, hasTime: dateTime.includes('T') });
  });

  it.each(['20241301', '20240230', '2024011525', '20240115086000', 'yesterday', '2024-01-15'])('rejects %j', (text) => {
    expect(readTimestamp(text, 'UTC').ok).toBe(false);
  });

  it('takes R.13, then O.7', () => {
    const mapping = mapAstmRecords(chemistry('R|1|^^^NA|140|mmol/L||N||F||||20240115091500', 'R|2|^^^NA|141|mmol/L||N||F', 'R|3|^^^NA|142|mmol/L||N||F||||2024'), {
      profile: CHEMISTRY_PROFILE,
    });

    expect(resultAt(mapping, 'R[1]').effectiveDateTime).toBe('2024-01-15T09:15:00+00:00');
    expect(resultAt(mapping, 'R[2]').effectiveDateTime).toBe('2024-01-15T08:00:00+00:00');
    expect(resultAt(mapping, 'R[3]').effectiveDateTime).toBe('2024');
    expect(mapping.groups[0]?.issued).toBe('2024-01-15T08:30:00+00:00');
  });

  it('warns about an unreadable R.13 and falls back', () => {
    const result = resultAt(mapAstmRecords(chemistry('R|1|^^^NA|140|mmol/L||N||F||||20241399'), { profile: CHEMISTRY_PROFILE }), 'R[1]');
    expect(result.effectiveDateTime).toBe('2024-01-15T08:00:00+00:00');
    expect(result.warnings).toEqual(['R.13 "20241399" has a month outside 1 to 12; ignored']);
  });

  it('takes OBX-14, then OBR-7', () => {
    const mapping = mapHl7Segments(
      ['MSH|^~\\&|LAB||LIS||20240101120000||ORU^R01|M1|P|2.5.1', 'OBR|1||ACC1|PANEL|||20240101100000', 'OBX|1|NM|A||1|||N|||F|||20240101110000+0100', 'OBX|2|NM|B||2|||N|||F'],
      { timeZone: 'Europe/Berlin' },
    );

    expect(resultAt(mapping, 'OBX[1]').effectiveDateTime).toBe('2024-01-01T11:00:00+01:00');
    expect(resultAt(mapping, 'OBX[2]').effectiveDateTime).toBe('2024-01-01T10:00:00+01:00');
  });
});

describe('accessions', () => {
  it('ASTM: O.3 first component, one group per O record', () => {
    const mapping = mapAstmRecords([HEADER, 'P|1', 'O|1|ACC1^rack^7|||R', 'R|1|^^^NA|140|mmol/L||N||F', 'O|2|ACC2', 'R|1|^^^NA|141|mmol/L||N||F', 'L|1|N']);

    expect(mapping.groups.map((group) => [group.index, group.accession, group.results.map((result) => result.location)])).toEqual([
      [1, 'ACC1', ['R[1]']],
      [2, 'ACC2', ['R[2]']],
    ]);
  });

  it('ASTM: R records without an O record wait for review', () => {
    const mapping = mapAstmRecords([HEADER, 'P|1', 'R|1|^^^NA|140|mmol/L||N||F', 'L|1|N'], { profile: CHEMISTRY_PROFILE });

    expect(mapping.groups).toHaveLength(1);
    expect(mapping.groups[0]?.accession).toBeUndefined();
    expect(reviewCodes(resultAt(mapping, 'R[1]'))).toEqual(['no-accession']);
  });

  it('ASTM: a message without results says so', () => {
    const mapping = mapAstmRecords([HEADER, 'Q|1|^SID1||ALL||||||||O', 'L|1|N']);
    expect(mapping.groups).toEqual([]);
    expect(mapping.notices).toEqual(['The message carries no results (R records); its records are H, Q, L']);
  });

  it.each([
    [['SPM|1|PLACER1^FILLER1'], 'OBR|1|PLC|FIL|PANEL', 'FILLER1', 'SPM-2.2'],
    [['SPM|1|PLACER1'], 'OBR|1|PLC|FIL|PANEL', 'PLACER1', 'SPM-2.1'],
    [[], 'OBR|1|PLC|FIL|PANEL', 'FIL', 'OBR-3'],
    [[], 'OBR|1|PLC||PANEL', 'PLC', 'OBR-2'],
    [[], 'OBR|1|||PANEL', undefined, undefined],
  ])('HL7: %j with %s', (specimen, request, accession, source) => {
    const mapping = mapHl7Segments(['MSH|^~\\&|LAB||LIS||20240101120000||ORU^R01|M1|P|2.5.1', request, 'OBX|1|NM|A||1|||N|||F', ...specimen]);

    expect(mapping.groups[0]?.accession).toBe(accession);
    expect(mapping.groups[0]?.accessionSource).toBe(source);
    expect(resultAt(mapping, 'OBX[1]').accession).toBe(accession);
  });

  it('HL7: specimen shared by OBR groups', () => {
    // An SPM before several OBR groups gives its id to each, and its own OBX is taken once.
    const mapping = mapHl7Segments([
      'MSH|^~\\&|LAB||LIS||20240101120000||OUL^R22|M1|P|2.5.1',
      'PID|1||P1',
      'SPM|1|SPC1||BLD',
      'OBX|1|NM|VOL^Volume||5|mL|||||F',
      'OBR|1|||GLU',
      'OBX|2|NM|GLU||5.4|mmol/L|||||F',
      'OBR|2|||NA',
      'OBX|3|NM|NA||140|mmol/L|||||F',
    ]);

    expect(mapping.groups.map((group) => [group.accession, group.results.map((result) => result.location)])).toEqual([
      ['SPC1', ['OBX[1]', 'OBX[2]']],
      ['SPC1', ['OBX[3]']],
    ]);
  });
});

describe('ids', () => {
  const records = chemistry('R|1|^^^NA|140|mmol/L||N||F', 'R|2|^^^GLU|100|mg/dL||N||F');

  it('are the same for the same raw message', () => {
    const first = mapAstmRecords(records, { profile: CHEMISTRY_PROFILE });
    const second = mapAstmRecords(records, { timeZone: 'Europe/Berlin' });

    expect(resultsOf(second).map((result) => result.id)).toEqual(resultsOf(first).map((result) => result.id));
    expect(second.groups.map((group) => group.id)).toEqual(first.groups.map((group) => group.id));
  });

  it('differ between results, parts and messages', () => {
    const mapping = mapAstmRecords(records);
    const secondPart = mapAstmRecords(records, { part: 1 });
    const other = mapAstmRecords(chemistry('R|1|^^^NA|141|mmol/L||N||F', 'R|2|^^^GLU|100|mg/dL||N||F'));
    const ids = [...resultsOf(mapping), ...resultsOf(secondPart), ...resultsOf(other)].map((result) => result.id);

    expect(new Set(ids).size).toBe(6);
  });

  it('are valid FHIR ids', () => {
    const mapping = mapAstmRecords(records);
    for (const id of [...resultsOf(mapping).map((result) => result.id), ...mapping.groups.map((group) => group.id)]) {
      expect(id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
    }
    expect(mapping.messageHash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('mapping context', () => {
  it('rejects an unknown time zone', () => {
    expect(() => mapAstmRecords(chemistry(), { timeZone: 'Mars/Olympus' })).toThrow(ResultMappingError);
    expect(() => mapAstmRecords(chemistry(), { timeZone: 'Mars/Olympus' })).toThrow(/not an IANA zone name or an offset/);
  });

  it('rejects a profile of the other protocol', () => {
    const message = astmMessage(...chemistry());
    const hl7 = hl7Message('MSH|^~\\&|LAB||LIS||20240101120000||ORU^R01|M1|P|2.5.1');

    expect(() => mapAstmMessage(message, { raw: Buffer.of(1), timeZone: 'UTC', profile: shippedProfile('erba-elite-580') })).toThrow(/is for hl7-mllp but the message is astm-e1381/);
    expect(() => mapHl7Message(hl7, { raw: Buffer.of(1), timeZone: 'UTC', profile: CHEMISTRY_PROFILE })).toThrow(/is for astm-e1381 but the message is hl7-mllp/);
  });
});
