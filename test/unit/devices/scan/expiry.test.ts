import { describe, expect, it } from 'vitest';

import { parseScan } from '../../../../devices/scan/index.js';

/** Expiry checks compare with the clock given to the parser, in the workstation's time zone. */
describe('expiry against the injected clock', () => {
  const scan = ']d20109520123456788172506151012345';

  it.each([
    ['the day before', new Date(2025, 5, 14, 12), null],
    ['the expiry day, early', new Date(2025, 5, 15, 0, 0), null],
    ['the expiry day, late', new Date(2025, 5, 15, 23, 59), null],
    ['the day after', new Date(2025, 5, 16, 0, 0), 'expired'],
    ['a year later', new Date(2026, 5, 15), 'expired'],
  ])('AI 17 on %s', (_name, now, code) => {
    const error = parseScan(scan, { now }).error;

    expect(error?.code ?? null).toBe(code);
  });

  it('names the date, the AI and what to do', () => {
    const error = parseScan(scan, { now: new Date(2025, 6, 1) }).error;

    expect(error).toMatchObject({ code: 'expired', ai: '17', value: '2025-06-15', position: 19 });
    expect(error?.message).toBe('The product expired on 2025-06-15 (AI (17) USE BY or EXPIRY): do not use it, and take another pack');
  });

  it('reads day 00 as the end of the month', () => {
    expect(parseScan(']C117250600', { now: new Date(2025, 5, 30, 23) }).error).toBeNull();
    expect(parseScan(']C117250600', { now: new Date(2025, 6, 1) }).error?.code).toBe('expired');
  });

  it('compares AI 7003 to the minute', () => {
    expect(parseScan(']C170032506151430', { now: new Date(2025, 5, 15, 14, 29) }).error).toBeNull();
    expect(parseScan(']C170032506151430', { now: new Date(2025, 5, 15, 14, 31) }).error).toMatchObject({ code: 'expired', ai: '7003', value: '2025-06-15T14:30' });
  });

  it('ignores past dates of other AIs', () => {
    expect(parseScan(']C1112001011520010113200101', { now: new Date(2025, 5, 15) }).error).toBeNull();
  });

  it('reads two-digit years around the clock', () => {
    expect(parseScan(']C117991231', { now: new Date(2025, 0, 1) }).error).toMatchObject({ code: 'expired', value: '1999-12-31' });
    expect(parseScan(']C117991231', { now: new Date(2060, 0, 1) }).error).toBeNull();
  });

  it('checks the HIBC expiry date', () => {
    expect(parseScan('+$$3251231LOT72', { now: new Date(2026, 0, 1) }).error).toMatchObject({ code: 'expired', value: '2025-12-31' });
    expect(parseScan('+$$3251231LOT72', { now: new Date(2025, 11, 31) }).error).toBeNull();
  });

  it('checks the expiry in a Digital Link query', () => {
    expect(parseScan('https://id.gs1.org/01/09520123456788?17=250101', { now: new Date(2025, 5, 15) }).error).toMatchObject({ code: 'expired', ai: '17' });
  });

  it('reports expiry only after the whole scan is valid', () => {
    expect(parseScan(']C117250101\x1d10', { now: new Date(2025, 5, 15) }).error?.code).toBe('wrong-length');
  });
});
