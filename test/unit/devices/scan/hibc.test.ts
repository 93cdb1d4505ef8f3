import { describe, expect, it } from 'vitest';

import { hibcCheckCharacter, parseScan } from '../../../../devices/scan/index.js';
import type { ScanErrorCode } from '../../../../devices/scan/index.js';

/**
 * HIBC LIC scans. The check characters were computed outside this code base, by a few lines of
 * Python over the modulo 43 table. `+A999123457` is the primary data example of the BWIPP wiki page
 * "HIBC Data Structures". Secondary-only scans link to that primary by its check character 7.
 */
const NOW = new Date(2025, 5, 15, 12, 0);

function hibc(scan: string) {
  const result = parseScan(scan, { now: NOW });
  if (result.kind !== 'hibc') throw new Error(`expected an HIBC reading of ${JSON.stringify(scan)}, got ${result.kind}`);
  return result;
}

describe('HIBC modulo 43 check character', () => {
  it.each([
    ['+A99912345', '7'],
    ['+$$3251231LOT7', '2'],
    ['+$LOT1237', ' '],
    ['+$$+3251231SER17', '$'],
    ['+A99912345/$$805LOT', '/'],
    ['+$$2123125LOT7', '1'],
  ])('of %j is %j', (data, check) => {
    expect(hibcCheckCharacter(data)).toBe(check);
  });
});

describe('HIBC data structures', () => {
  const valid: ReadonlyArray<readonly [string, string, Record<string, unknown>]> = [
    ['primary', '+A999123457', { structure: 'primary', labelerIdentificationCode: 'A999', productOrCatalogNumber: '1234', unitOfMeasure: 5, checkCharacter: '7' }],
    ['primary in Code 39', ']A0+A999123457', { structure: 'primary', productOrCatalogNumber: '1234' }],
    ['primary and secondary', '+A99912345/$$3251231LOT1', { structure: 'primary-and-secondary', labelerIdentificationCode: 'A999', expiry: '2025-12-31', lot: 'LOT' }],
    [
      'supplemental serial and manufacture date',
      '+A99912345/$$3251231LOT/S123/16D20240115L',
      { expiry: '2025-12-31', lot: 'LOT', serial: '123', manufactureDate: '2024-01-15' },
    ],
    ['unknown supplemental field kept', '+A99912345/$$3251231LOT/Q5T', { lot: 'LOT', otherSupplementalData: ['Q5'] }],
    ['date without lot', '+A99912345/$$3251231D', { expiry: '2025-12-31' }],
    ['quantity without date', '+A99912345/$$805LOT/', { quantity: 5, lot: 'LOT', checkCharacter: '/' }],
    ['five-digit quantity and format 7', '+A99912345/$$9001007LOT1', { quantity: 100, lot: 'LOT' }],
    ['secondary, YYMMDD', '+$$3251231LOT72', { structure: 'secondary', expiry: '2025-12-31', lot: 'LOT', linkCharacter: '7' }],
    ['secondary, MMYY', '+$$0625LOTX7V', { expiry: '2025-06-30', expiryDayOmitted: true, lot: 'LOTX' }],
    ['secondary, MMDDYY', '+$$2123125LOT71', { expiry: '2025-12-31', lot: 'LOT' }],
    ['secondary, YYMMDDHH', '+$$425123110LOT74', { expiry: '2025-12-31T10', lot: 'LOT' }],
    ['secondary, YYJJJ', '+$$525365LOT7B', { expiry: '2025-12-31', lot: 'LOT' }],
    ['secondary, YYJJJHH', '+$$62536510LOT7D', { expiry: '2025-12-31T10', lot: 'LOT' }],
    ['secondary, no date', '+$$7LOT7Z', { lot: 'LOT', linkCharacter: '7' }],
    ['secondary, quantity and date', '+$$8053251231LOT7F', { quantity: 5, expiry: '2025-12-31', lot: 'LOT' }],
    ['secondary, five-digit quantity', '+$$9001003251231L72', { quantity: 100, expiry: '2025-12-31', lot: 'L' }],
    ['secondary, Julian date without $', '+25365LOT7E', { expiry: '2025-12-31', lot: 'LOT', linkCharacter: '7' }],
    ['secondary, lot only', '+$LOT1237 \r\n', { lot: 'LOT123', linkCharacter: '7', checkCharacter: ' ' }],
    ['secondary, serial only', '+$+SER97Y', { serial: 'SER9', linkCharacter: '7' }],
    ['secondary, serial and date', '+$$+3251231SER17$', { serial: 'SER1', expiry: '2025-12-31' }],
    ['space check character before CR LF', '+A9991020 \r\n', { productOrCatalogNumber: '102', unitOfMeasure: 0, checkCharacter: ' ' }],
  ];

  it.each(valid)('reads %s', (_name, scan, expected) => {
    const result = hibc(scan);

    expect(result.error).toBeNull();
    expect(result.hibc).toMatchObject(expected);
  });

  const invalid: ReadonlyArray<readonly [string, string, ScanErrorCode, number, Record<string, unknown>]> = [
    ['wrong check character', '+A999123458', 'bad-check-character', 10, { expected: '7', found: '8' }],
    ['lost space check character', '+A9991020', 'bad-check-character', 8, {}],
    ['lower-case letter', '+a999123457', 'invalid-character', 1, { found: 'a' }],
    ['provider label', '+/ABCS', 'invalid-hibc', 0, { found: '+/' }],
    ['too short', '+A', 'invalid-hibc', 0, {}],
    ['labeler code too short', '+A9/12345T', 'invalid-hibc', 1, {}],
    ['unknown date format', '+A99912345/$$XT', 'invalid-hibc', 13, { found: 'X' }],
    ['secondary of unknown form', '+12348', 'invalid-hibc', 1, {}],
    ['29 February of a common year', '+$$3250229LOT78', 'invalid-date', 4, {}],
    ['month 13', '+A99912345/$$3251331LOT2', 'invalid-date', 14, {}],
    ['month 13 in MMYY', '+A99912345/$$1325LOT \n', 'invalid-date', 13, {}],
    ['day 366 of a common year', '+A99912345/$$5253661LOTC', 'invalid-date', 14, {}],
    ['date too short', '+A99912345/$$3256', 'invalid-date', 14, { value: '25' }],
    ['lot of 19 characters', '+A99912345/$$3251231ABCDEFGHIJKLMNOPQRSU', 'wrong-length', 38, { expected: '18', found: '19' }],
    ['expired', '+$$3250101LOT7/', 'expired', 0, { value: '2025-01-01' }],
  ];

  it.each(invalid)('rejects %s', (_name, scan, code, position, details) => {
    const result = hibc(scan);

    expect(result.error).toMatchObject({ code, position, ...details });
  });

  it('leaves out an empty lot', () => {
    expect(hibc('+A99912345/$$3251231D').hibc).not.toHaveProperty('lot');
  });

  it('keeps the fields read before an error', () => {
    expect(hibc('+A99912345/$$3251331LOT2').hibc).toMatchObject({ structure: 'primary-and-secondary', labelerIdentificationCode: 'A999' });
  });
});
