import { decodeEscapedBytes } from './charset.js';
import type { Encoding } from './charset.js';
import type { Delimiters } from './delimiters.js';
import { Hl7Error } from './errors.js';

/**
 * Decodes the escape sequences of one leaf value (HL7 v2 chapter 2, "Use of escape sequences in
 * text fields"), with the message's escape character written here as `\`:
 *
 * - `\F\ \S\ \T\ \R\ \E\` become the field, component, subcomponent, repetition and escape
 *   characters; `\P\` the truncation character (v2.7).
 * - `\Xhh..\` is hexadecimal data: bytes in the message's character set. Back-to-back sequences are
 *   joined before decoding, so a UTF-8 character split over two sequences comes out whole and
 *   `\X0D\\X0A\` gives CR LF inside the value. A NUL byte is dropped, because HL7 text never
 *   carries one and a sender that declares 8859/1 and writes `\X00E0\` means U+00E0. Hex data that
 *   is not valid in the character set is kept as written.
 * - `\.br\` becomes LF and `\.sp n\` n LFs (at most 100).
 * - Highlighting (`\H\ \N\`), other formatting commands, character set switches (`\Cxxxx\`,
 *   `\Mxxxxxx\`) and locally defined `\Z..\` sequences are kept as written.
 * - An escape character that starts no valid sequence, such as a lone trailing `\` or the `\` in
 *   `4\5`, is kept as a literal character and decoding resumes right after it.
 */
export function unescapeValue(text: string, delimiters: Delimiters, encoding: Encoding): string {
  const escape = delimiters.escape;
  if (escape === undefined) return text;
  const first = text.indexOf(escape);
  if (first < 0) return text;

  const output = new HexAwareOutput(encoding, text.slice(0, first));
  let position = first;
  while (position < text.length) {
    const open = text.indexOf(escape, position);
    if (open < 0) {
      output.appendText(text.slice(position));
      break;
    }
    if (open > position) output.appendText(text.slice(position, open));
    const close = text.indexOf(escape, open + 1);
    if (close < 0) {
      output.appendText(text.slice(open));
      break;
    }

    const name = text.slice(open + 1, close);
    if (isHexData(name)) {
      output.appendHex(name, text.slice(open, close + 1));
      position = close + 1;
      continue;
    }
    const replacement = replacementFor(name, delimiters, escape);
    if (replacement === undefined) {
      // Not an escape sequence: the escape character is data, and the next one may open a sequence.
      output.appendText(escape);
      position = open + 1;
      continue;
    }
    output.appendText(replacement);
    position = close + 1;
  }
  return output.finish();
}

/**
 * Encodes a value for a leaf position: delimiters become `\F\ \S\ \T\ \R\ \E\ \P\`, and CR and LF
 * become `\X0D\` and `\X0A\` so that they can never end a segment. Throws when the value needs an
 * escape but the message declares no escape character.
 */
export function escapeValue(value: string, delimiters: Delimiters): string {
  const special = specialCharacters(delimiters);
  let needsEscape = false;
  for (const character of value) {
    if (special.has(character)) {
      needsEscape = true;
      break;
    }
  }
  if (!needsEscape) return value;

  const escape = delimiters.escape;
  if (escape === undefined) {
    throw new Hl7Error(
      'unencodable-value',
      `A value contains a delimiter or line break, but MSH-2 '${delimiters.encodingCharacters}' declares no escape character to encode it`,
    );
  }
  let output = '';
  for (const character of value) {
    const name = special.get(character);
    output += name === undefined ? character : `${escape}${name}${escape}`;
  }
  return output;
}

function specialCharacters(delimiters: Delimiters): Map<string, string> {
  let map = specialCache.get(delimiters);
  if (map === undefined) {
    map = new Map<string, string>([
      ['\r', 'X0D'],
      ['\n', 'X0A'],
    ]);
    map.set(delimiters.field, 'F');
    map.set(delimiters.component, 'S');
    if (delimiters.subcomponent !== undefined) map.set(delimiters.subcomponent, 'T');
    if (delimiters.repetition !== undefined) map.set(delimiters.repetition, 'R');
    if (delimiters.truncation !== undefined) map.set(delimiters.truncation, 'P');
    if (delimiters.escape !== undefined) map.set(delimiters.escape, 'E');
    specialCache.set(delimiters, map);
  }
  return map;
}

const specialCache = new WeakMap<Delimiters, Map<string, string>>();

const MAX_SKIPPED_LINES = 100;

function replacementFor(name: string, delimiters: Delimiters, escape: string): string | undefined {
  switch (name) {
    case 'F':
      return delimiters.field;
    case 'S':
      return delimiters.component;
    case 'T':
      return delimiters.subcomponent ?? `${escape}T${escape}`;
    case 'R':
      return delimiters.repetition ?? `${escape}R${escape}`;
    case 'E':
      return escape;
    case 'P':
      return delimiters.truncation ?? `${escape}P${escape}`;
    case '.br':
      return '\n';
    case 'H':
    case 'N':
    case '.ce':
    case '.fi':
    case '.nf':
      return `${escape}${name}${escape}`;
  }
  const skip = /^\.sp\s*(\d*)$/.exec(name);
  if (skip) {
    const lines = skip[1] === '' ? 1 : Number(skip[1]);
    return lines <= MAX_SKIPPED_LINES ? '\n'.repeat(lines) : `${escape}${name}${escape}`;
  }
  if (/^\.(in|ti|sk)\s*[+-]?\d+$/.test(name) || /^C[0-9A-Fa-f]{4}$/.test(name) || /^M[0-9A-Fa-f]{4}([0-9A-Fa-f]{2})?$/.test(name) || /^Z[^\r\n]{0,64}$/.test(name)) {
    return `${escape}${name}${escape}`;
  }
  return undefined;
}

function isHexData(name: string): boolean {
  return name.length >= 3 && name.length % 2 === 1 && name.charCodeAt(0) === 0x58 && /^X[0-9A-Fa-f]+$/.test(name);
}

/** Collects decoded text, holding the bytes of adjacent hex sequences until something else follows. */
class HexAwareOutput {
  #text: string;
  #bytes: number[] = [];
  #hexSource = '';
  readonly #encoding: Encoding;

  constructor(encoding: Encoding, text: string) {
    this.#encoding = encoding;
    this.#text = text;
  }

  appendText(text: string): void {
    this.#flushHex();
    this.#text += text;
  }

  appendHex(name: string, source: string): void {
    for (let index = 1; index < name.length; index += 2) {
      this.#bytes.push(Number.parseInt(name.slice(index, index + 2), 16));
    }
    this.#hexSource += source;
  }

  finish(): string {
    this.#flushHex();
    return this.#text;
  }

  #flushHex(): void {
    if (this.#bytes.length === 0) return;
    const bytes = Uint8Array.from(this.#bytes.filter((byte) => byte !== 0));
    const decoded = decodeEscapedBytes(bytes, this.#encoding);
    this.#text += decoded ?? this.#hexSource;
    this.#bytes = [];
    this.#hexSource = '';
  }
}
