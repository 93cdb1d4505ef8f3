import { formatOffset, offsetMinutesAt } from './time-zone.js';

/**
 * ASTM (LIS2-A2) YYYYMMDDHHMMSS and HL7 DTM YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ], with
 * every part after the year optional. ASTM never carries a zone.
 */
const TIMESTAMP = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\.\d{1,4})?([+-]\d{4})?$/;

export type TimestampReading =
  | { readonly ok: true; readonly dateTime: string; readonly hasTime: boolean }
  | { readonly ok: false; readonly reason: string };

/**
 * Converts an analyzer timestamp to a FHIR dateTime. A date alone stays a date ("2024-01-01");
 * a time gets seconds and a zone, which FHIR requires: the offset it was sent with, or else the
 * offset `timeZone` has at that wall-clock time, because analyzers send local time.
 */
export function readTimestamp(text: string, timeZone: string): TimestampReading {
  const match = TIMESTAMP.exec(text.trim());
  if (!match) return { ok: false, reason: 'is not a timestamp of the form YYYYMMDDHHMMSS' };

  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((index) => (match[index] === undefined ? undefined : Number(match[index])));
  const fraction = match[7] ?? '';
  const zone = match[8];
  const problem = rangeProblem(year as number, month, day, hour, minute, second);
  if (problem) return { ok: false, reason: problem };

  const date = [String(year).padStart(4, '0'), month === undefined ? undefined : pad(month), day === undefined ? undefined : pad(day)].filter((part) => part !== undefined).join('-');
  if (hour === undefined) return { ok: true, dateTime: date, hasTime: false };
  if (day === undefined) return { ok: false, reason: 'has a time but no day' };

  const local = { year: year as number, month: month as number, day, hour, minute: minute ?? 0, second: second ?? 0 };
  const offset = zone === undefined ? formatOffset(offsetMinutesAt(timeZone, local)) : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const time = `${pad(local.hour)}:${pad(local.minute)}:${pad(local.second)}${fraction}`;
  return { ok: true, dateTime: `${date}T${time}${offset}`, hasTime: true };
}

/** Like readTimestamp, but only for a timestamp with a time of day, which a FHIR instant needs. */
export function readInstant(text: string, timeZone: string): string | undefined {
  const reading = readTimestamp(text, timeZone);
  return reading.ok && reading.hasTime ? reading.dateTime : undefined;
}

function rangeProblem(year: number, month?: number, day?: number, hour?: number, minute?: number, second?: number): string | undefined {
  if (month !== undefined && (month < 1 || month > 12)) return 'has a month outside 1 to 12';
  if (day !== undefined && month !== undefined && (day < 1 || day > daysInMonth(year, month))) return 'has a day that the month does not have';
  if (hour !== undefined && hour > 23) return 'has an hour outside 0 to 23';
  if (minute !== undefined && minute > 59) return 'has a minute outside 0 to 59';
  if (second !== undefined && second > 59) return 'has a second outside 0 to 59';
  return undefined;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
