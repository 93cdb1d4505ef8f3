import { getLocale, t } from '../i18n/index.js';

/**
 * Date and time formatting for the whole renderer, with Intl in the active locale. Times are shown
 * in the workstation's time zone with a 24-hour clock. Dates of birth are calendar dates, so no
 * time zone shifts them.
 */

const dateTimeOptions: Intl.DateTimeFormatOptions = {
  day: '2-digit',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
};

const timeOptions: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };

const calendarDateOptions: Intl.DateTimeFormatOptions = {
  day: '2-digit',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
};

export interface FormatOptions {
  locale?: string;
  /** IANA time zone; the workstation's own zone when left out. Tests pass one to be repeatable. */
  timeZone?: string;
}

function toDate(isoDateTime: string): Date | null {
  const date = new Date(isoDateTime);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Formats an ISO 8601 date-time as day, month, year and time, for example "03 Dec 2026, 14:05". */
export function formatDateTime(isoDateTime: string, options: FormatOptions = {}): string {
  const date = toDate(isoDateTime);
  if (date === null) return isoDateTime;
  return new Intl.DateTimeFormat(options.locale ?? getLocale(), { ...dateTimeOptions, timeZone: options.timeZone }).format(date);
}

/** Formats the time of day of an ISO 8601 date-time, for example "14:05". */
export function formatTime(isoDateTime: string, options: FormatOptions = {}): string {
  const date = toDate(isoDateTime);
  if (date === null) return isoDateTime;
  return new Intl.DateTimeFormat(options.locale ?? getLocale(), { ...timeOptions, timeZone: options.timeZone }).format(date);
}

/**
 * Formats the time of day when `isoDateTime` falls on the same local day as `now`, for example
 * "14:05", and otherwise the date and time, so that yesterday's time is never read as today's.
 */
export function formatTimeOrDateTime(isoDateTime: string, now: Date, options: FormatOptions = {}): string {
  const date = toDate(isoDateTime);
  if (date === null) return isoDateTime;
  // Any locale would do to compare two days; en-CA writes them as 2026-12-05.
  const dayFormat = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: options.timeZone });
  return dayFormat.format(date) === dayFormat.format(now) ? formatTime(isoDateTime, options) : formatDateTime(isoDateTime, options);
}

/**
 * Formats a calendar date (`YYYY-MM-DD`, such as a FHIR `birthDate`) as "04 Mar 1950". The date
 * is read and written in UTC so that no time zone moves it to the day before.
 */
export function formatCalendarDate(isoDate: string, options: Pick<FormatOptions, 'locale'> = {}): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (match === null) return isoDate;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return new Intl.DateTimeFormat(options.locale ?? getLocale(), calendarDateOptions).format(date);
}

const relativeUnits: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 24 * 60 * 60 * 1000],
  ['hour', 60 * 60 * 1000],
  ['minute', 60 * 1000],
];

/**
 * Formats how long ago `isoDateTime` was, relative to `now`, in the largest whole unit:
 * "just now" under a minute, then "5 minutes ago", "3 hours ago", "2 days ago". A time less than
 * a minute in the future (clock skew between workstations) also reads as "just now".
 */
export function formatRelative(isoDateTime: string, now: Date, options: Pick<FormatOptions, 'locale'> = {}): string {
  const date = toDate(isoDateTime);
  if (date === null) return isoDateTime;

  const formatter = new Intl.RelativeTimeFormat(options.locale ?? getLocale(), { numeric: 'auto' });
  const elapsed = now.getTime() - date.getTime();
  for (const [unit, length] of relativeUnits) {
    if (Math.abs(elapsed) >= length) return formatter.format(-Math.trunc(elapsed / length), unit);
  }
  return t('time.justNow');
}
