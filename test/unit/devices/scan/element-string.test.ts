import { describe, expect, it } from 'vitest';

import { parseScan } from '../../../../devices/scan/index.js';
import type { ScanErrorCode } from '../../../../devices/scan/index.js';

/** A clock in mid-2025: two-digit years 00 to 75 read as 2000 to 2075. */
const NOW = new Date(2025, 5, 15, 12, 0);
const GS = '\x1d';

function gs1(scan: string, now = NOW) {
  const result = parseScan(scan, { now });
  if (result.kind !== 'gs1') throw new Error(`expected a GS1 reading of ${JSON.stringify(scan)}, got ${result.kind}`);
  return result;
}

describe('GS1 element strings: values by AI', () => {
  const cases: ReadonlyArray<readonly [string, string, Record<string, unknown>]> = [
    ['00 SSCC', '00106141411234567897', { ai: '00', title: 'SSCC', type: 'key', value: '106141411234567897' }],
    ['01 GTIN', '0109520123456788', { ai: '01', title: 'GTIN', type: 'key', value: '09520123456788', gtinFormat: 'GTIN-13' }],
    ['02 CONTENT', '0210614141000415', { ai: '02', title: 'CONTENT', type: 'key', value: '10614141000415', gtinFormat: 'GTIN-14' }],
    ['10 lot', '10LOT-7/a', { ai: '10', title: 'BATCH/LOT', type: 'text', value: 'LOT-7/a' }],
    ['11 production date', '11250314', { ai: '11', title: 'PROD DATE', type: 'date', value: '2025-03-14', dayOmitted: false }],
    ['12 due date', '12250700', { ai: '12', title: 'DUE DATE', type: 'date', value: '2025-07-31', dayOmitted: true }],
    ['13 packaging date', '13240229', { ai: '13', title: 'PACK DATE', type: 'date', value: '2024-02-29' }],
    ['15 best before', '15261130', { ai: '15', title: 'BEST BEFORE or BEST BY', type: 'date', value: '2026-11-30' }],
    ['16 sell by', '16260101', { ai: '16', title: 'SELL BY', type: 'date', value: '2026-01-01' }],
    ['17 expiry', '17270228', { ai: '17', title: 'USE BY or EXPIRY', type: 'date', value: '2027-02-28' }],
    ['20 variant', '2007', { ai: '20', title: 'VARIANT', value: '07' }],
    ['21 serial', '21SN:0001"x"', { ai: '21', title: 'SERIAL', value: 'SN:0001"x"' }],
    ['22 CPV', '22A1', { ai: '22', title: 'CPV', value: 'A1' }],
    ['235 TPX', '235TPX1', { ai: '235', title: 'TPX', value: 'TPX1' }],
    ['240 additional id', '240ITEM-9', { ai: '240', title: 'ADDITIONAL ID', value: 'ITEM-9' }],
    ['241 customer part number', '241CP7', { ai: '241', title: 'CUST. PART No.', value: 'CP7' }],
    ['250 secondary serial', '250S2', { ai: '250', title: 'SECONDARY SERIAL', value: 'S2' }],
    ['251 reference to source', '251SRC', { ai: '251', title: 'REF. TO SOURCE', value: 'SRC' }],
    ['253 GDTI with serial', '2534712345000015ABC', { ai: '253', title: 'GDTI', type: 'key', parts: { 'document type': '4712345000015', 'serial component': 'ABC' } }],
    ['254 GLN extension', '254EXT1', { ai: '254', title: 'GLN EXTENSION COMPONENT', value: 'EXT1' }],
    ['255 GCN with serial', '25506141411234525678', { ai: '255', title: 'GCN', parts: { 'coupon reference': '0614141123452', 'serial component': '5678' } }],
    ['30 variable count', '3012', { ai: '30', title: 'VAR. COUNT', type: 'count', value: 12 }],
    ['37 count', '3700000005', { ai: '37', title: 'COUNT', type: 'count', value: 5 }],
    ['400 order number', '400PO-1', { ai: '400', title: 'ORDER NUMBER', value: 'PO-1' }],
    ['401 GINC', '401CONS1', { ai: '401', title: 'GINC', value: 'CONS1' }],
    ['402 GSIN', '40206141411234567890', { ai: '402', title: 'GSIN', type: 'key', value: '06141411234567890' }],
    ['403 routing code', '403R7', { ai: '403', title: 'ROUTE', value: 'R7' }],
    ['410 ship to', '4100614141000005', { ai: '410', title: 'SHIP TO LOC', type: 'key' }],
    ['411 bill to', '4114112345678908', { ai: '411', title: 'BILL TO', value: '4112345678908' }],
    ['412 purchased from', '4120614141000005', { ai: '412', title: 'PURCHASE FROM' }],
    ['413 ship for', '4130614141000005', { ai: '413', title: 'SHIP FOR LOC' }],
    ['414 location', '4140614141000005', { ai: '414', title: 'LOC No.' }],
    ['415 pay to', '4150614141000005', { ai: '415', title: 'PAY TO' }],
    ['416 production location', '4160614141000005', { ai: '416', title: 'PROD/SERV LOC' }],
    ['417 party', '4170614141000005', { ai: '417', title: 'PARTY' }],
    ['420 ship-to postal code', '42010115', { ai: '420', title: 'SHIP TO POST', value: '10115' }],
    ['421 ship-to postal code with country', '421276D-10115', { ai: '421', parts: { 'ISO 3166 country code': '276', 'postal code': 'D-10115' } }],
    ['422 country of origin', '422276', { ai: '422', title: 'ORIGIN', value: '276' }],
    ['423 countries of initial processing', '423276250', { ai: '423', title: 'COUNTRY - INITIAL PROCESS', value: '276250' }],
    ['424 country of processing', '424276', { ai: '424', title: 'COUNTRY - PROCESS' }],
    ['425 countries of disassembly', '425276', { ai: '425', title: 'COUNTRY - DISASSEMBLY' }],
    ['426 country of full processing', '426276', { ai: '426', title: 'COUNTRY - FULL PROCESS' }],
    ['427 origin subdivision', '427BY', { ai: '427', title: 'ORIGIN SUBDIVISION', value: 'BY' }],
    ['4326 release date', '4326250601', { ai: '4326', title: 'REL DATE', type: 'date', value: '2025-06-01' }],
    ['7003 expiry date and time', '70032512311530', { ai: '7003', title: 'EXPIRY TIME', type: 'date-time', value: '2025-12-31T15:30' }],
    ['710 NHRN PZN', '71012345678', { ai: '710', title: 'NHRN PZN', value: '12345678' }],
    ['715 NHRN NDC', '7150002-8215-01', { ai: '715', title: 'NHRN NDC', value: '0002-8215-01' }],
    ['7240 protocol', '7240PROT-1', { ai: '7240', title: 'PROTOCOL', value: 'PROT-1' }],
    ['8003 GRAI', '800300614141000029ASSET1', { ai: '8003', title: 'GRAI', type: 'key', parts: { zero: '0', 'returnable asset type': '0614141000029', 'serial component': 'ASSET1' } }],
    ['8004 GIAI', '8004ASSET-42', { ai: '8004', title: 'GIAI', value: 'ASSET-42' }],
    ['8005 price per unit', '8005000150', { ai: '8005', title: 'PRICE PER UNIT', value: '000150' }],
    ['8006 ITIP', '8006106141410004150102', { ai: '8006', title: 'ITIP', parts: { GTIN: '10614141000415', 'piece number': '01', 'total count': '02' } }],
    ['8008 production hour', '800825123115', { ai: '8008', title: 'PROD TIME', type: 'date-time', value: '2025-12-31T15' }],
    ['8008 production minute', '80082512311530', { ai: '8008', value: '2025-12-31T15:30' }],
    ['8008 production second', '8008251231153045', { ai: '8008', value: '2025-12-31T15:30:45' }],
    ['8017 GSRN provider', '8017123456789012345675', { ai: '8017', title: 'GSRN - PROVIDER', type: 'key' }],
    ['8018 GSRN recipient', '8018123456789012345675', { ai: '8018', title: 'GSRN - RECIPIENT', value: '123456789012345675' }],
    ['8020 payment slip reference', '8020REF-9', { ai: '8020', title: 'REF No.', value: 'REF-9' }],
    ['90 mutually agreed', '90ANY', { ai: '90', title: 'INTERNAL', value: 'ANY' }],
    ['91 company internal', '91X', { ai: '91', title: 'INTERNAL', value: 'X' }],
    ['99 company internal', '99ABC', { ai: '99', title: 'INTERNAL', value: 'ABC' }],
  ];

  it.each(cases)('%s', (_name, scan, expected) => {
    const result = gs1(`]C1${scan}`);

    expect(result.error).toBeNull();
    expect(result.elements).toHaveLength(1);
    expect(result.elements[0]).toMatchObject({ position: 3, ...expected });
  });
});

describe('GS1 element strings: measures with implied decimal point', () => {
  const cases: ReadonlyArray<readonly [string, number, string, string]> = [
    ['3100000123', 123, 'kg', 'NET WEIGHT (kg)'],
    ['3102001250', 12.5, 'kg', 'NET WEIGHT (kg)'],
    ['3105123456', 1.23456, 'kg', 'NET WEIGHT (kg)'],
    ['3113000150', 0.15, 'm', 'LENGTH (m)'],
    ['3150000750', 750, 'L', 'NET VOLUME (l)'],
    ['3162000005', 0.05, 'm3', 'NET VOLUME (m³)'],
    ['3203012345', 12.345, '[lb_av]', 'NET WEIGHT (lb)'],
    ['3210000010', 10, '[in_i]', 'LENGTH (in)'],
    ['3301000105', 10.5, 'kg', 'GROSS WEIGHT (kg)'],
    ['3374000200', 0.02, 'kg/m2', 'KG PER m²'],
    ['3560000010', 10, '[oz_tr]', 'NET WEIGHT (t oz)'],
    ['3572001000', 10, '[foz_us]', 'NET VOLUME (oz)'],
    ['3611000015', 1.5, '[gal_us]', 'NET VOLUME (gal.)'],
    ['3695100000', 1, '[cyd_i]', 'VOLUME (yd³), log'],
  ];

  it.each(cases)('%s', (scan, value, unit, title) => {
    const result = gs1(`]C1${scan}`);

    expect(result.error).toBeNull();
    expect(result.elements[0]).toMatchObject({ ai: scan.slice(0, 4), type: 'measure', value, unit, title, decimals: Number(scan[3]) });
  });

  it('rejects a decimal indicator above 5', () => {
    expect(gs1(']C13106123456').error).toMatchObject({ code: 'unknown-ai', position: 3 });
  });
});

describe('GS1 element strings: amounts and prices', () => {
  const cases: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
    ['390212345', { ai: '3902', title: 'AMOUNT', value: 123.45, decimals: 2 }],
    ['39215', { ai: '3921', title: 'PRICE', value: 0.5, decimals: 1 }],
    ['39329781999', { ai: '3932', title: 'PRICE', value: 19.99, currency: '978', currencyCode: 'EUR' }],
    ['3910999100', { ai: '3910', value: 100, currency: '999' }],
  ];

  it.each(cases)('%s', (scan, expected) => {
    const result = gs1(`]C1${scan}`);

    expect(result.error).toBeNull();
    expect(result.elements[0]).toMatchObject({ type: 'amount', ...expected });
  });

  it('leaves out the alphabetic code of a currency it does not know', () => {
    expect(gs1(']C13910999100').elements[0]).not.toHaveProperty('currencyCode');
  });
});

describe('GS1 element strings: dates', () => {
  const cases: ReadonlyArray<readonly [string, string, boolean]> = [
    ['17250200', '2025-02-28', true],
    ['17240200', '2024-02-29', true],
    ['17251200', '2025-12-31', true],
    ['11250600', '2025-06-30', true],
    ['13250400', '2025-04-30', true],
    ['16250900', '2025-09-30', true],
  ];

  it.each(cases)('%s reads as %s', (scan, value, dayOmitted) => {
    expect(gs1(`]C1${scan}`).elements[0]).toMatchObject({ type: 'date', value, dayOmitted });
  });

  const centuries: ReadonlyArray<readonly [string, number, string]> = [
    ['11751231', 2025, '2075-12-31'],
    ['11761231', 2025, '1976-12-31'],
    ['11000101', 2025, '2000-01-01'],
    ['11500101', 2000, '2050-01-01'],
    ['11510101', 2000, '1951-01-01'],
    ['11200101', 2070, '2120-01-01'],
    ['11210101', 2070, '2021-01-01'],
  ];

  it.each(centuries)('%s with a clock in %i reads as %s', (scan, year, value) => {
    expect(gs1(`]C1${scan}`, new Date(year, 0, 1)).elements[0]).toMatchObject({ value });
  });

  const invalid: ReadonlyArray<readonly [string, string, number]> = [
    ['month 13', '17251301', 5],
    ['day 32', '17250132', 5],
    ['30 February', '17250230', 5],
    ['29 February of a common year', '11250229', 5],
    ['day 00 where the AI forbids it', '4326250600', 7],
    ['hour 24', '70032512312400', 7],
    ['minute 60', '80082512312360', 7],
  ];

  it.each(invalid)('rejects %s', (_name, scan, position) => {
    const error = gs1(`]C1${scan}`).error;

    expect(error).toMatchObject({ code: 'invalid-date', position });
    expect(error?.message).toContain('is an invalid date');
  });

  it('accepts day 00 in a delivery date-time', () => {
    expect(gs1(']C143252512001200').elements[0]).toMatchObject({ ai: '4325', title: 'NOT AFT DEL DT', value: '2025-12-31T12:00' });
  });
});

describe('GS1 element strings: separators', () => {
  it('ends a variable-length value at GS', () => {
    expect(gs1(`]C110ABC${GS}17260131`).hri).toBe('(10)ABC(17)260131');
  });

  it('needs no GS after a predefined-length AI', () => {
    expect(gs1(']C1010952012345678817260131').hri).toBe('(01)09520123456788(17)260131');
  });

  it('skips leading, doubled and trailing GS', () => {
    expect(gs1(`]C1${GS}10ABC${GS}${GS}21X${GS}`).hri).toBe('(10)ABC(21)X');
  });

  it('skips a needless GS after a predefined-length AI', () => {
    expect(gs1(`]C10109520123456788${GS}10A`).hri).toBe('(01)09520123456788(10)A');
  });

  it('runs a value to the next GS', () => {
    expect(gs1(']C110ABC17260131').elements[0]).toMatchObject({ ai: '10', value: 'ABC17260131' });
  });

  it('ends a fixed-length value of a non-predefined AI at GS too', () => {
    expect(gs1(`]C1422276${GS}10A`).hri).toBe('(422)276(10)A');
  });

  it('reports each element at the position of its AI', () => {
    expect(gs1(`]C10109520123456788${GS}10AB${GS}21C`).elements.map((element) => element.position)).toEqual([3, 20, 25]);
  });

  it('accepts a site separator only when configured', () => {
    expect(parseScan(']C110A|21B', { now: NOW, extraGroupSeparators: ['|'] }).kind === 'gs1').toBe(true);
    expect(parseScan(']C110A|21B', { now: NOW }).error).toMatchObject({ code: 'invalid-character', found: '|' });
  });
});

describe('GS1 element strings: rejections', () => {
  const cases: ReadonlyArray<readonly [string, string, ScanErrorCode, number, Record<string, unknown>]> = [
    ['unknown AI first', '2345', 'unknown-ai', 3, { found: '2345' }],
    ['unknown AI after an element', '010952012345678805X', 'unknown-ai', 19, { found: '05X' }],
    ['text where an AI should be', `10A${GS}ABC`, 'unknown-ai', 7, { found: 'ABC' }],
    ['short predefined-length value', '01123', 'wrong-length', 8, { ai: '01', expected: '14', found: '3' }],
    ['predefined-length value cut by GS', `0112345${GS}10A`, 'wrong-length', 10, { ai: '01', found: '5' }],
    ['long fixed-length value', '4222760', 'wrong-length', 9, { ai: '422', expected: '3', found: '4' }],
    ['lot of 21 characters', `10${'L'.repeat(21)}`, 'wrong-length', 25, { ai: '10', expected: '1 to 20', found: '21' }],
    ['empty lot', `10${GS}17260131`, 'wrong-length', 5, { ai: '10', found: '0' }],
    ['country list of four digits', '4232762', 'wrong-length', 6, { ai: '423', expected: 'a multiple of 3' }],
    ['production time of three extra digits', '8008251231153', 'wrong-length', 15, { ai: '8008', expected: '0, 2, 4' }],
    ['letter in a GTIN', '0109520123456A88', 'invalid-character', 16, { ai: '01', found: 'A' }],
    ['hash sign in a lot', '10AB#C', 'invalid-character', 7, { ai: '10', found: '#' }],
    ['space in a serial', '21AB C', 'invalid-character', 7, { found: ' ' }],
    ['non-ASCII letter in a lot', '10ABÄ', 'invalid-character', 7, { found: 'Ä' }],
    ['control character in a lot', '10AB\x04', 'invalid-character', 7, { found: '\x04' }],
    ['SSCC check digit', '00106141411234567890', 'bad-check-digit', 22, { ai: '00', expected: '7', found: '0' }],
    ['CONTENT check digit', '0210614141000416', 'bad-check-digit', 18, { ai: '02', expected: '5', found: '6' }],
    ['GDTI check digit', '2534712345000011ABC', 'bad-check-digit', 18, { ai: '253', expected: '5', found: '1' }],
    ['GCN check digit', '2550614141123450', 'bad-check-digit', 18, { ai: '255', expected: '2', found: '0' }],
    ['GSIN check digit', '40206141411234567891', 'bad-check-digit', 22, { ai: '402', expected: '0', found: '1' }],
    ['GLN check digit', '4140614141000006', 'bad-check-digit', 18, { ai: '414', expected: '5', found: '6' }],
    ['GRAI check digit', '800300614141000028', 'bad-check-digit', 20, { ai: '8003', expected: '9', found: '8' }],
    ['ITIP check digit', '8006106141410004160102', 'bad-check-digit', 20, { ai: '8006', expected: '5', found: '6' }],
    ['GSRN check digit', '8018123456789012345670', 'bad-check-digit', 24, { ai: '8018', expected: '5', found: '0' }],
    ['GRAI without its leading zero', '800310614141000029', 'invalid-value', 7, { ai: '8003', expected: '0', found: '1' }],
    ['ITIP piece beyond the total', '8006106141410004150302', 'invalid-value', 7, { ai: '8006' }],
    ['AI given twice with different values', `10A${GS}10B`, 'conflicting-ai', 7, { ai: '10', expected: 'A', found: 'B' }],
  ];

  it.each(cases)('%s', (_name, scan, code, position, details) => {
    const error = gs1(`]C1${scan}`).error;

    expect(error).toMatchObject({ code, position, ...details });
    expect(error?.message.length).toBeGreaterThan(20);
  });

  it('names the expected check digit in the message', () => {
    expect(gs1(']C10109520123456787').error?.message).toContain('its digits give 8');
  });

  it('suggests a missing GS when a variable value is too long', () => {
    expect(gs1(`]C110${'L'.repeat(21)}`).error?.message).toContain('group separator (GS) may be missing');
  });

  it('accepts an AI repeated with the same value', () => {
    expect(gs1(`]C110A${GS}10A`).error).toBeNull();
  });

  it('keeps the elements read before an error', () => {
    const result = gs1(`]C10109520123456788${GS}10A${GS}17251301`);

    expect(result.elements.map((element) => element.ai)).toEqual(['01', '10']);
    expect(result.error?.code).toBe('invalid-date');
  });
});
