/**
 * The delimiters a message declares in MSH-1 and MSH-2. MSH-2 lists, by position, the component
 * separator, the repetition separator, the escape character, the subcomponent separator and, from
 * HL7 v2.7 on, the truncation character. Trailing characters may be left out; a left-out delimiter
 * is `undefined` and its structure level does not exist in the message. So MSH-2 = `^~&` (three
 * characters) makes `&` the escape character and leaves no subcomponent separator, which is how the
 * positions are defined; such a message cannot split subcomponents.
 */
export interface Delimiters {
  readonly field: string;
  readonly component: string;
  readonly repetition: string | undefined;
  readonly escape: string | undefined;
  readonly subcomponent: string | undefined;
  readonly truncation: string | undefined;
  /** MSH-2 exactly as received, so an ACK can echo it unchanged. */
  readonly encodingCharacters: string;
}

export const DEFAULT_DELIMITERS: Delimiters = {
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
  truncation: undefined,
  encodingCharacters: '^~\\&',
};

/** Creates delimiters from MSH-1 and MSH-2, or returns the reason they cannot be used. */
export function delimitersFrom(field: string, encodingCharacters: string): Delimiters | string {
  if (!isDelimiterCharacter(field)) {
    return `MSH-1 (the field separator, ${describeCharacter(field)}) must be one printable character that is neither a letter nor a digit`;
  }
  if (encodingCharacters.length === 0 || encodingCharacters.length > 5) {
    return `MSH-2 has ${encodingCharacters.length} encoding characters; it needs 1 to 5 (component, repetition, escape, subcomponent, truncation)`;
  }
  const seen = new Set<string>([field]);
  for (const character of encodingCharacters) {
    if (!isDelimiterCharacter(character)) {
      return `MSH-2 contains ${describeCharacter(character)}; encoding characters must be printable and neither letters nor digits`;
    }
    if (seen.has(character)) {
      return `MSH-2 uses ${describeCharacter(character)} twice (or also as the field separator); each delimiter must be distinct`;
    }
    seen.add(character);
  }
  const [component, repetition, escape, subcomponent, truncation] = [...encodingCharacters];
  return {
    field,
    component: component ?? '^',
    repetition,
    escape,
    subcomponent,
    truncation,
    encodingCharacters,
  };
}

function isDelimiterCharacter(character: string): boolean {
  if (character.length !== 1) return false;
  const code = character.charCodeAt(0);
  if (code < 0x21 || code > 0x7e) return false;
  return !/[A-Za-z0-9]/.test(character);
}

function describeCharacter(character: string): string {
  if (character.length !== 1) return `'${character}'`;
  const code = character.charCodeAt(0);
  return code >= 0x21 && code <= 0x7e ? `'${character}'` : `byte 0x${code.toString(16).padStart(2, '0')}`;
}
