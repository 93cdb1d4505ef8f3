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

const LOWER_TOKEN = 0x01;
const END_TOKEN = 0x02;
const SPACE_RUN_TOKEN = 0x03;
const SPACE = 0x20;

/** Space runs are counted in three 7-bit digits. */
const RUN_DIGITS = 3;
const MAX_RUN = 2 ** (7 * RUN_DIGITS) - 1;

/**
 * Bytes of the key being written. One buffer serves every call, because a key is copied out at the
 * end and the storage encodes keys one at a time.
 */
let scratch = Buffer.allocUnsafe(1024);
/** Bytes of the key written so far. */
let written = 0;
/** Spaces read but not yet written: a run is written as one token once the next code unit comes. */
let pendingSpaces = 0;

function checkedRun(count: number): number {
  if (count > MAX_RUN) {
    throw new RangeError(`Invalid index string: a run of ${count} spaces exceeds the index encoding's maximum of ${MAX_RUN}. Lower the maxLength of the indexed field.`);
  }
  return count;
}

function writeRun(bytes: Buffer, position: number, count: number): number {
  bytes[position] = (count >> 14) & 0x7f;
  bytes[position + 1] = (count >> 7) & 0x7f;
  bytes[position + 2] = count & 0x7f;
  return position + RUN_DIGITS;
}

/** Starts a key. */
function beginKey(): void {
  written = 0;
  pendingSpaces = 0;
}

/**
 * Appends the code units of `value` to the key. One pass over the code units: a regular
 * expression and a second pass cost about four times as much on the benchmark's keys, which carry
 * padding and emoji.
 */
function writeUnits(value: string): void {
  // At most five bytes a code unit (a control character's token), plus a run token for spaces
  // pending before this value and the end token.
  const capacity = written + value.length * 5 + RUN_DIGITS + 2;
  if (scratch.length < capacity) {
    const larger = Buffer.allocUnsafe(Math.max(capacity, scratch.length * 2));
    scratch.copy(larger, 0, 0, written);
    scratch = larger;
  }
  const bytes = scratch;
  let length = written;
  let spaces = pendingSpaces;
  for (let position = 0; position < value.length; position += 1) {
    const unit = value.charCodeAt(position);
    if (unit === SPACE) {
      spaces += 1;
      continue;
    }
    if (unit < SPACE) {
      bytes[length] = LOWER_TOKEN;
      length = writeRun(bytes, length + 1, checkedRun(spaces));
      bytes[length++] = unit;
      spaces = 0;
      continue;
    }
    if (spaces > 0) {
      bytes[length] = SPACE_RUN_TOKEN;
      length = writeRun(bytes, length + 1, MAX_RUN - checkedRun(spaces));
      spaces = 0;
    }
    // UTF-8 of the code unit on its own (CESU-8): surrogates too, so byte order is code-unit order.
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
  written = length;
  pendingSpaces = spaces;
}

/** Ends the key and returns a copy of its bytes. Trailing spaces need no token: the end token stands for endless spaces. */
function endKey(): Buffer {
  scratch[written++] = END_TOKEN;
  const key = Buffer.allocUnsafe(written);
  scratch.copy(key, 0, 0, written);
  return key;
}

/**
 * Encodes an RxDB index string (or a query bound of one) so that SQLite's BLOB comparison
 * (memcmp) orders the bytes as JavaScript orders the strings padded with spaces to one length.
 */
export function encodeIndexKey(value: string): Buffer {
  beginKey();
  writeUnits(value);
  return endKey();
}

/**
 * Writes one key from parts, for index strings that RxDB concatenates from padded fields:
 * `begin`, then `write` for each field's value and the spaces that pad it, then `end`. The key is
 * the one encodeIndexKey gives for the whole string, but the padding is counted, never built: a
 * field of 64 characters holding a 36-character id writes no 28 spaces. One key at a time, since
 * the keys share one buffer.
 */
export const indexKeyWriter = {
  begin: beginKey,
  write(value: string, padding: number): void {
    writeUnits(value);
    pendingSpaces += padding;
  },
  end: endKey,
};
