/**
 * Calendar rules shared by GS1 and HIBC dates. Every function takes the clock as an argument:
 * the parser never reads the real date, so tests and `hms-scan parse --now` decide what "today" is.
 * Dates are calendar dates of the workstation's time zone, which is what a printed expiry means.
 */

export interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export type DateReading = { readonly ok: true; readonly date: CalendarDate } | { readonly ok: false; readonly reason: string };

/**
 * Expands a two-digit year by the GS1 sliding window (GS1 General Specifications, section 7.12).
 * A year 51 to 99 years ahead of the clock's year belongs to the previous century. A year 50 to 99
 * years behind it belongs to the next century, and any other year to the current one.
 */
export function expandYear(twoDigitYear: number, now: Date): number {
  const currentYear = now.getFullYear();
  const century = currentYear - (currentYear % 100);
  const difference = twoDigitYear - (currentYear % 100);

  if (difference >= 51) return century - 100 + twoDigitYear;
  if (difference <= -50) return century + 100 + twoDigitYear;
  return century + twoDigitYear;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Checks that a month and day exist; `day` 0 is handled by the caller. */
export function checkCalendarDate(year: number, month: number, day: number): DateReading {
  if (month < 1 || month > 12) return { ok: false, reason: `month ${pad2(month)} does not exist` };
  const lastDay = daysInMonth(year, month);
  if (day < 1 || day > lastDay) return { ok: false, reason: `day ${pad2(day)} does not exist in ${MONTH_NAMES[month - 1]} ${year}` };
  return { ok: true, date: { year, month, day } };
}

/** Reads a day of the year (001 to 365 or 366) as a calendar date. */
export function ordinalDate(year: number, dayOfYear: number): DateReading {
  const daysInYear = daysInMonth(year, 2) === 29 ? 366 : 365;
  if (dayOfYear < 1 || dayOfYear > daysInYear) return { ok: false, reason: `day of the year ${String(dayOfYear).padStart(3, '0')} does not exist in ${year}` };

  const date = new Date(Date.UTC(year, 0, dayOfYear));
  return { ok: true, date: { year, month: date.getUTCMonth() + 1, day: date.getUTCDate() } };
}

/** Checks hours 00-23, and minutes and seconds 00-59 when given. */
export function checkTime(hours: number, minutes = 0, seconds = 0): string | undefined {
  if (hours > 23) return `hour ${pad2(hours)} does not exist`;
  if (minutes > 59) return `minute ${pad2(minutes)} does not exist`;
  if (seconds > 59) return `second ${pad2(seconds)} does not exist`;
  return undefined;
}

export function isoDate(date: CalendarDate): string {
  return `${String(date.year).padStart(4, '0')}-${pad2(date.month)}-${pad2(date.day)}`;
}

/** Returns the clock's calendar date in the workstation's time zone, as an ISO date. */
export function localIsoDate(now: Date): string {
  return isoDate({ year: now.getFullYear(), month: now.getMonth() + 1, day: now.getDate() });
}

/** True when an expiry date (ISO `YYYY-MM-DD`) or date-time (`YYYY-MM-DDTHH:MM[:SS]`) lies before the clock. */
export function isExpired(expiry: string, now: Date): boolean {
  if (expiry.length === 10) return expiry < localIsoDate(now);

  const [date = '', time = ''] = expiry.split('T');
  const [year, month, day] = date.split('-').map(Number);
  const [hours, minutes = 0, seconds = 0] = time.split(':').map(Number);
  return new Date(year as number, (month as number) - 1, day, hours, minutes, seconds) < now;
}

export function pad2(value: number): string {
  return String(value).padStart(2, '0');
}
