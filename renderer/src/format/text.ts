import { getLocale } from '../i18n/index.js';

/** Joins items as the locale writes a list, for example "pulse, SpO2 and temperature". */
export function formatList(items: readonly string[], locale = getLocale()): string {
  return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(items);
}

/** Formats a number with exactly `decimals` decimal places in the locale's notation. */
export function formatDecimal(value: number, decimals: number, locale = getLocale()): string {
  return new Intl.NumberFormat(locale, { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(value);
}
