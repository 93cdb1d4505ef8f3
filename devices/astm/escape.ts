import type { AstmDelimiters } from './delimiters.js';

/** An escape sequence that could not be decoded and was kept as received. */
export interface EscapeProblem {
  /** Position of the escape character within the component text. */
  readonly index: number;
  readonly sequence: string;
}

/**
 * Decodes the LIS2-A2 escape sequences in one component's text, written here with `&` as the
 * escape delimiter: `&F&` field, `&S&` component, `&R&` repeat and `&E&` escape delimiter. Other
 * sequences (such as `&Xhh&` or `&Z..&`, which LIS2-A2 leaves to the sender) and an escape
 * character without its closing one are kept literally and passed to `onProblem`.
 */
export function unescapeComponent(text: string, delimiters: AstmDelimiters, onProblem?: (problem: EscapeProblem) => void): string {
  const escape = delimiters.escape;
  if (!text.includes(escape)) return text;

  let result = '';
  let position = 0;
  while (position < text.length) {
    const start = text.indexOf(escape, position);
    if (start < 0) break;

    const close = text.indexOf(escape, start + 1);
    if (close < 0) {
      onProblem?.({ index: start, sequence: text.slice(start) });
      break;
    }

    result += text.slice(position, start);
    const code = text.slice(start + 1, close);
    const replacement = decodeEscape(code, delimiters);
    if (replacement === undefined) onProblem?.({ index: start, sequence: text.slice(start, close + 1) });
    result += replacement ?? text.slice(start, close + 1);
    position = close + 1;
  }
  return result + text.slice(position);
}

/** Encodes the four delimiters in `text` as escape sequences, so the text reads back unchanged. */
export function escapeComponent(text: string, delimiters: AstmDelimiters): string {
  const { field, repeat, component, escape } = delimiters;
  if (![field, repeat, component, escape].some((delimiter) => text.includes(delimiter))) return text;

  let result = '';
  for (const character of text) {
    if (character === escape) result += `${escape}E${escape}`;
    else if (character === field) result += `${escape}F${escape}`;
    else if (character === component) result += `${escape}S${escape}`;
    else if (character === repeat) result += `${escape}R${escape}`;
    else result += character;
  }
  return result;
}

function decodeEscape(code: string, delimiters: AstmDelimiters): string | undefined {
  switch (code) {
    case 'F':
      return delimiters.field;
    case 'S':
      return delimiters.component;
    case 'R':
      return delimiters.repeat;
    case 'E':
      return delimiters.escape;
    default:
      return undefined;
  }
}
