import { describe, expect, it } from 'vitest';

import { formatCalendarDate, formatDateTime, formatRelative, formatTime, formatTimeOrDateTime } from '../../../renderer/src/format/datetime.js';

const locale = 'en-GB';

describe('formatDateTime', () => {
  it('formats day, month, year and 24-hour time', () => {
    expect(formatDateTime('2026-12-03T14:05:00Z', { locale, timeZone: 'UTC' })).toBe('03 Dec 2026, 14:05');
  });

  it('converts to the requested time zone', () => {
    expect(formatDateTime('2026-07-03T23:30:00Z', { locale, timeZone: 'Europe/London' })).toBe('04 Jul 2026, 00:30');
  });

  it('returns text that is not a date unchanged', () => {
    expect(formatDateTime('yesterday', { locale })).toBe('yesterday');
  });
});

describe('formatTime', () => {
  it('formats hours and minutes', () => {
    expect(formatTime('2026-12-03T09:07:00+00:00', { locale, timeZone: 'UTC' })).toBe('09:07');
  });
});

describe('formatTimeOrDateTime', () => {
  const now = new Date('2026-12-03T12:00:00Z');

  it('gives only the time on the same day', () => {
    expect(formatTimeOrDateTime('2026-12-03T00:10:00Z', now, { locale, timeZone: 'UTC' })).toBe('00:10');
  });

  it('adds the date for an earlier day', () => {
    expect(formatTimeOrDateTime('2026-12-02T23:50:00Z', now, { locale, timeZone: 'UTC' })).toBe('02 Dec 2026, 23:50');
  });

  it('compares days in the given time zone', () => {
    expect(formatTimeOrDateTime('2026-12-02T23:50:00Z', now, { locale, timeZone: 'Europe/Berlin' })).toBe('00:50');
  });
});

describe('formatCalendarDate', () => {
  it('formats a date of birth', () => {
    expect(formatCalendarDate('1945-03-04', { locale })).toBe('04 Mar 1945');
  });

  it('never shifts the day by time zone', () => {
    expect(formatCalendarDate('2000-01-01', { locale })).toBe('01 Jan 2000');
  });

  it('returns a malformed date unchanged', () => {
    expect(formatCalendarDate('1945-3-4', { locale })).toBe('1945-3-4');
  });
});

describe('formatRelative', () => {
  const now = new Date('2026-12-03T12:00:00Z');
  const cases: [string, string][] = [
    ['2026-12-03T11:59:30Z', 'just now'],
    ['2026-12-03T12:00:30Z', 'just now'],
    ['2026-12-03T11:55:00Z', '5 minutes ago'],
    ['2026-12-03T11:59:00Z', '1 minute ago'],
    ['2026-12-03T09:00:00Z', '3 hours ago'],
    ['2026-12-02T11:00:00Z', 'yesterday'],
    ['2026-11-30T12:00:00Z', '3 days ago'],
  ];

  it.each(cases)('formats %s as "%s"', (iso, expected) => {
    expect(formatRelative(iso, now, { locale })).toBe(expected);
  });
});
