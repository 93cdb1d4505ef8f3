/**
 * Compact, order-preserving bytes for RxDB's index strings.
 *
 * RxDB builds an index string by concatenating the document's fields, each padded to a fixed
 * width: strings with spaces up to the schema's `maxLength`, numbers with zeros. Index strings of
 * one index therefore have one length, and RxDB orders them with JavaScript's `<` (UTF-16 code
 * units). Stored as UTF-16 as they are, a FHIR entry's index strings took 1.3 KB per row, mostly
 * padding, once in the row and again in each SQLite index. That made every replica write touch
 * about ten times more pages than the data needs.
 *
 * The encoding here keeps the order of strings compared as if padded with spaces to any common
 * length, and writes each run of spaces as a fixed-size token:
 *
 * - A code unit above U+0020 that follows no space is written as its own UTF-8 bytes, so ASCII
 *   takes one byte. Each UTF-16 code unit is encoded on its own (surrogates too, as three bytes,
 *   the CESU-8 scheme), because UTF-8 of a whole surrogate pair would sort characters beyond
 *   U+FFFF after U+E000–U+FFFF, unlike JavaScript.
 * - A run of k ≥ 1 spaces followed by such a code unit x: byte 0x03, then 2^21 − 1 − k in three
 *   7-bit digits, then x. A longer run sorts first, because at the position where the shorter
 *   run ends, x (above the space) meets a space.
 * - A code unit x below U+0020, after k ≥ 0 spaces: byte 0x01, then k in three 7-bit digits, then
 *   x as one byte. A longer run sorts last, because at the position where the shorter run ends, x
 *   (below the space) meets a space.
 * - The end of the string, with any trailing spaces, is byte 0x02: endless spaces sort above
 *   every 0x01 token and below every character above the space.
 *
 * A padded field of 64 characters holding a 36-character id thus takes 41 bytes instead of 128.
 */

const LOWER_TOKEN = '\u0001';
const END_TOKEN = '\u0002';
const SPACE_RUN_TOKEN = '\u0003';

/** Space runs are counted in three 7-bit digits. */
const RUN_DIGITS = 3;
const MAX_RUN = 2 ** (7 * RUN_DIGITS) - 1;

/**
 * Matches the parts that become tokens: a control character with the spaces before it, a run of
 * spaces before any other character, and the trailing spaces.
 */
const TOKEN_PATTERN = / *([\x00-\x1f])| +([^\x00-\x20])| +$/g; // eslint-disable-line no-control-regex -- control characters are what this encoding orders
const SURROGATE_PATTERN = /[\ud800-\udfff]/;

function checkedRun(count: number): number {
  if (count > MAX_RUN) {
    throw new RangeError(`Invalid index string: a run of ${count} spaces exceeds the index encoding's maximum of ${MAX_RUN}. Lower the maxLength of the indexed field.`);
  }
  return count;
}

function runDigits(count: number): string {
  return String.fromCharCode((count >> 14) & 0x7f, (count >> 7) & 0x7f, count & 0x7f);
}

function replaceToken(match: string, lower: string | undefined, upper: string | undefined): string {
  if (lower !== undefined) return LOWER_TOKEN + runDigits(checkedRun(match.length - 1)) + lower;
  if (upper !== undefined) return SPACE_RUN_TOKEN + runDigits(MAX_RUN - checkedRun(match.length - upper.length)) + upper;
  return ''; // trailing spaces: the end token that follows stands for them
}

/** UTF-8 of each UTF-16 code unit on its own (CESU-8), so that byte order is code-unit order. */
function encodeCodeUnits(tokens: string): Buffer {
  const bytes = Buffer.allocUnsafe(tokens.length * 3);
  let length = 0;
  for (let position = 0; position < tokens.length; position += 1) {
    const unit = tokens.charCodeAt(position);
    if (unit < 0x80) {
      bytes[length++] = unit;
    } else if (unit < 0x800) {
      bytes[length++] = 0xc0 | (unit >> 6);
      bytes[length++] = 0x80 | (unit & 0x3f);
    } else {
      bytes[length++] = 0xe0 | (unit >> 12);
      bytes[length++] = 0x80 | ((unit >> 6) & 0x3f);
      bytes[length++] = 0x80 | (unit & 0x3f);
    }
  }
  return bytes.subarray(0, length);
}

/**
 * Encodes an RxDB index string (or a query bound of one) so that SQLite's BLOB comparison
 * (memcmp) orders the bytes as JavaScript orders the strings padded with spaces to one length.
 */
export function encodeIndexKey(value: string): Buffer {
  const tokens = value.replace(TOKEN_PATTERN, replaceToken) + END_TOKEN;
  // Without surrogates, Node's UTF-8 encoder writes the same bytes as encodeCodeUnits, faster.
  return SURROGATE_PATTERN.test(tokens) ? encodeCodeUnits(tokens) : Buffer.from(tokens, 'utf8');
}
