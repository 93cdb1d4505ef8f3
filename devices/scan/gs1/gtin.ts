import { gs1CheckDigit } from './check-digit.js';
import type { Gs1Prefix } from './prefixes.js';
import { lookupGs1Prefix, lookupGtin8Prefix } from './prefixes.js';

/** The symbol family a GTIN was allocated for, read from the leading zeros of its 14-digit form. */
export type GtinFormat = 'GTIN-8' | 'GTIN-12' | 'GTIN-13' | 'GTIN-14';

export function gtinFormat(gtin14: string): GtinFormat {
  if (gtin14.startsWith('000000')) return 'GTIN-8';
  if (gtin14.startsWith('00')) return 'GTIN-12';
  if (gtin14.startsWith('0')) return 'GTIN-13';
  return 'GTIN-14';
}

export function gtinPrefix(gtin14: string): Gs1Prefix | undefined {
  return gtinFormat(gtin14) === 'GTIN-8' ? lookupGtin8Prefix(gtin14.slice(6)) : lookupGs1Prefix(gtin14.slice(1));
}

/**
 * Expands a UPC-E number to its UPC-A form. Takes the six UPC-E digits alone (number system 0, check
 * digit computed) or eight digits with the number system (0 or 1) and check digit. Returns
 * undefined when the eight-digit form has another number system.
 */
export function expandUpcE(upcE: string): string | undefined {
  const numberSystem = upcE.length === 8 ? upcE[0] : '0';
  if (numberSystem !== '0' && numberSystem !== '1') return undefined;

  const d = upcE.length === 8 ? upcE.slice(1, 7) : upcE;
  const last = d[5] as string;
  let body: string;
  if (last <= '2') body = `${d.slice(0, 2)}${last}0000${d.slice(2, 5)}`;
  else if (last === '3') body = `${d.slice(0, 3)}00000${d.slice(3, 5)}`;
  else if (last === '4') body = `${d.slice(0, 4)}00000${d[4]}`;
  else body = `${d.slice(0, 5)}0000${last}`;

  const withoutCheck = `${numberSystem}${body}`;
  const check = upcE.length === 8 ? upcE.slice(7) : gs1CheckDigit(withoutCheck);
  return `${withoutCheck}${check}`;
}

/**
 * A site's layout of variable-measure trade items (restricted circulation GTIN-13s, prefixes 20-29),
 * which each GS1 member organisation sets for its country. Positions are 0-based indexes into the
 * 13 digits, end excluded.
 */
export interface VariableMeasureRule {
  /** The leading digits the rule applies to, such as `23`. */
  readonly prefix: string;
  readonly itemReference: readonly [start: number, end: number];
  readonly measure: readonly [start: number, end: number];
  readonly decimals: number;
  /** UCUM unit of a weight (`kg`) or ISO 4217 code of a price. */
  readonly unit: string;
}

export interface VariableMeasure {
  readonly itemReference: string;
  readonly value: number;
  readonly unit: string;
}

/**
 * Reads the measure a variable-measure GTIN carries under the first rule that matches its prefix.
 * NOTE: the price or weight check digit some layouts include is not verified.
 */
export function readVariableMeasure(gtin14: string, rules: readonly VariableMeasureRule[]): VariableMeasure | undefined {
  if (gtinFormat(gtin14) !== 'GTIN-13') return undefined;
  const gtin13 = gtin14.slice(1);
  const rule = rules.find((candidate) => gtin13.startsWith(candidate.prefix));
  if (!rule) return undefined;

  const digits = gtin13.slice(rule.measure[0], rule.measure[1]);
  return { itemReference: gtin13.slice(rule.itemReference[0], rule.itemReference[1]), value: decimalNumber(digits, rule.decimals), unit: rule.unit };
}

/** Reads digits with an implied decimal point `decimals` places from the right. */
export function decimalNumber(digits: string, decimals: number): number {
  if (decimals === 0) return Number(digits);
  const padded = digits.padStart(decimals + 1, '0');
  return Number(`${padded.slice(0, -decimals)}.${padded.slice(-decimals)}`);
}
