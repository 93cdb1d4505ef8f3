import type { DateReading } from '../dates.js';
import { checkCalendarDate, checkTime, daysInMonth, expandYear, isoDate, ordinalDate, pad2 } from '../dates.js';

/** The date layouts of HIBC secondary data, named by their digits. */
export type HibcDateLayout = 'MMYY' | 'MMDDYY' | 'YYMMDD' | 'YYMMDDHH' | 'YYJJJ' | 'YYJJJHH' | 'YYYYMMDD';

export const HIBC_DATE_LENGTHS: Readonly<Record<HibcDateLayout, number>> = {
  MMYY: 4,
  MMDDYY: 6,
  YYMMDD: 6,
  YYMMDDHH: 8,
  YYJJJ: 5,
  YYJJJHH: 7,
  YYYYMMDD: 8,
};

export type HibcDateReading = { readonly ok: true; readonly value: string; readonly dayOmitted: boolean } | { readonly ok: false; readonly reason: string };

/**
 * Reads an HIBC date as ISO (`YYYY-MM-DD`, or `YYYY-MM-DDTHH` with an hour). Two-digit years use
 * the GS1 sliding window around the clock's year; MMYY stands for the month's last day.
 */
export function readHibcDate(layout: HibcDateLayout, digits: string, now: Date): HibcDateReading {
  const number = (start: number, length: number): number => Number(digits.slice(start, start + length));
  const year2 = (start: number): number => expandYear(number(start, 2), now);

  switch (layout) {
    case 'MMYY': {
      const year = year2(2);
      const month = number(0, 2);
      if (month < 1 || month > 12) return { ok: false, reason: `month ${pad2(month)} does not exist` };
      return { ok: true, value: isoDate({ year, month, day: daysInMonth(year, month) }), dayOmitted: true };
    }
    case 'MMDDYY':
      return dateOnly(checkCalendarDate(year2(4), number(0, 2), number(2, 2)));
    case 'YYMMDD':
      return dateOnly(checkCalendarDate(year2(0), number(2, 2), number(4, 2)));
    case 'YYYYMMDD':
      return dateOnly(checkCalendarDate(number(0, 4), number(4, 2), number(6, 2)));
    case 'YYJJJ':
      return dateOnly(ordinalDate(year2(0), number(2, 3)));
    case 'YYMMDDHH':
      return withHour(checkCalendarDate(year2(0), number(2, 2), number(4, 2)), number(6, 2));
    case 'YYJJJHH':
      return withHour(ordinalDate(year2(0), number(2, 3)), number(5, 2));
  }
}

function dateOnly(reading: DateReading): HibcDateReading {
  return reading.ok ? { ok: true, value: isoDate(reading.date), dayOmitted: false } : reading;
}

function withHour(reading: DateReading, hour: number): HibcDateReading {
  if (!reading.ok) return reading;
  const problem = checkTime(hour);
  if (problem) return { ok: false, reason: problem };
  return { ok: true, value: `${isoDate(reading.date)}T${pad2(hour)}`, dayOmitted: false };
}
