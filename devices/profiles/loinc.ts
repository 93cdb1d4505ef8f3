/**
 * LOINC codes: a number of up to seven digits, a hyphen and a mod-10 (Luhn) check digit of the
 * number. The check digit catches most typing errors, such as "789-9" for "789-8"; the unit tests
 * confirm the algorithm against well-known codes.
 */
const LOINC_PATTERN = /^(\d{1,7})-(\d)$/;

/** Computes the mod-10 check digit of a LOINC number (the part before the hyphen). */
export function loincCheckDigit(number: string): number {
  let sum = 0;
  for (let position = 0; position < number.length; position += 1) {
    let digit = Number(number[number.length - 1 - position]);
    // Digits in odd positions from the right are doubled, and a two-digit product adds its digits.
    if (position % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** Returns why `code` is not a well-formed LOINC code, or undefined when it is one. */
export function loincCodeProblem(code: string): string | undefined {
  const match = LOINC_PATTERN.exec(code);
  if (!match) return `"${code}" is not a LOINC code: expected digits, a hyphen and a check digit, such as "718-7"`;

  const expected = loincCheckDigit(match[1] as string);
  if (Number(match[2]) !== expected) {
    return `"${code}" has a wrong check digit: ${match[1]}-${expected} would be valid, but look the code up again rather than trust the digit`;
  }
  return undefined;
}
