import type { CalendarDate } from '../dates.js';
import { checkCalendarDate, checkTime, daysInMonth, expandYear, isoDate, pad2 } from '../dates.js';
import type { ScanError } from '../errors.js';
import { scanError } from '../errors.js';
import type { AiDefinition, AiPart } from './application-identifiers.js';
import { hasPredefinedLength, maximumLength, minimumLength } from './application-identifiers.js';
import { describeCharacter, firstInvalidCharacter, isCset82, isDigit } from './charset.js';
import { verifyCheckDigit } from './check-digit.js';
import { currencyAlphabeticCode } from './currencies.js';
import type { Gs1Element } from './element.js';
import type { VariableMeasureRule } from './gtin.js';
import { decimalNumber, gtinFormat, gtinPrefix, readVariableMeasure } from './gtin.js';
import { lookupGs1Prefix } from './prefixes.js';

/** An AI and its value as cut from the scan, before any rule of the AI is checked. */
export interface ElementToken {
  readonly definition: AiDefinition;
  readonly value: string;
  /** 0-based index in the raw scan of the AI. */
  readonly position: number;
  /** 0-based index in the raw scan of the value's first character. */
  readonly valuePosition: number;
}

export interface ReadContext {
  readonly now: Date;
  /** When false, a date AI whose digits are no real date gives a null date instead of an error. */
  readonly checkDates: boolean;
  readonly variableMeasureRules: readonly VariableMeasureRule[];
}

export type ElementReading = { readonly ok: true; readonly element: Gs1Element } | { readonly ok: false; readonly error: ScanError };

const CSET_82_HINT = 'letters, digits and the characters ! " % & \' ( ) * + , - . / : ; < = > ? _';

/** Checks a value against its AI's format (length, characters, check digits, dates) and types it. */
export function readElement(token: ElementToken, context: ReadContext): ElementReading {
  const lengthError = checkLength(token);
  if (lengthError) return { ok: false, error: lengthError };

  const texts = splitParts(token.definition, token.value);
  let offset = 0;
  for (const [index, part] of token.definition.parts.entries()) {
    const text = texts[index] as string;
    const partError = checkPart(token, part, text, token.valuePosition + offset);
    if (partError) return { ok: false, error: partError };
    offset += text.length;
  }

  const partsProblem = token.definition.checkParts?.(texts);
  if (partsProblem) {
    return { ok: false, error: scanError('invalid-value', token.valuePosition, `${describeAi(token.definition)} ${token.value} is invalid (${partsProblem}): check the label`, { ai: token.definition.ai, value: token.value }) };
  }
  return interpret(token, texts, context);
}

export function describeAi(definition: AiDefinition): string {
  return `AI (${definition.ai}) ${definition.title}`;
}

function checkLength(token: ElementToken): ScanError | undefined {
  const { definition, value, valuePosition } = token;
  const minimum = minimumLength(definition);
  const maximum = maximumLength(definition);
  const expected = minimum === maximum ? `${minimum}` : `${minimum} to ${maximum}`;
  const details = { ai: definition.ai, value, expected, found: String(value.length) };

  if (value.length > maximum) {
    const hint = hasPredefinedLength(definition.ai) ? 'check the label and rescan' : 'a group separator (GS) may be missing after the value, so check that the scanner sends GS for FNC1';
    return scanError('wrong-length', valuePosition + maximum, `${describeAi(definition)} allows at most ${maximum} characters but has ${value.length}: ${hint}`, details);
  }
  if (value.length < minimum) {
    return scanError('wrong-length', valuePosition + value.length, `${describeAi(definition)} needs ${expected} characters but has ${value.length}: the barcode may be damaged or cut off, so rescan it`, details);
  }
  return undefined;
}

/** Splits a value of the right length into its parts; only the last part varies in length. */
function splitParts(definition: AiDefinition, value: string): string[] {
  const texts: string[] = [];
  let offset = 0;
  definition.parts.forEach((part, index) => {
    const length = index === definition.parts.length - 1 ? value.length - offset : part.maxLength;
    texts.push(value.slice(offset, offset + length));
    offset += length;
  });
  return texts;
}

function checkPart(token: ElementToken, part: AiPart, text: string, position: number): ScanError | undefined {
  const { definition } = token;
  const details = { ai: definition.ai, value: token.value };

  const invalidAt = firstInvalidCharacter(text, part.charset === 'N' ? isDigit : isCset82);
  if (invalidAt >= 0) {
    const character = text[invalidAt] as string;
    const rule = part.charset === 'N' ? `the ${part.name} takes digits only` : `values may contain only GS1 AI encodable character set 82: ${CSET_82_HINT}`;
    return scanError('invalid-character', position + invalidAt, `${describeAi(definition)} contains ${describeCharacter(character)}, which is not allowed: ${rule}`, { ...details, found: character });
  }

  const lengthAllowed = (part.lengths?.includes(text.length) ?? true) && (part.multipleOf === undefined || text.length % part.multipleOf === 0);
  if (!lengthAllowed) {
    const allowed = part.lengths ? part.lengths.join(', ') : `a multiple of ${part.multipleOf}`;
    return scanError('wrong-length', position, `${describeAi(definition)}: the ${part.name} has ${text.length} digits, but must have ${allowed}`, { ...details, expected: allowed, found: String(text.length) });
  }

  if (part.fixedValue !== undefined && text !== part.fixedValue) {
    return scanError('invalid-value', position, `${describeAi(definition)} must start with ${part.fixedValue} but starts with ${text}: check the label`, { ...details, expected: part.fixedValue, found: text });
  }

  if (part.checkDigit) {
    const check = verifyCheckDigit(text);
    if (!check.ok) {
      const message = `${describeAi(definition)} ${text} has check digit ${check.found}, but its digits give ${check.expected}: the barcode is misprinted or misread. Rescan it, and do not use the item if this repeats`;
      return scanError('bad-check-digit', position + text.length - 1, message, { ...details, expected: check.expected, found: check.found });
    }
  }
  return undefined;
}

function interpret(token: ElementToken, texts: readonly string[], context: ReadContext): ElementReading {
  const { definition, value: raw, position } = token;
  const base = { ai: definition.ai, title: definition.title, raw, position, ...partsOf(definition, texts) };
  const interpretation = definition.interpretation;

  switch (interpretation.kind) {
    case 'text':
      return { ok: true, element: { ...base, type: 'text', value: raw } };
    case 'count':
      return { ok: true, element: { ...base, type: 'count', value: Number(raw) } };
    case 'measure':
      return { ok: true, element: { ...base, type: 'measure', value: decimalNumber(raw, interpretation.decimals), unit: interpretation.unit, decimals: interpretation.decimals } };
    case 'amount':
      return { ok: true, element: readAmount(base, texts, interpretation.decimals, interpretation.withCurrency) };
    case 'key':
      return { ok: true, element: readKey(base, interpretation.gs1PrefixAt, interpretation.gtin === true, context) };
    case 'date':
      return readDate(token, base, interpretation.dayZeroAllowed, context);
    case 'date-time':
      return readDateTime(token, base, interpretation.dayZeroAllowed, context);
  }
}

type Base = Omit<Gs1Element, 'type' | 'value'> & { readonly raw: string };

function partsOf(definition: AiDefinition, texts: readonly string[]): { parts?: Record<string, string> } {
  if (definition.parts.length < 2) return {};
  return { parts: Object.fromEntries(definition.parts.map((part, index) => [part.name, texts[index] as string])) };
}

function readAmount(base: Base, texts: readonly string[], decimals: number, withCurrency: boolean): Gs1Element {
  if (!withCurrency) return { ...base, type: 'amount', value: decimalNumber(base.raw, decimals), decimals };

  const [currency = '', digits = ''] = texts;
  const currencyCode = currencyAlphabeticCode(currency);
  return { ...base, type: 'amount', value: decimalNumber(digits, decimals), decimals, currency, ...(currencyCode ? { currencyCode } : {}) };
}

function readKey(base: Base, gs1PrefixAt: number, isGtin: boolean, context: ReadContext): Gs1Element {
  const value = base.raw;
  if (!isGtin) {
    const gs1Prefix = lookupGs1Prefix(value.slice(gs1PrefixAt));
    return { ...base, type: 'key', value, ...(gs1Prefix ? { gs1Prefix } : {}) };
  }

  const gs1Prefix = gtinPrefix(value);
  const variableMeasure = gs1Prefix?.restrictedCirculation ? readVariableMeasure(value, context.variableMeasureRules) : undefined;
  return { ...base, type: 'key', value, gtinFormat: gtinFormat(value), ...(gs1Prefix ? { gs1Prefix } : {}), ...(variableMeasure ? { variableMeasure } : {}) };
}

type YymmddReading = { ok: true; date: CalendarDate; dayOmitted: boolean } | { ok: false; reason: string };

/** Reads YYMMDD; day 00 stands for the month's last day where the AI allows it. */
export function readYymmdd(digits: string, dayZeroAllowed: boolean, now: Date): YymmddReading {
  const year = expandYear(Number(digits.slice(0, 2)), now);
  const month = Number(digits.slice(2, 4));
  const day = Number(digits.slice(4, 6));

  if (day === 0 && dayZeroAllowed && month >= 1 && month <= 12) {
    return { ok: true, date: { year, month, day: daysInMonth(year, month) }, dayOmitted: true };
  }
  const reading = checkCalendarDate(year, month, day);
  return reading.ok ? { ok: true, date: reading.date, dayOmitted: false } : reading;
}

function readDate(token: ElementToken, base: Base, dayZeroAllowed: boolean, context: ReadContext): ElementReading {
  const reading = readYymmdd(base.raw, dayZeroAllowed, context.now);
  if (reading.ok) return { ok: true, element: { ...base, type: 'date', value: isoDate(reading.date), dayOmitted: reading.dayOmitted } };
  if (!context.checkDates) return { ok: true, element: { ...base, type: 'date', value: null, dayOmitted: false } };
  return { ok: false, error: invalidDate(token, reading.reason) };
}

/** Reads YYMMDDHH with optional MM and SS, as ISO `YYYY-MM-DDTHH[:MM[:SS]]`. */
function readDateTime(token: ElementToken, base: Base, dayZeroAllowed: boolean, context: ReadContext): ElementReading {
  const digits = base.raw;
  const dateReading = readYymmdd(digits.slice(0, 6), dayZeroAllowed, context.now);
  const [hours, minutes, seconds] = [digits.slice(6, 8), digits.slice(8, 10), digits.slice(10, 12)].map((pair) => (pair === '' ? undefined : Number(pair)));
  const timeProblem = checkTime(hours ?? 0, minutes, seconds);

  if (!dateReading.ok || timeProblem) {
    if (!context.checkDates) return { ok: true, element: { ...base, type: 'date-time', value: null } };
    return { ok: false, error: invalidDate(token, dateReading.ok ? (timeProblem as string) : dateReading.reason) };
  }

  const time = [hours, minutes, seconds].filter((field): field is number => field !== undefined).map(pad2).join(':');
  return { ok: true, element: { ...base, type: 'date-time', value: `${isoDate(dateReading.date)}T${time}` } };
}

function invalidDate(token: ElementToken, reason: string): ScanError {
  const message = `${describeAi(token.definition)} ${token.value} is an invalid date (${reason}): check the label and rescan`;
  return scanError('invalid-date', token.valuePosition, message, { ai: token.definition.ai, value: token.value });
}
