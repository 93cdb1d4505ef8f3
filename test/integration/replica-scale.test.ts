import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { EntryDocument } from '../../sync/protocol/documents.js';
import type { ReplicaDatabase } from '../../sync/replica/replica.js';
import { openReplica } from '../../sync/replica/replica.js';
import { makeTempDirectory } from '../support/replica.js';

const DOCUMENT_COUNT = 100_000;
const PATIENT_COUNT = 1_000;
const BATCH_SIZE = 5_000;
const PANEL = 'http://loinc.org|85353-1';

/** The n-th observation: 100 per patient, one an hour from 2026-01-01 on. */
function observation(n: number): EntryDocument {
  const patientId = `patient-${String(n % PATIENT_COUNT).padStart(4, '0')}`;
  const effective = new Date(Date.UTC(2026, 0, 1) + Math.floor(n / PATIENT_COUNT) * 3_600_000).toISOString();
  return {
    id: `Observation/obs-${n}`,
    resourceType: 'Observation',
    patientId,
    code: PANEL,
    effective,
    resource: { resourceType: 'Observation', id: `obs-${n}`, status: 'final', effectiveDateTime: effective },
  };
}

// Without RxDB's dev-mode checks, which would dominate the time of 100,000 writes.
describe('replica with 100,000 documents', () => {
  const directory = makeTempDirectory('scale');
  let replica: ReplicaDatabase;

  beforeAll(async () => {
    replica = await openReplica({ directory: directory.path, name: 'scale' });
    for (let start = 0; start < DOCUMENT_COUNT; start += BATCH_SIZE) {
      const batch = Array.from({ length: BATCH_SIZE }, (_, offset) => observation(start + offset));
      const result = await replica.entries.bulkInsert(batch);
      if (result.error.length > 0) throw new Error(`${result.error.length} inserts failed in the batch from ${start}`);
    }
  });

  afterAll(async () => {
    await replica?.close();
    directory.remove();
  });

  it('counts every document', async () => {
    expect(await replica.entries.count().exec()).toBe(DOCUMENT_COUNT);
  });

  it('answers a patient and time range from the index', async () => {
    const found = await replica.entries
      .find({
        selector: { patientId: 'patient-0042', code: PANEL, effective: { $gte: '2026-01-02T00:00:00.000Z', $lt: '2026-01-03T00:00:00.000Z' } },
        sort: [{ patientId: 'asc' }, { code: 'asc' }, { effective: 'asc' }],
      })
      .exec();

    expect(found).toHaveLength(24);
    expect(found[0]?.effective).toBe('2026-01-02T00:00:00.000Z');
    expect(found.every((document) => document.patientId === 'patient-0042')).toBe(true);
  });

  it('keeps every document after a restart', async () => {
    await replica.close();
    replica = await openReplica({ directory: directory.path, name: 'scale' });

    expect(await replica.entries.count().exec()).toBe(DOCUMENT_COUNT);
    expect((await replica.entries.findOne('Observation/obs-99999').exec())?.patientId).toBe('patient-0999');
  });
});
