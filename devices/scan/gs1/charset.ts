/**
 * GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1): the digits, upper-
 * and lower-case letters and 20 punctuation characters that alphanumeric values may contain.
 * Space, `#`, `$`, `@`, `[`, `\`, `]`, `^`, backquote, braces, `|`, `~` and all control characters are outside it.
 */
const CSET_82 = new Set(`!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`);

export function isCset82(character: string): boolean {
  return CSET_82.has(character);
}

export function isDigit(character: string): boolean {
  return character >= '0' && character <= '9' && character.length === 1;
}

/** Index of the first character of `text` that `allowed` rejects, or -1. */
export function firstInvalidCharacter(text: string, allowed: (character: string) => boolean): number {
  for (let index = 0; index < text.length; index += 1) {
    if (!allowed(text[index] as string)) return index;
  }
  return -1;
}

/** Shows a character in a message so that control characters and spaces stay visible. */
export function describeCharacter(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return `control character 0x${code.toString(16).padStart(2, '0').toUpperCase()}`;
  if (character === ' ') return 'a space';
  return `'${character}'`;
}
