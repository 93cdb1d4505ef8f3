import fc from 'fast-check';
import type { RxDocumentData } from 'rxdb';
import { describe, expect, it } from 'vitest';

import { buildIndexColumns } from '../../../sync/replica/sqlite/index-columns.js';
import { encodeIndexKey } from '../../../sync/replica/sqlite/index-key-encoding.js';
import type { TestDocument } from './differential-schemas.js';
import { DIFFERENTIAL_SUBJECTS } from './differential-schemas.js';

describe('index column encode', () => {
  it.each(DIFFERENTIAL_SUBJECTS.map((subject) => [subject.name, subject] as const))('matches the encoded RxDB index string on %s', (_name, subject) => {
    const columns = buildIndexColumns(subject.schema);
    const document = fc.record({
      id: subject.id,
      body: subject.body,
      deleted: fc.boolean(),
      lwt: fc.oneof(fc.constant(1), fc.double({ min: 1, max: 2e12, noNaN: true })),
    });
    fc.assert(
      fc.property(document, ({ id, body, deleted, lwt }) => {
        const stored = { ...body, id, _deleted: deleted, _attachments: {}, _rev: '1-a', _meta: { lwt } } as RxDocumentData<TestDocument>;
        for (const column of columns) {
          expect(column.encode(stored).equals(encodeIndexKey(column.toIndexableString(stored))), column.key).toBe(true);
        }
      }),
      { numRuns: 3_000, seed: 11 },
    );
  });

  it('writes a missing string field as empty padding', () => {
    const [subject] = DIFFERENTIAL_SUBJECTS;
    if (!subject) throw new Error('expected a subject');
    const stored = { id: 'Observation/o1', _deleted: false, _attachments: {}, _rev: '1-a', _meta: { lwt: 5 } } as unknown as RxDocumentData<TestDocument>;

    for (const column of buildIndexColumns(subject.schema)) {
      expect(column.encode(stored).equals(encodeIndexKey(column.toIndexableString(stored))), column.key).toBe(true);
    }
  });
});
