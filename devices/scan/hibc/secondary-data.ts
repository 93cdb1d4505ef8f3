import type { ScanError } from '../errors.js';
import { scanError } from '../errors.js';
import type { HibcData } from './hibc-data.js';
import type { HibcDateLayout } from './hibc-dates.js';
import { HIBC_DATE_LENGTHS, readHibcDate } from './hibc-dates.js';

export type SecondaryFields = Pick<HibcData, 'quantity' | 'expiry' | 'expiryDayOmitted' | 'lot' | 'serial' | 'manufactureDate' | 'otherSupplementalData'>;

export type SecondaryReading = { readonly ok: true; readonly fields: SecondaryFields } | { readonly ok: false; readonly fields: SecondaryFields; readonly error: ScanError };

/** Date layouts after `$$` or `$$+`, by format digit; `0` and `1` are the first digit of MMYY itself. */
const DATE_FORMAT_CODES: Readonly<Record<string, HibcDateLayout | 'none'>> = {
  '2': 'MMDDYY',
  '3': 'YYMMDD',
  '4': 'YYMMDDHH',
  '5': 'YYJJJ',
  '6': 'YYJJJHH',
  '7': 'none',
};

const MAX_LOT_OR_SERIAL = 18;
/** After a five-digit Julian date without `$`, the lot may have 13 characters only. */
const MAX_LOT_AFTER_JULIAN_DATE = 13;

/**
 * Reads HIBC secondary data (without the leading `+`, the link character and the check character):
 * quantity, expiry date, lot or serial number, then supplemental fields each after a `/`.
 * `position` is the index of `text` in the raw scan.
 */
export function readSecondaryData(text: string, position: number, now: Date): SecondaryReading {
  const slash = text.indexOf('/');
  const main = slash < 0 ? text : text.slice(0, slash);

  const reading = readMainFields(main, position, now);
  if (!reading.ok || slash < 0) return reading;
  return readSupplementalFields(text.slice(slash + 1), position + slash + 1, reading.fields, now);
}

function readMainFields(main: string, position: number, now: Date): SecondaryReading {
  if (main.startsWith('$$')) {
    const isSerial = main[2] === '+';
    const production = readQuantityAndDate(main, isSerial ? 3 : 2, position, now);
    if (!production.ok) return production;
    return withLotOrSerial(production.fields, main.slice(production.next), position + production.next, isSerial, MAX_LOT_OR_SERIAL);
  }
  if (main.startsWith('$+')) return withLotOrSerial({}, main.slice(2), position + 2, true, MAX_LOT_OR_SERIAL);
  if (main.startsWith('$')) return withLotOrSerial({}, main.slice(1), position + 1, false, MAX_LOT_OR_SERIAL);

  if (/^\d{5}/.test(main)) {
    const date = readHibcDate('YYJJJ', main.slice(0, 5), now);
    if (!date.ok) return invalidDate({}, main.slice(0, 5), position, date.reason);
    return withLotOrSerial({ expiry: date.value }, main.slice(5), position + 5, false, MAX_LOT_AFTER_JULIAN_DATE);
  }

  const message = `HIBC secondary data must start with $, $$, $+, $$+ or a five-digit Julian date, but starts with ${JSON.stringify(main.slice(0, 3))}: the label is not HIBC or is damaged`;
  return { ok: false, fields: {}, error: scanError('invalid-hibc', position, message, { found: main.slice(0, 3) }) };
}

type ProductionReading = { ok: true; fields: SecondaryFields; next: number } | { ok: false; fields: SecondaryFields; error: ScanError };

/** Reads the optional quantity (format digit 8 or 9) and the date after `$$` or `$$+`. */
function readQuantityAndDate(main: string, start: number, position: number, now: Date): ProductionReading {
  let index = start;
  let fields: SecondaryFields = {};
  const code = main[index];

  if (code === '8' || code === '9') {
    const digits = code === '8' ? 2 : 5;
    const quantity = main.slice(index + 1, index + 1 + digits);
    if (!new RegExp(`^\\d{${digits}}$`).test(quantity)) {
      const message = `HIBC quantity after format digit ${code} must be ${digits} digits, but is ${JSON.stringify(quantity)}: check the label`;
      return { ok: false, fields, error: scanError('invalid-hibc', position + index + 1, message, { found: quantity }) };
    }
    fields = { quantity: Number(quantity) };
    index += 1 + digits;
    // NOTE: after a quantity the date is optional, so a lot that starts with a digit 0 to 7 is read as a date format.
    if (!/^[0-7]/.test(main.slice(index))) return { ok: true, fields, next: index };
  }
  return readDateField(main, index, position, now, fields);
}

function readDateField(main: string, index: number, position: number, now: Date, fields: SecondaryFields): ProductionReading {
  const code = main[index] ?? '';
  const layout: HibcDateLayout | 'none' | undefined = code === '0' || code === '1' ? 'MMYY' : DATE_FORMAT_CODES[code];
  if (layout === undefined) {
    const message = `HIBC format digit after $$ must be 0 to 9, but is ${JSON.stringify(code)}: the label is not HIBC or is damaged`;
    return { ok: false, fields, error: scanError('invalid-hibc', position + index, message, { found: code }) };
  }
  if (layout === 'none') return { ok: true, fields, next: index + 1 };

  const start = layout === 'MMYY' ? index : index + 1;
  const digits = main.slice(start, start + HIBC_DATE_LENGTHS[layout]);
  if (!/^\d+$/.test(digits) || digits.length !== HIBC_DATE_LENGTHS[layout]) {
    return invalidDate(fields, digits, position + start, `the ${layout} date needs ${HIBC_DATE_LENGTHS[layout]} digits`);
  }

  const date = readHibcDate(layout, digits, now);
  if (!date.ok) return invalidDate(fields, digits, position + start, date.reason);
  const expiryFields = { ...fields, expiry: date.value, ...(date.dayOmitted ? { expiryDayOmitted: true } : {}) };
  return { ok: true, fields: expiryFields, next: start + digits.length };
}

function withLotOrSerial(fields: SecondaryFields, value: string, position: number, isSerial: boolean, maximum: number): SecondaryReading {
  const name = isSerial ? 'serial number' : 'lot number';
  if (value.length > maximum) {
    const message = `HIBC ${name} ${JSON.stringify(value)} has ${value.length} characters, more than the ${maximum} allowed: check the label`;
    return { ok: false, fields, error: scanError('wrong-length', position + maximum, message, { value, expected: String(maximum), found: String(value.length) }) };
  }
  if (value === '') return { ok: true, fields };
  return { ok: true, fields: { ...fields, ...(isSerial ? { serial: value } : { lot: value }) } };
}

/**
 * Reads supplemental fields: `S` serial number, `16D` date of manufacture and `14D` expiry date
 * (both YYYYMMDD). Other fields are kept unread rather than rejected, so that a label with a newer
 * field still scans.
 */
function readSupplementalFields(text: string, position: number, fields: SecondaryFields, now: Date): SecondaryReading {
  let result: SecondaryFields = fields;
  let offset = 0;
  const others: string[] = [];

  for (const field of text.split('/')) {
    const fieldPosition = position + offset;
    offset += field.length + 1;

    if (field.startsWith('16D') || field.startsWith('14D')) {
      const digits = field.slice(3);
      if (!/^\d{8}$/.test(digits)) return invalidDate(result, digits, fieldPosition + 3, 'the date needs 8 digits, YYYYMMDD');
      const date = readHibcDate('YYYYMMDD', digits, now);
      if (!date.ok) return invalidDate(result, digits, fieldPosition + 3, date.reason);
      result = { ...result, ...(field.startsWith('16D') ? { manufactureDate: date.value } : { expiry: date.value }) };
    } else if (field.startsWith('S') && field.length > 1) {
      result = { ...result, serial: field.slice(1) };
    } else {
      others.push(field);
    }
  }
  return { ok: true, fields: others.length > 0 ? { ...result, otherSupplementalData: others } : result };
}

function invalidDate(fields: SecondaryFields, digits: string, position: number, reason: string): { ok: false; fields: SecondaryFields; error: ScanError } {
  const message = `HIBC date ${JSON.stringify(digits)} is invalid (${reason}): check the label and rescan`;
  return { ok: false, fields, error: scanError('invalid-date', position, message, { value: digits }) };
}
