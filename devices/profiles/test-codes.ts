import type { AnalyzerProfile, TestMapping } from './schema.js';

/**
 * Builds the key that `tests` is indexed by from the components of a test id field (ASTM R-3 or
 * O-5, HL7 OBX-3), already split on the message's component delimiter. The components at the
 * profile's `testCodeComponents` positions are trimmed and joined with "^", and trailing empty
 * components are dropped, so that "^^^WBC" with positions [4] gives "WBC" and "^MTB-RIF^^Xpert^^^MTB^"
 * with positions [4, 7, 8] gives "Xpert^MTB".
 */
export function testCodeKey(components: readonly string[], positions: readonly number[]): string {
  const parts = positions.map((position) => (components[position - 1] ?? '').trim());
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.join('^');
}

export type TestCodeMatch =
  | { kind: 'mapped'; key: string; mapping: TestMapping }
  | { kind: 'ignored'; key: string; reason: string }
  | { kind: 'unmapped'; key: string };

/**
 * Looks a test code key up in a profile: a mapped code, a code the profile deliberately ignores
 * (with the reason), or an unmapped one, which the caller must not store as a coded result.
 */
export function matchTestCode(profile: Pick<AnalyzerProfile, 'tests' | 'ignoredTestCodes'>, key: string): TestCodeMatch {
  const mapping = Object.hasOwn(profile.tests, key) ? profile.tests[key] : undefined;
  if (mapping) return { kind: 'mapped', key, mapping };

  for (const ignored of profile.ignoredTestCodes) {
    if (new RegExp(`^(?:${ignored.pattern})$`, 'u').test(key)) return { kind: 'ignored', key, reason: ignored.reason };
  }
  return { kind: 'unmapped', key };
}
