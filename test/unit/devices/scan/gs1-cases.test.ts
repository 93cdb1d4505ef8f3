import { describe, expect, it } from 'vitest';

import { parseScan } from '../../../../devices/scan/index.js';
import type { Gs1ScanResult, ScanErrorCode, ScanKind, ScanParseOptions, VariableMeasureRule } from '../../../../devices/scan/index.js';
import { decodedInputs, escapedInputs, gs1Cases } from './support/fixtures.js';

/**
 * Every case of the GS1 corpus with what this parser returns for it, written down from the
 * `expected` text of the case. Where the parser differs from the source project, `difference`
 * gives the reason, and the test pins the parser's result.
 */

const DEFAULT_NOW = new Date(2025, 5, 15, 12, 0);

/**
 * Variable-measure layouts that reproduce the weights the source asserts for Norway (id 16) and
 * Germany (id 47). NOTE: taken from those two assertions, not from GS1 Norway's or GS1 Germany's
 * published rules.
 */
const NORWAY: VariableMeasureRule = { prefix: '23', itemReference: [2, 7], measure: [8, 12], decimals: 3, unit: 'kg' };
const GERMANY: VariableMeasureRule = { prefix: '28', itemReference: [2, 6], measure: [7, 12], decimals: 3, unit: 'kg' };

interface Expectation {
  readonly options?: Partial<ScanParseOptions>;
  readonly kind: ScanKind;
  readonly symbology?: string;
  readonly data?: string;
  readonly syntax?: Gs1ScanResult['syntax'];
  readonly elements?: ReadonlyArray<Record<string, unknown>>;
  readonly hri?: string;
  readonly elementString?: string;
  readonly digitalLink?: string;
  readonly alternatives?: readonly string[];
  readonly error: { readonly code: ScanErrorCode; readonly position: number; readonly [key: string]: unknown } | null;
  readonly difference?: string;
}

const gtin = (value: string, extra: Record<string, unknown> = {}) => ({ ai: '01', title: 'GTIN', type: 'key', value, ...extra });
const prefix = (digits: string, name: string, restrictedCirculation = false) => ({ gs1Prefix: { prefix: digits, name, restrictedCirculation } });

const EXPECTATIONS: Readonly<Record<number, Expectation>> = {
  1: {
    kind: 'gs1',
    syntax: 'element-string',
    elements: [
      gtin('07032069804988', { gtinFormat: 'GTIN-13', ...prefix('703', 'GS1 Norway') }),
      { ai: '15', title: 'BEST BEFORE or BEST BY', type: 'date', value: '2021-05-26', raw: '210526' },
      { ai: '10', title: 'BATCH/LOT', type: 'text', value: '0329' },
    ],
    hri: '(01)07032069804988(15)210526(10)0329',
    digitalLink: 'https://id.gs1.org/01/07032069804988/10/0329?15=210526',
    error: null,
    difference: 'company prefix 703206 and item reference 980498 are not reported: splitting them needs the GS1 company prefix length list',
  },
  2: {
    kind: 'gs1',
    error: { code: 'bad-check-digit', position: 17, ai: '8003', value: '07071324001022085952', expected: '1', found: '2' },
    difference: 'the GRAI check digit over 707132400102 is 1, not 2; the source splits the value without verifying it',
  },
  4: { kind: 'gs1', hri: '(01)07032069804988(10)0329(15)210526', error: null },
  5: { options: { extraGroupSeparators: ['|'] }, kind: 'gs1', hri: '(01)07032069804988(10)0329(15)210526', error: null },
  7: { options: { checkDates: false }, kind: 'gs1', elements: [{ ai: '15', type: 'date', raw: '000000', value: null }], error: null },
  8: {
    kind: 'gs1',
    error: { code: 'wrong-length', position: 22, ai: '10', expected: '1 to 20', found: '23' },
    difference: 'rejected because the lot runs past 20 characters, at the position where the source finds no AI in "aaa"',
  },
  10: { kind: 'gs1', hri: '(15)210526(10)0329', error: null },
  11: { kind: 'gs1', hri: '(15)210526(10)0329', error: null },
  13: {
    kind: 'gs1',
    data: '800307071324001022085952',
    error: { code: 'bad-check-digit', position: 21, ai: '8003', expected: '1', found: '2' },
    difference: 'whitespace is stripped as the source asserts, then the GRAI check digit fails as in id 2',
  },
  14: {
    options: { now: new Date(2022, 5, 1) },
    kind: 'gs1',
    syntax: 'hri',
    elements: [
      { ai: '10', value: '123' },
      { ai: '17', title: 'USE BY or EXPIRY', type: 'date', value: '2022-12-31' },
    ],
    elementString: '10123\x1d17221231',
    error: null,
  },
  16: {
    options: { variableMeasureRules: [NORWAY] },
    kind: 'gs1',
    syntax: 'hri',
    elements: [gtin('02302148210869', { ...prefix('230', 'Restricted circulation number', true), variableMeasure: { itemReference: '02148', value: 1.086, unit: 'kg' } })],
    error: null,
  },
  17: {
    kind: 'gs1',
    elements: [
      { ai: '7230', title: 'CERT # 0', value: 'EM123', parts: { 'certification scheme': 'EM', 'certification reference': '123' } },
      { ai: '7231', title: 'CERT # 1', value: 'EM456' },
      { ai: '7232', title: 'CERT # 2', value: 'EM789' },
    ],
    error: null,
  },
  19: {
    kind: 'gs1',
    elements: [{ ai: '00', title: 'SSCC', type: 'key', value: '373400306809981733', ...prefix('734', 'GS1 Sweden') }],
    error: null,
    difference: 'company prefix 73400306 is not reported: it needs the GS1 company prefix length list',
  },
  20: {
    kind: 'gs1',
    elements: [{ ai: '410', title: 'SHIP TO LOC', type: 'key', value: '1234567890128', ...prefix('123', 'GS1 US') }],
    error: null,
    difference: 'company prefix 1234567890 is not reported: it needs the GS1 company prefix length list',
  },
  22: { kind: 'gs1', error: { code: 'bad-check-digit', position: 15, ai: '410', expected: '8', found: '7' } },
  23: { kind: 'gs1', error: { code: 'bad-check-digit', position: 15, ai: '01', expected: '8', found: '7' } },
  25: { options: { now: new Date(2002, 5, 1) }, kind: 'gs1', elements: [{ ai: '17', type: 'date', value: '2003-02-01' }], error: null },
  26: { kind: 'gs1', elements: [{ ai: '4324', title: 'NOT BEF DEL DT', type: 'date-time', value: '2007-01-02T14:30' }], error: null },
  28: { kind: 'gs1', elements: [{ ai: '15', value: '2020-02-29', dayOmitted: true }], error: null },
  29: { kind: 'gs1', elements: [{ ai: '15', value: '2021-02-28', dayOmitted: true }], error: null },
  31: { kind: 'gs1', error: { code: 'invalid-date', position: 2, ai: '15', value: '990229' } },
  32: { kind: 'gs1', elements: [{ ai: '3105', title: 'NET WEIGHT (kg)', type: 'measure', value: 1.23456, unit: 'kg', decimals: 5 }], error: null },
  34: { kind: 'gs1', elements: [{ ai: '3912', title: 'AMOUNT', type: 'amount', value: 12.3, decimals: 2, currency: '710', currencyCode: 'ZAR' }], error: null },
  35: {
    kind: 'gs1',
    syntax: 'ean-upc',
    elements: [gtin('00391097812301', { gtinFormat: 'GTIN-12' })],
    alternatives: ['(3910)97812301'],
    error: null,
    difference: 'without a symbology identifier the 12 digits are also a UPC-A with a valid check digit, which is read first; the element string the source asserts is the alternative',
  },
  37: { kind: 'gs1', symbology: ']E4', syntax: 'ean-upc', elements: [gtin('00000096385074', { gtinFormat: 'GTIN-8', ...prefix('963', 'Global Office - GTIN-8') })], error: null },
  38: { kind: 'gs1', symbology: ']E0', elements: [gtin('00123601057072', { gtinFormat: 'GTIN-12', ...prefix('012', 'GS1 US') })], error: null },
  40: { kind: 'gs1', symbology: ']I1', elements: [gtin('05901234123457', prefix('590', 'GS1 Poland'))], error: null },
  41: {
    kind: 'gs1',
    syntax: 'ean-upc',
    elements: [gtin('00042100005264', { gtinFormat: 'GTIN-12', ...prefix('004', 'GS1 US') })],
    alternatives: ['(425)261'],
    error: null,
    difference: 'the source also reports that the digits are no SSCC; this parser tries no SSCC reading without AI (00)',
  },
  43: { kind: 'gs1', symbology: ']C1', elements: [gtin('05901234123457', prefix('590', 'GS1 Poland')), { ai: '15', value: '2021-05-26' }], error: null },
  44: { kind: 'gs1', symbology: ']e0', elements: [gtin('00123456789012', { gtinFormat: 'GTIN-12', ...prefix('012', 'GS1 US') })], error: null },
  46: {
    kind: 'gs1',
    symbology: ']Q3',
    syntax: 'digital-link',
    elements: [gtin('00614141123452', { raw: '00614141123452' }), { ai: '10', value: 'ABC123' }, { ai: '15', value: '2025-03-30' }],
    error: null,
  },
  47: {
    options: { variableMeasureRules: [GERMANY] },
    kind: 'gs1',
    symbology: ']C1',
    elements: [gtin('02824040005133', { ...prefix('282', 'Restricted circulation number', true), variableMeasure: { itemReference: '2404', value: 0.513, unit: 'kg' } })],
    error: null,
  },
  49: { kind: 'gs1', symbology: ']Q3', elementString: '011231231231233310ABC123\x1d99TESTING', error: null },
  50: { kind: 'gs1', symbology: ']J1', elementString: '011231231231233310ABC123\x1d99TESTING', error: null },
  52: {
    kind: 'gs1',
    symbology: ']e0',
    elementString: '011231231231233310ABC123\x1d1199122598TESTING\x1d97XYZ',
    elements: [{ ai: '01' }, { ai: '10' }, { ai: '11', title: 'PROD DATE', value: '1999-12-25' }, { ai: '98', value: 'TESTING' }, { ai: '97', value: 'XYZ' }],
    error: null,
  },
  53: { kind: 'gs1', symbology: ']C1', elementString: '0112312312312333235XYZ', elements: [{ ai: '01' }, { ai: '235', title: 'TPX', value: 'XYZ' }], error: null },
  55: { kind: 'gs1', symbology: ']E0', elements: [gtin('02112345678900')], error: null },
  56: { kind: 'gs1', symbology: ']E0', error: { code: 'bad-check-digit', position: 15, expected: '0', found: '1' } },
  58: { kind: 'gs1', symbology: ']E4', error: { code: 'bad-check-digit', position: 10, expected: '3', found: '4' } },
  59: {
    kind: 'gs1',
    symbology: ']E0',
    elements: [gtin('02112345678900'), { ai: '99', title: 'INTERNAL', value: 'COMPOSITE' }, { ai: '98', value: 'XYZ' }],
    error: null,
  },
  61: { kind: 'unknown', symbology: ']Q1', data: 'HtTps://example.com/01/12312312312333?99=TEST', error: null },
  62: { kind: 'unknown', symbology: ']d1', data: 'TESTING', error: null },
  64: { kind: 'unknown', error: { code: 'unknown-symbology', position: 0, found: ']XX' } },
  65: {
    options: { now: new Date(2018, 0, 1) },
    kind: 'gs1',
    syntax: 'digital-link',
    elements: [gtin('09520123456788'), { ai: '10', value: 'ABC1' }, { ai: '21', title: 'SERIAL', value: '12345' }, { ai: '17', value: '2018-04-26' }],
    elementString: '010952012345678810ABC1\x1d2112345\x1d17180426',
    error: null,
  },
  67: {
    kind: 'gs1',
    syntax: 'digital-link',
    elements: [gtin('09520123456788'), { ai: '3103', type: 'measure', value: 0.195, unit: 'kg', raw: '000195' }],
    elementString: '01095201234567883103000195',
    error: null,
  },
};

const CASES = gs1Cases();

describe('GS1 corpus', () => {
  it('has an expectation for every case', () => {
    expect(CASES.map((testCase) => testCase.id).sort((a, b) => a - b)).toEqual(Object.keys(EXPECTATIONS).map(Number));
  });

  it.each(CASES.map((testCase) => [testCase.id, testCase.input_kind, testCase] as const))('case %i: %s', (id, _kind, testCase) => {
    const expectation = EXPECTATIONS[id] as Expectation;
    const result = parseScan(testCase.input, { now: DEFAULT_NOW, ...expectation.options });

    expect(result.kind).toBe(expectation.kind);
    if (expectation.error === null) expect(result.error).toBeNull();
    else expect(result.error).toMatchObject(expectation.error);
    if (expectation.symbology !== undefined) expect(result.symbology?.identifier).toBe(expectation.symbology);
    if (expectation.data !== undefined) expect(result.data).toBe(expectation.data);
    if (result.kind !== 'gs1') return;

    if (expectation.syntax) expect(result.syntax).toBe(expectation.syntax);
    if (expectation.hri !== undefined) expect(result.hri).toBe(expectation.hri);
    if (expectation.elementString !== undefined) expect(result.elementString).toBe(expectation.elementString);
    if (expectation.digitalLink !== undefined) expect(result.digitalLink).toBe(expectation.digitalLink);
    if (expectation.elements) {
      expect(result.elements).toHaveLength(expectation.elements.length);
      expectation.elements.forEach((element, index) => expect(result.elements[index]).toMatchObject(element));
    }
    expect(result.alternatives?.map((alternative) => alternative.hri)).toEqual(expectation.alternatives);
  });

  it('reads the alternative of case 35 as the amount the source asserts', () => {
    const testCase = CASES.find((candidate) => candidate.id === 35) as (typeof CASES)[number];
    const result = parseScan(testCase.input, { now: DEFAULT_NOW }) as Gs1ScanResult;

    expect(result.alternatives?.[0]?.elements[0]).toMatchObject({ ai: '3910', type: 'amount', value: 12301, currency: '978', currencyCode: 'EUR' });
  });

  it('reads case 35 as the amount with a GS1-128 identifier', () => {
    const result = parseScan(']C1391097812301', { now: DEFAULT_NOW }) as Gs1ScanResult;

    expect(result.kind).toBe('gs1');
    expect(result.elements).toEqual([expect.objectContaining({ ai: '3910', value: 12301, currencyCode: 'EUR' })]);
  });

  it('rejects case 7 with date checks on', () => {
    expect(parseScan('15000000', { now: DEFAULT_NOW }).error).toMatchObject({ code: 'invalid-date', ai: '15', position: 2 });
  });

  it('rejects case 5 without the custom separator', () => {
    expect(parseScan('0107032069804988100329|15210526', { now: DEFAULT_NOW }).error).toMatchObject({ code: 'invalid-character', ai: '10', found: '|' });
  });

  it('keeps the group separators of the corpus files identical', () => {
    const decoded = decodedInputs();
    const escaped = escapedInputs();
    expect([...decoded.keys()]).toEqual(CASES.filter((testCase) => testCase.input.includes('\x1d')).map((testCase) => testCase.id));

    for (const testCase of CASES) {
      if (decoded.has(testCase.id)) expect(decoded.get(testCase.id)).toBe(testCase.input);
      const unescaped = (escaped.get(testCase.id) as string).replaceAll('<GS>', '\x1d').replaceAll('<TAB>', '\t').replaceAll('<LF>', '\n');
      expect(unescaped).toBe(testCase.input);
    }
  });
});
