import { describe, expect, it } from 'vitest';

import { lookupSymbology, parseScan } from '../../../../devices/scan/index.js';
import type { SymbologyContent } from '../../../../devices/scan/index.js';

const NOW = new Date(2025, 5, 15, 12, 0);

describe('AIM symbology identifiers', () => {
  const known: ReadonlyArray<readonly [string, string, SymbologyContent]> = [
    [']C1', 'GS1-128', 'gs1-element-string'],
    [']d2', 'GS1 DataMatrix', 'gs1-element-string'],
    [']Q3', 'GS1 QR Code', 'gs1-element-string'],
    [']e0', 'GS1 DataBar', 'gs1-element-string'],
    [']J1', 'GS1 DotCode', 'gs1-element-string'],
    [']E0', 'EAN-13 or UPC', 'gtin'],
    [']E4', 'EAN-8', 'gtin'],
    [']I1', 'ITF-14', 'gtin'],
    [']A0', 'Code 39', 'text'],
    [']C0', 'Code 128', 'text'],
    [']d1', 'Data Matrix', 'text'],
    [']Q1', 'QR Code', 'text'],
    [']L0', 'PDF417', 'text'],
    [']z0', 'Aztec Code', 'text'],
    [']X0', 'Other symbology', 'text'],
  ];

  it.each(known)('%s is %s', (identifier, name, content) => {
    expect(lookupSymbology(identifier)).toEqual({ identifier, name, content });
  });

  it.each([']XX', ']C3', ']Z0', ']e1', ']E5', ']C', 'C1', ']c1'])('%s is unknown', (identifier) => {
    expect(lookupSymbology(identifier)).toBeUndefined();
  });

  it('rejects a scan with an unknown identifier', () => {
    expect(parseScan(']C30123', { now: NOW })).toMatchObject({ kind: 'unknown', symbology: null, error: { code: 'unknown-symbology', position: 0, found: ']C3' } });
  });

  it('reports the identifier after leading whitespace at its position', () => {
    expect(parseScan('  ]ZZ1', { now: NOW }).error).toMatchObject({ code: 'unknown-symbology', position: 2 });
  });

  it('strips the identifier from the data', () => {
    expect(parseScan(']C0ABC', { now: NOW })).toMatchObject({ symbology: { identifier: ']C0' }, data: 'ABC' });
  });

  it.each(['', '   ', '\r\n', ']d2', ' ]C1 \n'])('rejects the empty scan %j', (scan) => {
    expect(parseScan(scan, { now: NOW }).error).toMatchObject({ code: 'empty-scan' });
  });

  it('does not read plain Code 128 data as GS1', () => {
    expect(parseScan(']C00109520123456788', { now: NOW })).toMatchObject({ kind: 'unknown', error: null });
  });

  it('reads data without identifier by its content', () => {
    expect(parseScan('0109520123456788', { now: NOW })).toMatchObject({ kind: 'gs1', symbology: null });
    expect(parseScan('HELLO', { now: NOW })).toMatchObject({ kind: 'unknown', symbology: null, error: null });
  });
});
