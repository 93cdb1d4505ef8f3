import type { ScanError } from '../errors.js';
import { scanError } from '../errors.js';
import type { Gs1Syntax } from '../scan-result.js';
import type { Symbology } from '../symbology.js';
import { findAiAt, getAiDefinition } from './application-identifiers.js';
import { describeCharacter, firstInvalidCharacter, isDigit } from './charset.js';
import { looksLikeDigitalLink, readDigitalLink } from './digital-link.js';
import type { Gs1Element } from './element.js';
import { readElementString } from './element-string.js';
import { expandUpcE } from './gtin.js';
import type { ReadContext } from './read-element.js';
import { readElement } from './read-element.js';

export interface Gs1ReadOptions extends ReadContext {
  /** Characters that end a variable-length value: GS (0x1D), plus any a site's scanners send instead. */
  readonly separators: readonly string[];
}

export interface Gs1Outcome {
  readonly syntax: Gs1Syntax;
  readonly elements: readonly Gs1Element[];
  readonly error: ScanError | null;
  readonly addOn?: string;
}

/** Separates a linear symbol from its 2D composite component, which scanners send as a second `]e0` symbol. */
const COMPOSITE_SEPARATOR = '|]e0';

/** Reads the data of a GS1 symbology (`]C1`, `]d2`, `]Q3`, `]e0`, `]J1`): an element string or a Digital Link URI. */
export function readGs1SymbolData(data: string, offset: number, options: Gs1ReadOptions): Gs1Outcome {
  if (looksLikeDigitalLink(data)) {
    const reading = readDigitalLink(data, offset, options);
    if (reading.kind === 'read') return { syntax: 'digital-link', elements: reading.elements, error: reading.error };
    const message = 'The GS1 symbol contains a URI without a GS1 primary key (such as /01/ and a GTIN) at the end of its path, so it is not a valid GS1 Digital Link: check the label';
    return { syntax: 'digital-link', elements: [], error: scanError('invalid-digital-link', offset, message) };
  }
  return withComposite(data, offset, options, (primary, primaryOffset) => ({ syntax: 'element-string', ...readElementString(primary, primaryOffset, options.separators, options) }));
}

/** The digit counts each EAN/UPC and ITF-14 identifier may carry. */
const GTIN_DIGITS: Readonly<Record<string, readonly number[]>> = {
  ']E0': [13, 12, 8],
  ']E3': [15, 18],
  ']E4': [8],
  ']I1': [14],
};

/**
 * Reads the GTIN of an EAN/UPC or ITF-14 symbol. Returns undefined for an `]I1` symbol of another
 * length, which is plain Interleaved 2 of 5 with a check digit rather than an ITF-14.
 */
export function readGtinSymbol(data: string, offset: number, symbology: Symbology, options: Gs1ReadOptions): Gs1Outcome | undefined {
  const lengths = GTIN_DIGITS[symbology.identifier] ?? [];
  const [primary, composite] = splitComposite(data);

  if (symbology.identifier === ']I1' && primary.length !== 14) return undefined;
  const invalidAt = firstInvalidCharacter(primary, isDigit);
  if (invalidAt >= 0) {
    const message = `${symbology.name} data contains ${describeCharacter(primary[invalidAt] as string)}, but must be digits only: rescan the barcode`;
    return failed(scanError('invalid-character', offset + invalidAt, message, { found: primary[invalidAt] as string }));
  }
  if (!lengths.includes(primary.length)) {
    const message = `${symbology.name} data must have ${lengths.join(' or ')} digits but has ${primary.length}: rescan the barcode`;
    return failed(scanError('wrong-length', offset, message, { expected: lengths.join(' or '), found: String(primary.length) }));
  }

  const addOn = symbology.identifier === ']E3' ? primary.slice(13) : undefined;
  const gtinDigits = addOn === undefined ? primary : primary.slice(0, 13);
  const gtin14 = toGtin14(gtinDigits, symbology.identifier === ']E0');
  if (gtin14 === undefined) {
    const message = `UPC-E data ${gtinDigits} starts with number system ${gtinDigits[0]}, but UPC-E allows 0 or 1 only: rescan the barcode`;
    return failed(scanError('invalid-value', offset, message, { value: gtinDigits, expected: '0 or 1', found: gtinDigits[0] as string }));
  }
  const outcome = { ...readGtin(gtin14, offset, gtinDigits.length, options), ...(addOn ? { addOn } : {}) };
  if (outcome.error || composite === undefined) return outcome;
  return appendComposite(outcome, composite, offset + primary.length + COMPOSITE_SEPARATOR.length, options);
}

/**
 * Reads digits sent without a symbology identifier as a GTIN when they have a GTIN's length (6 for
 * UPC-E, 8, 12 or 13) and a valid check digit. Returns undefined for other digits.
 */
export function readUnprefixedGtin(data: string, offset: number, options: Gs1ReadOptions): Gs1Outcome | undefined {
  if (![6, 8, 12, 13].includes(data.length) || firstInvalidCharacter(data, isDigit) >= 0) return undefined;

  // Six digits are UPC-E with number system 0, which always expands.
  const gtin14 = toGtin14(data, false) as string;
  const outcome = readGtin(gtin14, offset, data.length, options);
  return outcome.error ? undefined : outcome;
}

/** True when `data`, after any leading separators, starts with a known AI. */
export function startsWithKnownAi(data: string, separators: readonly string[]): boolean {
  let index = 0;
  while (index < data.length && separators.includes(data[index] as string)) index += 1;
  return findAiAt(data, index) !== undefined;
}

/** Pads GTIN digits to 14, expanding UPC-E (6 digits, or 8 under `]E0`); undefined for a UPC-E number system other than 0 or 1. */
function toGtin14(digits: string, eightDigitsAreUpcE: boolean): string | undefined {
  if (digits.length === 6 || (digits.length === 8 && eightDigitsAreUpcE)) return expandUpcE(digits)?.padStart(14, '0');
  return digits.padStart(14, '0');
}

/**
 * Reads a 14-digit GTIN as AI (01). `offset` and `digitCount` locate the digits as scanned, so that
 * a check digit error points at the scan's last digit.
 */
function readGtin(gtin14: string, offset: number, digitCount: number, options: Gs1ReadOptions): Gs1Outcome {
  const definition = getAiDefinition('01');
  if (!definition) throw new Error('AI (01) is missing from the application identifier table');

  const reading = readElement({ definition, value: gtin14, position: offset, valuePosition: offset + digitCount - 14 }, options);
  return reading.ok ? { syntax: 'ean-upc', elements: [reading.element], error: null } : { syntax: 'ean-upc', elements: [], error: reading.error };
}

function withComposite(data: string, offset: number, options: Gs1ReadOptions, readPrimary: (primary: string, offset: number) => Gs1Outcome): Gs1Outcome {
  const [primary, composite] = splitComposite(data);
  const outcome = readPrimary(primary, offset);
  if (outcome.error || composite === undefined) return outcome;
  return appendComposite(outcome, composite, offset + primary.length + COMPOSITE_SEPARATOR.length, options);
}

function splitComposite(data: string): [primary: string, composite: string | undefined] {
  const index = data.indexOf(COMPOSITE_SEPARATOR);
  return index < 0 ? [data, undefined] : [data.slice(0, index), data.slice(index + COMPOSITE_SEPARATOR.length)];
}

function appendComposite(outcome: Gs1Outcome, composite: string, offset: number, options: Gs1ReadOptions): Gs1Outcome {
  const reading = readElementString(composite, offset, options.separators, options);
  return { ...outcome, elements: [...outcome.elements, ...reading.elements], error: reading.error };
}

function failed(error: ScanError): Gs1Outcome {
  return { syntax: 'ean-upc', elements: [], error };
}
