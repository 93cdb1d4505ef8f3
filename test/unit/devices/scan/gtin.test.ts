import { describe, expect, it } from 'vitest';

import { expandUpcE, gs1CheckDigit, parseScan } from '../../../../devices/scan/index.js';
import type { ScanParseOptions } from '../../../../devices/scan/index.js';

const NOW = new Date(2025, 5, 15, 12, 0);

function gs1(scan: string, options: Partial<ScanParseOptions> = {}) {
  const result = parseScan(scan, { now: NOW, ...options });
  if (result.kind !== 'gs1') throw new Error(`expected a GS1 reading of ${JSON.stringify(scan)}, got ${result.kind}`);
  return result;
}

describe('GS1 check digit', () => {
  it.each([
    ['0952012345678', '8'],
    ['1061414112345678', '0'],
    ['10614141123456789', '7'],
    ['9638507', '4'],
    ['400638133393', '1'],
    ['000000000000', '0'],
  ])('of %s is %s', (digits, check) => {
    expect(gs1CheckDigit(digits)).toBe(check);
  });
});

describe('UPC-E expansion', () => {
  it.each([
    ['123450', '012000003455'],
    ['123451', '012100003454'],
    ['123452', '012200003453'],
    ['123453', '012300000451'],
    ['123454', '012340000053'],
    ['123455', '012345000058'],
    ['123459', '012345000096'],
    ['425261', '042100005264'],
    ['01234505', '012000003455'],
  ])('%s expands to %s', (upcE, upcA) => {
    expect(expandUpcE(upcE)).toBe(upcA);
  });

  it('rejects number system 2', () => {
    expect(expandUpcE('21234505')).toBeUndefined();
  });
});

describe('EAN/UPC and ITF-14 symbols', () => {
  it.each([
    ['EAN-13', ']E05901234123457', '05901234123457', 'GTIN-13'],
    ['UPC-A as 12 digits', ']E0123601057072', '00123601057072', 'GTIN-12'],
    ['UPC-E as 8 digits', ']E001234505', '00012000003455', 'GTIN-12'],
    ['EAN-8', ']E496385074', '00000096385074', 'GTIN-8'],
    ['ITF-14', ']I115901234123454', '15901234123454', 'GTIN-14'],
  ])('reads %s', (_name, scan, gtin, gtinFormat) => {
    const result = gs1(scan);

    expect(result).toMatchObject({ kind: 'gs1', syntax: 'ean-upc', error: null });
    expect(result.elements).toEqual([expect.objectContaining({ ai: '01', value: gtin, gtinFormat, position: 3 })]);
  });

  it('keeps the add-on of an EAN-13 with add-on', () => {
    expect(parseScan(']E3590123412345712', { now: NOW })).toMatchObject({ kind: 'gs1', addOn: '12', elements: [{ value: '05901234123457' }] });
  });

  it.each([
    ['wrong length', ']E059012341234', 'wrong-length', 3],
    ['letter', ']E059012341234X7', 'invalid-character', 14],
    ['UPC-E number system 2', ']E021234505', 'invalid-value', 3],
    ['EAN-8 check digit', ']E496385075', 'bad-check-digit', 10],
  ] as const)('rejects %s', (_name, scan, code, position) => {
    expect(parseScan(scan, { now: NOW }).error).toMatchObject({ code, position });
  });

  it('reads Interleaved 2 of 5 of another length as text', () => {
    expect(parseScan(']I11234567890', { now: NOW })).toMatchObject({ kind: 'unknown', error: null });
  });
});

describe('digits without symbology identifier', () => {
  it('reads an EAN-13 first and keeps the element string reading', () => {
    const result = gs1('4006381333931');

    expect(result).toMatchObject({ kind: 'gs1', syntax: 'ean-upc', elements: [{ ai: '01', value: '04006381333931' }] });
    expect(result.alternatives?.map((alternative) => alternative.hri)).toEqual(['(400)6381333931']);
  });

  it('offers no invalid element string reading', () => {
    const result = gs1('5901234123457');

    expect(result).toMatchObject({ kind: 'gs1', syntax: 'ean-upc' });
    expect(result.alternatives).toBeUndefined();
  });

  it('reads GTIN-length digits with a wrong check digit as an element string', () => {
    expect(parseScan('17251231', { now: NOW })).toMatchObject({ kind: 'gs1', syntax: 'element-string', elements: [{ ai: '17', value: '2025-12-31' }] });
  });
});

describe('GS1 prefixes', () => {
  it.each([
    ['0104012345678901', '401', 'GS1 Germany', false],
    ['0100312345678906', '031', 'GS1 US', false],
    ['0100212345678909', '021', 'Restricted circulation number', true],
    ['0100412345678903', '041', 'Restricted circulation number', true],
    ['0102512345678908', '251', 'Restricted circulation number', true],
    ['0109771234567003', '977', 'Serial publications (ISSN)', false],
    ['0109781234567897', '978', 'Bookland (ISBN)', false],
  ])('GTIN %s has prefix %s', (scan, prefix, name, restrictedCirculation) => {
    const result = gs1(`]C1${scan}`);

    expect(result.elements[0]).toMatchObject({ gs1Prefix: { prefix, name, restrictedCirculation } });
  });

  it('marks a GTIN-8 starting with 0 or 2 as restricted circulation', () => {
    const result = gs1(']E402345673');

    expect(result.elements[0]).toMatchObject({ gtinFormat: 'GTIN-8', gs1Prefix: { prefix: '023', restrictedCirculation: true } });
  });

  it('leaves out the prefix of an unassigned range', () => {
    const result = gs1(']C10101401234567892');

    expect(result.error).toBeNull();
    expect(result.elements[0]).not.toHaveProperty('gs1Prefix');
  });
});

describe('variable-measure GTINs', () => {
  const rule = { prefix: '23', itemReference: [2, 7] as const, measure: [8, 12] as const, decimals: 3, unit: 'kg' };

  it('reads the measure under a matching rule', () => {
    const result = gs1(']E02302148210869', { variableMeasureRules: [rule] });

    expect(result.elements[0]).toMatchObject({ variableMeasure: { itemReference: '02148', value: 1.086, unit: 'kg' } });
  });

  it('reads nothing without a rule for the prefix', () => {
    const result = gs1(']E02802148210864', { variableMeasureRules: [rule] });

    expect(result.error).toBeNull();
    expect(result.elements[0]).not.toHaveProperty('variableMeasure');
  });

  it('reads nothing from a GTIN outside restricted circulation', () => {
    const result = gs1(']E05901234123457', { variableMeasureRules: [{ ...rule, prefix: '59' }] });

    expect(result.elements[0]).not.toHaveProperty('variableMeasure');
  });
});
