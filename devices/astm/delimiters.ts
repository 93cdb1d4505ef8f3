/**
 * The four delimiters of LIS2-A2, declared by each message in its H record: the field delimiter
 * right after the H, then the repeat, component and escape delimiters (`H|\^&` by default).
 */
export interface AstmDelimiters {
  readonly field: string;
  readonly repeat: string;
  readonly component: string;
  readonly escape: string;
}

export const DEFAULT_DELIMITERS: AstmDelimiters = Object.freeze({ field: '|', repeat: '\\', component: '^', escape: '&' });

/** The delimiters an H record declares, or why it declares none that can be used. */
export type DelimiterDeclaration =
  | { readonly ok: true; readonly delimiters: AstmDelimiters; readonly definition: string; readonly repaired: boolean }
  | { readonly ok: false; readonly reason: string };

/**
 * Reads the delimiters from the start of an H record's text. A definition with doubled
 * characters, such as `\\^&` written by software that escaped the backslash twice, is read with
 * the doubles collapsed and flagged as `repaired`, since that is the only reading that gives three
 * distinct delimiters.
 */
export function readDelimiterDeclaration(headerText: string): DelimiterDeclaration {
  const field = headerText[1];
  if (field === undefined) return { ok: false, reason: 'the H record ends before its field delimiter' };

  const end = headerText.indexOf(field, 2);
  const definition = headerText.slice(2, end < 0 ? headerText.length : end);

  const declared = delimitersFrom(field, definition);
  if (declared) return { ok: true, delimiters: declared, definition, repaired: false };

  const collapsed = definition.replace(/(.)\1+/g, '$1');
  const repaired = collapsed !== definition ? delimitersFrom(field, collapsed) : undefined;
  if (repaired) return { ok: true, delimiters: repaired, definition, repaired: true };

  return {
    ok: false,
    reason: `the delimiter definition ${JSON.stringify(field + definition)} does not declare four distinct printable delimiters (field, repeat, component, escape) such as "|\\^&"`,
  };
}

/** Tells why `delimiters` cannot be used, or returns undefined when they can. */
export function delimiterProblem(delimiters: AstmDelimiters): string | undefined {
  const characters = [delimiters.field, delimiters.repeat, delimiters.component, delimiters.escape];
  if (!characters.every(isDelimiterCharacter)) {
    return 'each delimiter must be one printable character that is not a letter, digit or space';
  }
  if (new Set(characters).size !== 4) return 'the four delimiters must differ from each other';
  return undefined;
}

function delimitersFrom(field: string, definition: string): AstmDelimiters | undefined {
  if (definition.length !== 3) return undefined;

  const delimiters = { field, repeat: definition[0] as string, component: definition[1] as string, escape: definition[2] as string };
  return delimiterProblem(delimiters) === undefined ? delimiters : undefined;
}

function isDelimiterCharacter(character: string): boolean {
  return character.length === 1 && /^[\x21-\x7e]$/.test(character) && !/^[A-Za-z0-9]$/.test(character);
}
