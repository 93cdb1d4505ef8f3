import type { GtinFormat, VariableMeasure } from './gtin.js';
import type { Gs1Prefix } from './prefixes.js';

interface ElementBase {
  /** The application identifier, such as `01` or `3103`. */
  readonly ai: string;
  /** The GS1 data title, such as `USE BY or EXPIRY`. */
  readonly title: string;
  /** The value exactly as scanned. */
  readonly raw: string;
  /** 0-based index of the AI in the raw scan; for Digital Link, of the value's path segment or query key. */
  readonly position: number;
  /** The value split by the AI's format, for AIs made of several fields (such as `8003` or `421`). */
  readonly parts?: Readonly<Record<string, string>>;
}

/** One GS1 element: an AI and its value, typed by what the value means. */
export type Gs1Element =
  | (ElementBase & { readonly type: 'text'; readonly value: string })
  | (ElementBase & {
      readonly type: 'key';
      /** The key as scanned; GTINs always in their 14-digit form. */
      readonly value: string;
      readonly gs1Prefix?: Gs1Prefix;
      readonly gtinFormat?: GtinFormat;
      readonly variableMeasure?: VariableMeasure;
    })
  | (ElementBase & {
      readonly type: 'date';
      /** ISO date; null only when date checks are off and the digits do not form a valid date. */
      readonly value: string | null;
      /** The label gave day 00, so the value is the month's last day. */
      readonly dayOmitted: boolean;
    })
  | (ElementBase & {
      readonly type: 'date-time';
      /** ISO `YYYY-MM-DDTHH[:MM[:SS]]`; null only when date checks are off and the digits do not form a valid date and time. */
      readonly value: string | null;
    })
  | (ElementBase & { readonly type: 'measure'; readonly value: number; readonly unit: string; readonly decimals: number })
  | (ElementBase & {
      readonly type: 'amount';
      readonly value: number;
      readonly decimals: number;
      /** ISO 4217 numeric currency code, for AIs 391n and 393n. */
      readonly currency?: string;
      /** ISO 4217 alphabetic code of `currency`, when it is in this parser's table. */
      readonly currencyCode?: string;
    })
  | (ElementBase & { readonly type: 'count'; readonly value: number });
