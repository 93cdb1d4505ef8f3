/** A piece of a raw message as the core renders it: plain text, or a control character's name. */
export type RawPiece = { kind: 'text'; text: string } | { kind: 'control'; text: string };

/**
 * The names the core writes for control characters, such as `<STX>`, `<CR>` and `<0x1f>`. Only
 * these exact forms are matched, so a value such as `<0.5` stays text.
 */
const CONTROL_NAME = /<(?:STX|ETX|EOT|ENQ|ACK|VT|CR|LF|NAK|ETB|FS|0x[0-9a-f]{2})>/g;

/** Splits a raw message into text and control-character names, so the screen can set the names apart. */
export function splitRawMessage(raw: string): RawPiece[] {
  const pieces: RawPiece[] = [];
  let last = 0;
  for (const match of raw.matchAll(CONTROL_NAME)) {
    if (match.index > last) pieces.push({ kind: 'text', text: raw.slice(last, match.index) });
    pieces.push({ kind: 'control', text: match[0] });
    last = match.index + match[0].length;
  }
  if (last < raw.length) pieces.push({ kind: 'text', text: raw.slice(last) });
  return pieces;
}
