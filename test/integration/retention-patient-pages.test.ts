import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readPatientIdPages } from '../../main/core/services/retention-service.js';
import type { FhirResource } from '../../sync/protocol/documents.js';
import { toRecordDocument } from '../../sync/protocol/documents.js';
import type { ReplicaDatabase } from '../../sync/replica/replica.js';
import { makeTempDirectory, openTestReplica } from '../support/replica.js';

const NO_WARDS = { wardOfLocation: () => undefined };

function patient(id: string): FhirResource {
  return { resourceType: 'Patient', id, name: [{ use: 'official', family: `Family ${id}` }] };
}

function encounter(id: string, patientId: string): FhirResource {
  return { resourceType: 'Encounter', id, status: 'in-progress', subject: { reference: `Patient/${patientId}` } };
}

async function readAll(replica: ReplicaDatabase, pageSize: number): Promise<string[][]> {
  const pages: string[][] = [];
  for await (const page of readPatientIdPages(replica, pageSize)) pages.push(page);
  return pages;
}

/** Retention reads the replica's Patients page by page from the storage, without RxDB's query cache. */
describe('retention patient pages', () => {
  const directory = makeTempDirectory('retention-pages');
  let replica: ReplicaDatabase;
  const livePatients = ['p-01', 'p-02', 'p-03', 'p-04', 'p-05', 'p-06', 'p-07'];

  beforeAll(async () => {
    replica = await openTestReplica(directory.path);
    const documents = [...livePatients, 'p-gone'].reverse().map((id) => toRecordDocument(patient(id), NO_WARDS));
    documents.push(toRecordDocument(encounter('e-01', 'p-01'), NO_WARDS), toRecordDocument(encounter('e-08', 'p-08'), NO_WARDS));
    await replica.records.bulkInsert(documents);
    await replica.records.bulkRemove(['Patient/p-gone']);
  });

  afterAll(async () => {
    await replica?.close();
    directory.remove();
  });

  it('returns each live Patient once', async () => {
    const pages = await readAll(replica, 3);

    expect(pages).toEqual([
      ['p-01', 'p-02', 'p-03'],
      ['p-04', 'p-05', 'p-06'],
      ['p-07'],
    ]);
  });

  it('ends after a full last page', async () => {
    const pages = await readAll(replica, 7);

    expect(pages).toEqual([livePatients]);
  });

  it('leaves no query in the cache', async () => {
    const cachedBefore = replica.records._queryCache._map.size;

    await readAll(replica, 2);

    expect(replica.records._queryCache._map.size).toBe(cachedBefore);
  });
});
