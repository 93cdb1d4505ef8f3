import { ResultMappingError } from './errors.js';

const FIXED_OFFSET = /^([+-])(\d{2}):(\d{2})$/;
const DAY_MS = 86_400_000;

/** A wall-clock time without zone, as analyzers send it. Months are 1-based. */
export interface LocalDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws ResultMappingError unless `timeZone` is an IANA zone name, "UTC" or a fixed offset "+hh:mm". */
export function checkTimeZone(timeZone: string): void {
  if (FIXED_OFFSET.test(timeZone)) return;
  try {
    formatterFor(timeZone);
  } catch {
    throw new ResultMappingError(
      'invalid-time-zone',
      `Time zone ${JSON.stringify(timeZone)} is not an IANA zone name or an offset: use a name such as "Europe/Berlin" or "UTC", or an offset such as "+02:00"`,
    );
  }
}

/**
 * Returns the offset from UTC, in minutes, that wall-clock time `local` has in `timeZone`.
 * A time that falls in a daylight-saving gap gets the offset in force before the change, and an
 * ambiguous time (the repeated hour in autumn) is read as its first occurrence.
 */
export function offsetMinutesAt(timeZone: string, local: LocalDateTime): number {
  const fixed = FIXED_OFFSET.exec(timeZone);
  if (fixed) {
    const minutes = Number(fixed[2]) * 60 + Number(fixed[3]);
    return fixed[1] === '-' ? -minutes : minutes;
  }

  // The offset at an instant is known; the instant of a wall-clock time is not. Try the offsets in
  // force a day before and a day after (zones change offset at most twice a year), larger first,
  // and keep the first that maps back to the same wall-clock time.
  const wallAsUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  const candidates = [offsetAtInstant(timeZone, wallAsUtc - DAY_MS), offsetAtInstant(timeZone, wallAsUtc + DAY_MS)];
  for (const offset of [...new Set(candidates)].sort((a, b) => b - a)) {
    if (offsetAtInstant(timeZone, wallAsUtc - offset * 60_000) === offset) return offset;
  }
  return candidates[0] as number;
}

/** Formats an offset in minutes as FHIR writes it: "+02:00", "-05:00", "+00:00". */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const absolute = Math.abs(minutes);
  return `${sign}${pad(Math.floor(absolute / 60))}:${pad(absolute % 60)}`;
}

function offsetAtInstant(timeZone: string, instant: number): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(instant));
  const field = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((part) => part.type === type)?.value ?? 0);
  const wall = Date.UTC(field('year'), field('month') - 1, field('day'), field('hour'), field('minute'), field('second'));
  return Math.round((wall - Math.floor(instant / 1000) * 1000) / 60_000);
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
