import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { isWireSummary, wireSummary } from '../../../sync/protocol/wire.js';

/** Values around each rule of a summary: types, empty and long strings, missing fields. */
const field = fc.oneof(
  fc.constantFrom(undefined, null, true, false, 0, 1, '', 'P', 'Patient/p1', 'x'.repeat(100), 'x'.repeat(101), [], {}),
  fc.string({ maxLength: 110 }),
);
const summary = fc.oneof(
  fc.record({ id: field, resourceType: field, _deleted: field, patientId: field }, { requiredKeys: [] }),
  fc.constantFrom(null, [], 'Patient', 7),
);

describe('isWireSummary', () => {
  it('agrees with the wire schema', () => {
    fc.assert(
      fc.property(summary, (value) => {
        expect(isWireSummary(value)).toBe(wireSummary.safeParse(value).success);
      }),
      { numRuns: 5_000, seed: 3 },
    );
  });

  it('accepts a summary with extra fields', () => {
    expect(isWireSummary({ id: 'Observation/o1', resourceType: 'Observation', _deleted: false, patientId: 'p1', code: '85354-9' })).toBe(true);
  });
});
