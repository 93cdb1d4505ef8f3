import { isExpired } from './dates.js';
import type { ScanError } from './errors.js';
import { scanError } from './errors.js';
import { expiredError, findExpiredElement } from './expiry.js';
import { findConflictingAi } from './gs1/conflicts.js';
import { formatDigitalLink, looksLikeDigitalLink, readDigitalLink } from './gs1/digital-link.js';
import { formatElementString, GROUP_SEPARATOR, readElementString } from './gs1/element-string.js';
import type { VariableMeasureRule } from './gs1/gtin.js';
import { formatHri, looksLikeHri, readHri } from './gs1/hri.js';
import type { Gs1Outcome, Gs1ReadOptions } from './gs1/read-gs1-scan.js';
import { readGs1SymbolData, readGtinSymbol, readUnprefixedGtin, startsWithKnownAi } from './gs1/read-gs1-scan.js';
import { readHibc } from './hibc/read-hibc.js';
import type { Gs1ScanResult, ScanResult } from './scan-result.js';
import { matchSitePattern } from './site-patterns.js';
import type { Symbology } from './symbology.js';
import { lookupSymbology } from './symbology.js';

export interface ScanParseOptions {
  /** The clock for expiry checks and two-digit years. The parser never reads the real date. */
  readonly now: Date;
  /** The site's wristband pattern, from `compileSitePattern`; an `mrn` named group picks out the MRN. */
  readonly wristbandPattern?: RegExp;
  /** The site's specimen label pattern, from `compileSitePattern`; an `accession` named group picks out the accession. */
  readonly specimenPattern?: RegExp;
  /** Characters that a site's scanners send for FNC1 instead of GS (0x1D); GS is always accepted. */
  readonly extraGroupSeparators?: readonly string[];
  /** When false, GS1 date AIs whose digits are no real date give a null date instead of an error. Default: true. */
  readonly checkDates?: boolean;
  /** The layouts of variable-measure GTINs (prefixes 20-29) in the site's country, used to read their weight or price. */
  readonly variableMeasureRules?: readonly VariableMeasureRule[];
}

interface ScanInput {
  readonly base: { readonly raw: string; readonly symbology: Symbology | null; readonly data: string };
  /** Index of `data` in the raw scan. */
  readonly offset: number;
  /** A space followed `data` in the raw scan, so it may have been an HIBC check character. */
  readonly hasTrailingSpace: boolean;
}

/**
 * Parses one scan as a barcode scanner sent it: an optional AIM symbology identifier, then GS1
 * data (element string, Digital Link URI, human readable interpretation or EAN/UPC GTIN), HIBC, or
 * the site's wristband or specimen format. It never throws: the result of an invalid scan has an
 * `error` with the reason and the position.
 */
export function parseScan(raw: string, options: ScanParseOptions): ScanResult {
  const leading = raw.length - raw.trimStart().length;
  const trimmed = raw.trim();
  let symbology: Symbology | null = null;
  let data = trimmed;

  if (trimmed.startsWith(']')) {
    const found = lookupSymbology(trimmed.slice(0, 3));
    if (!found) return unknownSymbology(raw, trimmed, leading);
    symbology = found;
    data = trimmed.slice(3);
  }
  const input: ScanInput = {
    base: { raw, symbology, data },
    offset: leading + (symbology ? 3 : 0),
    hasTrailingSpace: raw[leading + trimmed.length] === ' ',
  };

  if (data === '') return { ...input.base, kind: 'unknown', error: scanError('empty-scan', leading, 'The scan is empty: scan the barcode again') };
  return readByContent(input, readOptions(options), options);
}

function readOptions(options: ScanParseOptions): Gs1ReadOptions {
  return {
    now: options.now,
    checkDates: options.checkDates ?? true,
    variableMeasureRules: options.variableMeasureRules ?? [],
    separators: [GROUP_SEPARATOR, ...(options.extraGroupSeparators ?? [])],
  };
}

function readByContent(input: ScanInput, gs1Options: Gs1ReadOptions, options: ScanParseOptions): ScanResult {
  const { base, offset } = input;
  if (base.symbology?.content === 'gs1-element-string') return gs1Result(input, readGs1SymbolData(base.data, offset, gs1Options), gs1Options);
  if (base.symbology?.content === 'gtin') {
    const outcome = readGtinSymbol(base.data, offset, base.symbology, gs1Options);
    if (outcome) return gs1Result(input, outcome, gs1Options);
  }
  return readText(input, gs1Options, options);
}

/** Data of a non-GS1 symbology, or without identifier: site formats first, as the site set them up. */
function readText(input: ScanInput, gs1Options: Gs1ReadOptions, options: ScanParseOptions): ScanResult {
  const { base, offset } = input;
  const site = readSitePatterns(input, options);
  if (site) return site;

  if (base.data.startsWith('+')) return hibcResult(input, options.now);
  if (looksLikeDigitalLink(base.data)) {
    const reading = readDigitalLink(base.data, offset, gs1Options);
    if (reading.kind === 'read') return gs1Result(input, { syntax: 'digital-link', elements: reading.elements, error: reading.error }, gs1Options);
  }
  if (base.symbology === null) return readWithoutIdentifier(input, gs1Options);
  return { ...base, kind: 'unknown', error: null };
}

/**
 * Reads data without a symbology identifier, which can be a GTIN or an element string with the
 * same digits, such as `425261` (UPC-E, or AI 425). A GTIN-length number with a valid check digit
 * is read as a GTIN first, because medication packs carry EAN/UPC symbols. The element string
 * reading, when valid, is kept in `alternatives`.
 */
function readWithoutIdentifier(input: ScanInput, gs1Options: Gs1ReadOptions): ScanResult {
  const { base, offset } = input;
  if (looksLikeHri(base.data)) return gs1Result(input, { syntax: 'hri', ...readHri(base.data, offset, gs1Options) }, gs1Options);

  const elementString = startsWithKnownAi(base.data, gs1Options.separators)
    ? gs1Result(input, { syntax: 'element-string', ...readElementString(base.data, offset, gs1Options.separators, gs1Options) }, gs1Options)
    : undefined;
  const gtin = readUnprefixedGtin(base.data, offset, gs1Options);
  if (gtin) {
    const alternatives = elementString && elementString.error === null ? [elementString] : [];
    return { ...gs1Result(input, gtin, gs1Options), ...(alternatives.length > 0 ? { alternatives } : {}) };
  }
  return elementString ?? { ...base, kind: 'unknown', error: null };
}

function gs1Result(input: ScanInput, outcome: Gs1Outcome, gs1Options: Gs1ReadOptions): Gs1ScanResult {
  const { elements } = outcome;
  const error = outcome.error ?? findConflictingAi(elements) ?? findExpiredElement(elements, gs1Options.now);
  const digitalLink = outcome.error ? undefined : formatDigitalLink(elements);

  return {
    ...input.base,
    kind: 'gs1',
    syntax: outcome.syntax,
    elements,
    hri: formatHri(elements),
    elementString: formatElementString(elements),
    ...(digitalLink ? { digitalLink } : {}),
    ...(outcome.addOn ? { addOn: outcome.addOn } : {}),
    error,
  };
}

function hibcResult(input: ScanInput, now: Date): ScanResult {
  const { hibc, error } = readHibc(input.base.data, input.offset, input.hasTrailingSpace, now);
  const expired = !error && hibc.expiry !== undefined && isExpired(hibc.expiry, now) ? expiredError(hibc.expiry, input.offset, 'HIBC expiry date') : null;
  return { ...input.base, kind: 'hibc', hibc, error: error ?? expired };
}

function readSitePatterns(input: ScanInput, options: ScanParseOptions): ScanResult | undefined {
  const { base } = input;
  const wristband = options.wristbandPattern ? matchSitePattern(options.wristbandPattern, base.data, 'mrn') : undefined;
  const specimen = options.specimenPattern ? matchSitePattern(options.specimenPattern, base.data, 'accession') : undefined;

  if (wristband && specimen) {
    // The message leaves the scanned value out: it is a patient or specimen identifier.
    const message = 'The scan matches both the wristband and the specimen pattern of the site settings: ask IT to make the two patterns exclusive';
    return { ...base, kind: 'unknown', error: scanError('ambiguous-site-pattern', input.offset, message) };
  }
  if (wristband) return { ...base, kind: 'wristband', mrn: wristband.identifier, groups: wristband.groups, error: null };
  if (specimen) return { ...base, kind: 'specimen', accession: specimen.identifier, groups: specimen.groups, error: null };
  return undefined;
}

function unknownSymbology(raw: string, trimmed: string, leading: number): ScanResult {
  const identifier = trimmed.slice(0, 3);
  const message = `Unknown AIM symbology identifier ${JSON.stringify(identifier)} at the start of the scan: check the scanner's symbology identifier setting`;
  const error: ScanError = scanError('unknown-symbology', leading, message, { found: identifier });
  return { raw, symbology: null, data: trimmed, kind: 'unknown', error };
}
