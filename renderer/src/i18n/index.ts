import type { MessageKey } from './en.js';
import { en } from './en.js';

export type { MessageKey } from './en.js';

/** A message catalog: one text per key of the English catalog, with the same `{parameters}`. */
export type Catalog = { readonly [K in MessageKey]: string };

/** The names inside `{…}` in a message text, as a union of string literals. */
type ParameterNames<Text extends string> = Text extends `${string}{${infer Name}}${infer Rest}`
  ? Name | ParameterNames<Rest>
  : never;

/** Keys of messages that take no parameters, for tables that map a value to its label. */
export type PlainMessageKey = {
  [K in MessageKey]: [ParameterNames<(typeof en)[K]>] extends [never] ? K : never;
}[MessageKey];

export type MessageParameters<K extends MessageKey> = Record<ParameterNames<(typeof en)[K]>, string | number>;

/** Catalogs by BCP 47 language tag; the tag is also the locale used for dates and numbers. */
const catalogs: Record<string, Catalog> = { 'en-GB': en };

const DEFAULT_LOCALE = 'en-GB';
let activeLocale = DEFAULT_LOCALE;

/** Selects the catalog for `locale`, falling back to English (UK) when there is none. */
export function setLocale(locale: string): void {
  activeLocale = locale in catalogs ? locale : DEFAULT_LOCALE;
}

/** Returns the active locale, for Intl formatters. */
export function getLocale(): string {
  return activeLocale;
}

/**
 * Returns the text of `key` in the active catalog with its `{parameters}` filled in. Messages
 * without parameters take none, and a message with parameters requires all of them.
 */
export function t<K extends MessageKey>(
  key: K,
  ...args: [ParameterNames<(typeof en)[K]>] extends [never] ? [] : [MessageParameters<K>]
): string {
  const catalog = catalogs[activeLocale] ?? en;
  const text = catalog[key];
  const parameters = args[0] as Record<string, string | number> | undefined;
  if (parameters === undefined) return text;

  return text.replace(/\{(\w+)\}/g, (placeholder, name: string) => {
    const value = parameters[name];
    return value === undefined ? placeholder : String(value);
  });
}

/** Lists every placeholder name in a message text, for checking that translations keep them. */
export function listPlaceholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '').sort();
}

export const availableCatalogs: Readonly<Record<string, Catalog>> = catalogs;
