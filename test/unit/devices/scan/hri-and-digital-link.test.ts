import { describe, expect, it } from 'vitest';

import { formatDigitalLink, formatElementString, formatHri, parseScan } from '../../../../devices/scan/index.js';

const NOW = new Date(2025, 5, 15, 12, 0);

function gs1(scan: string) {
  const result = parseScan(scan, { now: NOW });
  if (result.kind !== 'gs1') throw new Error(`expected a GS1 reading of ${JSON.stringify(scan)}, got ${result.kind}`);
  return result;
}

describe('human readable interpretation', () => {
  it('reads AIs in parentheses', () => {
    const result = gs1('(01)09520123456788(17)260131(10)AB1');

    expect(result.syntax).toBe('hri');
    expect(result.elements.map((element) => [element.ai, element.raw, element.position])).toEqual([
      ['01', '09520123456788', 0],
      ['17', '260131', 18],
      ['10', 'AB1', 28],
    ]);
  });

  it('keeps parentheses that hold no known AI in the value', () => {
    expect(gs1('(10)A(B)(23)C(21)1').elements).toMatchObject([
      { ai: '10', value: 'A(B)(23)C' },
      { ai: '21', value: '1' },
    ]);
  });

  it('rejects an unknown first AI', () => {
    expect(gs1('(23)123(10)A').error).toMatchObject({ code: 'unknown-ai', position: 0 });
  });

  it('checks values as in element strings', () => {
    expect(gs1('(01)09520123456789').error).toMatchObject({ code: 'bad-check-digit', ai: '01', position: 17, expected: '8' });
  });

  it('formats elements back', () => {
    const elements = [
      { ai: '01', raw: '09520123456788' },
      { ai: '10', raw: 'AB1' },
      { ai: '17', raw: '260131' },
      { ai: '21', raw: 'S1' },
    ];

    expect(formatHri(elements)).toBe('(01)09520123456788(10)AB1(17)260131(21)S1');
    expect(formatElementString(elements)).toBe('010952012345678810AB1\x1d1726013121S1');
    expect(formatElementString(elements, '|')).toBe('010952012345678810AB1|1726013121S1');
  });
});

describe('GS1 Digital Link', () => {
  it('reads key, qualifiers and query AIs after a resolver path', () => {
    const result = gs1(']Q1https://example.com/some/path/01/09520123456788/22/V1/10/LOT%2F7/21/S1?17=260131&linkType=gs1:pip');

    expect(result.syntax).toBe('digital-link');
    expect(result.elements.map((element) => [element.ai, element.raw])).toEqual([
      ['01', '09520123456788'],
      ['22', 'V1'],
      ['10', 'LOT/7'],
      ['21', 'S1'],
      ['17', '260131'],
    ]);
    expect(result.error).toBeNull();
  });

  it.each([
    ['GTIN-13', '9520123456788', '09520123456788'],
    ['GTIN-12', '614141123452', '00614141123452'],
    ['GTIN-8', '96385074', '00000096385074'],
  ])('pads a %s to 14 digits', (_format, digits, gtin14) => {
    expect(gs1(`https://id.gs1.org/01/${digits}`).elements[0]).toMatchObject({ ai: '01', value: gtin14 });
  });

  it('accepts an all-capital scheme', () => {
    expect(gs1('HTTPS://ID.GS1.ORG/01/09520123456788').elements).toHaveLength(1);
  });

  it('reads an SSCC and a GLN with its extension', () => {
    expect(gs1('https://id.gs1.org/00/106141411234567897').elements[0]).toMatchObject({ ai: '00', title: 'SSCC' });
    expect(gs1('https://id.gs1.org/414/0614141000005/254/EXT1').elements.map((element) => element.ai)).toEqual(['414', '254']);
  });

  it('treats a URL without a GS1 key as plain text', () => {
    expect(parseScan(']Q1https://example.com/menu?lang=en', { now: NOW })).toMatchObject({ kind: 'unknown', error: null });
    expect(parseScan('https://example.com/01/ABC/10', { now: NOW })).toMatchObject({ kind: 'unknown', error: null });
  });

  it('reads a foreign qualifier as text', () => {
    expect(parseScan(']Q1https://id.gs1.org/414/0614141000005/10/A', { now: NOW }).kind).toBe('unknown');
  });

  it('rejects a URI without a key in a GS1 symbol', () => {
    expect(parseScan(']Q3https://example.com/menu', { now: NOW }).error).toMatchObject({ code: 'invalid-digital-link', position: 3 });
  });

  it('rejects malformed percent-encoding', () => {
    expect(gs1('https://id.gs1.org/01/09520123456788/10/A%ZZ').error).toMatchObject({ code: 'invalid-digital-link', ai: '10', position: 40 });
  });

  it('rejects an unknown numeric query AI', () => {
    expect(gs1('https://id.gs1.org/01/09520123456788?9999=1').error).toMatchObject({ code: 'unknown-ai', found: '9999', position: 37 });
  });

  it('points a value error at its path segment', () => {
    expect(gs1('https://id.gs1.org/01/09520123456789').error).toMatchObject({ code: 'bad-check-digit', position: 35 });
  });

  it('formats elements with the qualifiers in GS1 order', () => {
    const elements = [
      { ai: '01', raw: '09520123456788' },
      { ai: '21', raw: 'S/1' },
      { ai: '17', raw: '260131' },
      { ai: '10', raw: 'L1' },
    ];

    expect(formatDigitalLink(elements)).toBe('https://id.gs1.org/01/09520123456788/10/L1/21/S%2F1?17=260131');
    expect(formatDigitalLink(elements, 'https://resolver.example/')).toBe('https://resolver.example/01/09520123456788/10/L1/21/S%2F1?17=260131');
    expect(formatDigitalLink([{ ai: '10', raw: 'L1' }])).toBeUndefined();
  });
});
