/**
 * Logs of analyzer interfaces often write control characters as bracketed names (`[STX]`, `[CR]`,
 * `[VT]`), break lines wherever the logger likes and put the other side's replies on lines of their
 * own (` - [ACK]`). This module turns such a log back into the bytes the analyzer sent.
 */

/** ASCII names of the control characters 0x00 to 0x1F, in code order. */
const CONTROL_NAMES = [
  'NUL', 'SOH', 'STX', 'ETX', 'EOT', 'ENQ', 'ACK', 'BEL', 'BS', 'HT', 'LF', 'VT', 'FF', 'CR', 'SO', 'SI',
  'DLE', 'DC1', 'DC2', 'DC3', 'DC4', 'NAK', 'SYN', 'ETB', 'CAN', 'EM', 'SUB', 'ESC', 'FS', 'GS', 'RS', 'US',
] as const;

const TOKEN = new RegExp(`\\[(${CONTROL_NAMES.join('|')})\\]`, 'g');

/** The tokens that open a frame, a transfer or a block: one of them marks a file as an escaped log. */
const OPENING_TOKEN = /\[(STX|ENQ|VT)\]/;

/** A reply line of the other side, such as ` - [ACK]`. */
const REPLY_LINE = /^\s*-\s/;

export interface DecodedLog {
  readonly bytes: Buffer;
  /** Lines dropped as the other side's replies. */
  readonly replyLines: number;
}

/** Whether the file writes control characters as bracketed names. */
export function isEscapedLog(bytes: Uint8Array): boolean {
  return OPENING_TOKEN.test(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'));
}

/**
 * Decodes an escaped log: drops the reply lines (those starting with `-` and a space) and the
 * logger's own line breaks (real CR and LF bytes), then replaces each bracketed name by its byte.
 * Other bytes pass through unchanged, so UTF-8 text survives.
 */
export function decodeEscapedLog(bytes: Uint8Array): DecodedLog {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const lines = text.split(/\r\n|\r|\n/);
  const kept = lines.filter((line) => !REPLY_LINE.test(line));

  const decoded = kept.join('').replace(TOKEN, (_token, name: string) => String.fromCharCode(CONTROL_NAMES.indexOf(name as (typeof CONTROL_NAMES)[number])));
  return { bytes: Buffer.from(decoded, 'latin1'), replyLines: lines.length - kept.length };
}
