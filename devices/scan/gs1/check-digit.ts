/**
 * Computes the GS1 mod-10 check digit of GTINs, SSCCs, GLNs and the other GS1 keys: digits weighted
 * 3 and 1 alternately from the right, starting with 3 next to the check digit.
 */
export function gs1CheckDigit(digitsWithoutCheck: string): string {
  let sum = 0;
  for (let index = 0; index < digitsWithoutCheck.length; index += 1) {
    const digit = digitsWithoutCheck.charCodeAt(digitsWithoutCheck.length - 1 - index) - 48;
    sum += index % 2 === 0 ? digit * 3 : digit;
  }
  return String((10 - (sum % 10)) % 10);
}

/** Checks the last digit of `digits` against the others; returns the expected digit when it differs. */
export function verifyCheckDigit(digits: string): { ok: true } | { ok: false; expected: string; found: string } {
  const expected = gs1CheckDigit(digits.slice(0, -1));
  const found = digits.slice(-1);
  return expected === found ? { ok: true } : { ok: false, expected, found };
}
