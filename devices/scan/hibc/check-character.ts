/**
 * The HIBC modulo 43 check character (the Code 39 one): each character's value from this table,
 * summed over everything before the check character including the leading `+`, modulo 43.
 */
export const HIBC_CHARACTERS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%';

export function isHibcCharacter(character: string): boolean {
  return character.length === 1 && HIBC_CHARACTERS.includes(character);
}

export function hibcCheckCharacter(data: string): string {
  let sum = 0;
  for (const character of data) sum += HIBC_CHARACTERS.indexOf(character);
  return HIBC_CHARACTERS[sum % 43] as string;
}
