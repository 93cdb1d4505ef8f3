/** Wall-clock date and time of an instant in a time zone, as digits, with the zone's UTC offset then. */
interface LocalDateTime {
  /** YYYYMMDDHHMMSS */
  digits: string;
  offsetMinutes: number;
}

const FHIR_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/**
 * Formats a FHIR date or dateTime as ASTM E1394 writes dates: YYYYMMDD for a date, and
 * YYYYMMDDHHMMSS in `timeZone` (the analyzer's clock) for a dateTime, because E1394 timestamps
 * carry no offset. Returns '' for an absent or unreadable value.
 */
export function formatAstmDateTime(value: string | undefined, timeZone: string): string {
  if (value === undefined) return '';
  const date = FHIR_DATE.exec(value);
  if (date) return date.slice(1).join('');
  const local = localDateTime(value, timeZone);
  return local?.digits ?? '';
}

/**
 * Formats a FHIR date or dateTime as an HL7 v2 DTM: YYYYMMDD for a date, and
 * YYYYMMDDHHMMSS±HHMM in `timeZone` for a dateTime. Returns '' for an absent or unreadable value.
 */
export function formatHl7DateTime(value: string | undefined, timeZone: string): string {
  if (value === undefined) return '';
  const date = FHIR_DATE.exec(value);
  if (date) return date.slice(1).join('');
  const local = localDateTime(value, timeZone);
  if (!local) return '';
  const sign = local.offsetMinutes < 0 ? '-' : '+';
  const minutes = Math.abs(local.offsetMinutes);
  return `${local.digits}${sign}${pad(Math.floor(minutes / 60))}${pad(minutes % 60)}`;
}

function localDateTime(value: string, timeZone: string): LocalDateTime | undefined {
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) return undefined;
  const instant = new Date(Math.floor(millis / 1000) * 1000);

  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((entry) => entry.type === type)?.value ?? '0');
  const [year, month, day, hour, minute, second] = [part('year'), part('month'), part('day'), part('hour'), part('minute'), part('second')];

  // The offset is the wall clock read as UTC minus the instant itself.
  const offsetMinutes = Math.round((Date.UTC(year, month - 1, day, hour, minute, second) - instant.getTime()) / 60_000);
  return { digits: `${String(year).padStart(4, '0')}${pad(month)}${pad(day)}${pad(hour)}${pad(minute)}${pad(second)}`, offsetMinutes };
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
