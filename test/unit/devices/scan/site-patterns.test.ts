import { describe, expect, it } from 'vitest';

import { compileSitePattern, parseScan, SitePatternError } from '../../../../devices/scan/index.js';

const NOW = new Date(2025, 5, 15, 12, 0);
const WRISTBAND = compileSitePattern('MRN(?<mrn>\\d{8})', 'wristband');
const SPECIMEN = compileSitePattern('S(?<accession>\\d{2}-\\d{6})', 'specimen');
const SITE = { now: NOW, wristbandPattern: WRISTBAND, specimenPattern: SPECIMEN };

describe('site wristband and specimen patterns', () => {
  it('reads a wristband MRN from its named group', () => {
    expect(parseScan('MRN00123456\r\n', SITE)).toMatchObject({ kind: 'wristband', mrn: '00123456', groups: { mrn: '00123456' }, error: null });
  });

  it('reads a specimen accession from its named group', () => {
    expect(parseScan(']C0S25-000042', SITE)).toMatchObject({ kind: 'specimen', accession: '25-000042', symbology: { identifier: ']C0' }, error: null });
  });

  it('takes the whole scan when the pattern has no named group', () => {
    const options = { now: NOW, wristbandPattern: compileSitePattern('\\d{7}', 'wristband') };

    expect(parseScan('1234567', options)).toMatchObject({ kind: 'wristband', mrn: '1234567', groups: {} });
  });

  it('matches the whole scan only', () => {
    expect(parseScan('MRN001234567', SITE).kind).not.toBe('wristband');
    expect(parseScan('XMRN00123456', SITE).kind).not.toBe('wristband');
  });

  it('matches a caller RegExp with the g flag on every scan', () => {
    const options = { now: NOW, wristbandPattern: /MRN(?<mrn>\d{8})/g };

    expect(parseScan('MRN00123456', options).kind).toBe('wristband');
    expect(parseScan('MRN00123456', options).kind).toBe('wristband');
    expect(parseScan('MRN00123456X', options).kind).not.toBe('wristband');
  });

  it('comes before GS1 readings of data without identifier', () => {
    const options = { now: NOW, wristbandPattern: compileSitePattern('\\d{8}', 'wristband') };

    expect(parseScan('17251231', options).kind).toBe('wristband');
  });

  it('does not apply to GS1 symbols', () => {
    const options = { now: NOW, wristbandPattern: compileSitePattern('.*', 'wristband') };

    expect(parseScan(']C117251231', options).kind).toBe('gs1');
  });

  it('rejects a scan that matches both patterns without naming its value', () => {
    const options = { now: NOW, wristbandPattern: compileSitePattern('\\d+', 'wristband'), specimenPattern: compileSitePattern('\\d{8}', 'specimen') };
    const result = parseScan('12345678', options);

    expect(result).toMatchObject({ kind: 'unknown', error: { code: 'ambiguous-site-pattern', position: 0 } });
    expect(result.error?.message).not.toContain('12345678');
  });

  it('reads a scan that matches no pattern by its content', () => {
    expect(parseScan('NOTHING', SITE)).toMatchObject({ kind: 'unknown', error: null });
  });

  it.each([
    ['(', 'wristband', 'Unterminated group'],
    ['[a-', 'specimen', 'Unterminated character class'],
    ['', 'wristband', 'it is empty'],
  ] as const)('rejects the pattern %j', (source, setting, reason) => {
    const compile = () => compileSitePattern(source, setting);

    expect(compile).toThrow(SitePatternError);
    expect(compile).toThrow(`The ${setting} pattern`);
    expect(compile).toThrow(reason);
  });
});
