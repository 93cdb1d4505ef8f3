import type { ScanError } from '../errors.js';
import { scanError } from '../errors.js';
import { describeCharacter } from '../gs1/charset.js';
import { hibcCheckCharacter, isHibcCharacter } from './check-character.js';
import type { HibcData } from './hibc-data.js';
import { readSecondaryData } from './secondary-data.js';

export interface HibcReading {
  readonly hibc: HibcData;
  readonly error: ScanError | null;
}

/** LIC: a letter and three letters or digits. */
const LABELER_IDENTIFICATION_CODE = /^[A-Z][A-Z0-9]{3}$/;
const PRODUCT_OR_CATALOG_NUMBER = /^[A-Z0-9]{1,18}$/;

/**
 * Reads an HIBC LIC scan (ANSI/HIBC 2.6). It starts with `+`, and a modulo 43 check character ends
 * it. In between comes primary data (LIC, product or catalog number, unit of measure), secondary
 * data (quantity, expiry, lot or serial) followed by a link character, or both joined by `/`.
 *
 * `hasTrailingSpace` is true when a space followed `data` in the raw scan. A space is a valid check
 * character, and trimming the scan's whitespace removes it.
 */
export function readHibc(data: string, offset: number, hasTrailingSpace: boolean, now: Date): HibcReading {
  const blank: HibcData = { structure: data[1] !== undefined && /[A-Z]/.test(data[1]) ? 'primary' : 'secondary' };
  if (data.startsWith('+/')) {
    const message = 'HIBC provider labels (HIBC PAS, starting "+/") are not supported: scan the supplier label instead';
    return { hibc: blank, error: scanError('invalid-hibc', offset, message, { found: '+/' }) };
  }

  const invalidAt = [...data].findIndex((character) => !isHibcCharacter(character));
  if (invalidAt >= 0) {
    const message = `HIBC data contains ${describeCharacter(data[invalidAt] as string)}, which is not allowed: HIBC uses digits, capital letters and - . space $ / + % only`;
    return { hibc: blank, error: scanError('invalid-character', offset + invalidAt, message, { found: data[invalidAt] as string }) };
  }

  const split = splitCheckCharacter(data, offset, hasTrailingSpace);
  if ('error' in split) return { hibc: blank, error: split.error };

  const reading = blank.structure === 'primary' ? readPrimary(split.body, offset, now) : readSecondaryOnly(split.body, offset, now);
  return { hibc: { ...reading.hibc, checkCharacter: split.checkCharacter }, error: reading.error };
}

function splitCheckCharacter(data: string, offset: number, hasTrailingSpace: boolean): { body: string; checkCharacter: string } | { error: ScanError } {
  if (data.length < 3) {
    const message = `HIBC data ${JSON.stringify(data)} is too short for data and a check character: rescan the label`;
    return { error: scanError('invalid-hibc', offset, message, { found: data }) };
  }

  const body = data.slice(0, -1);
  const found = data.slice(-1);
  const expected = hibcCheckCharacter(body);
  if (expected === found) return { body, checkCharacter: found };
  if (hasTrailingSpace && hibcCheckCharacter(data) === ' ') return { body: data, checkCharacter: ' ' };

  const shown = expected === ' ' ? 'a space' : `'${expected}'`;
  const message = `HIBC check character is '${found}', but the data before it gives ${shown}: the barcode is misprinted or misread. Rescan it, and do not use the item if this repeats`;
  return { error: scanError('bad-check-character', offset + data.length - 1, message, { expected, found }) };
}

/** Primary data, optionally followed by `/` and secondary data without a link character. */
function readPrimary(body: string, offset: number, now: Date): HibcReading {
  const slash = body.indexOf('/');
  const primary = body.slice(1, slash < 0 ? undefined : slash);
  const labelerIdentificationCode = primary.slice(0, 4);
  const productOrCatalogNumber = primary.slice(4, -1);
  const unitOfMeasure = primary.slice(-1);
  const structure = slash < 0 ? 'primary' : 'primary-and-secondary';

  if (!LABELER_IDENTIFICATION_CODE.test(labelerIdentificationCode) || !PRODUCT_OR_CATALOG_NUMBER.test(productOrCatalogNumber) || !/^\d$/.test(unitOfMeasure)) {
    const message = `HIBC primary data ${JSON.stringify(primary)} is invalid: it must be a labeler code (a letter and 3 letters or digits), a product number of 1 to 18 letters or digits and a unit-of-measure digit. Check the label`;
    return { hibc: { structure }, error: scanError('invalid-hibc', offset + 1, message, { found: primary }) };
  }

  const hibc: HibcData = { structure, labelerIdentificationCode, productOrCatalogNumber, unitOfMeasure: Number(unitOfMeasure) };
  if (slash < 0) return { hibc, error: null };

  const secondary = readSecondaryData(body.slice(slash + 1), offset + slash + 1, now);
  return { hibc: { ...hibc, ...secondary.fields }, error: secondary.ok ? null : secondary.error };
}

/** Secondary data in its own symbol: the last character before the check character links it to the primary symbol. */
function readSecondaryOnly(body: string, offset: number, now: Date): HibcReading {
  const linkCharacter = body.slice(-1);
  const secondary = readSecondaryData(body.slice(1, -1), offset + 1, now);
  return { hibc: { structure: 'secondary', ...secondary.fields, linkCharacter }, error: secondary.ok ? null : secondary.error };
}
