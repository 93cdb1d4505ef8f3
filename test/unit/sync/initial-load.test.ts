import { pino } from 'pino';
import type { RxStorageReplicationMeta } from 'rxdb';
import { getChangedDocumentsSince, getRxReplicationMetaInstanceSchema } from 'rxdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { InitialLoadPage } from '../../../sync/client/initial-load.js';
import { runInitialLoad } from '../../../sync/client/initial-load.js';
import type { Checkpoint, WireDocument } from '../../../sync/protocol/wire.js';
import type { ReplicaDatabase } from '../../../sync/replica/replica.js';
import { makeTempDirectory, openTestReplica } from '../../support/replica.js';

const META_COLLECTION = 'rx-replication-meta-test';

function observation(number: number): WireDocument {
  const id = `obs-${String(number).padStart(3, '0')}`;
  return {
    id: `Observation/${id}`,
    resourceType: 'Observation',
    patientId: 'Patient/p1',
    code: 'http://loinc.org|85353-1',
    effective: '2026-12-01T08:00:00.000Z',
    resource: { resourceType: 'Observation', id },
    _deleted: false,
  } as WireDocument;
}

/** Builds a server feed of `count` Observations in pages of `pageSize`, which fails from page `failAt` on. */
function feed(count: number, pageSize: number, failAt = Infinity) {
  const requested: (Checkpoint | undefined)[] = [];
  const fetchPage = async (checkpoint: Checkpoint | undefined): Promise<InitialLoadPage> => {
    requested.push(checkpoint);
    const start = checkpoint ? Number(checkpoint.txid) : 0;
    if (start / pageSize >= failAt) throw new Error('disk I/O error');
    const documents = Array.from({ length: Math.min(pageSize, count - start) }, (_, offset) => observation(start + offset));
    return { documents, checkpoint: documents.length > 0 ? { txid: String(start + documents.length), id: documents.at(-1)?.id ?? '' } : null };
  };
  return { fetchPage, requested };
}

describe('initial load', () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let replica: ReplicaDatabase;
  const options = (fetchPage: (checkpoint: Checkpoint | undefined) => Promise<InitialLoadPage>) => ({
    replica,
    collection: 'entries' as const,
    replicationIdentifier: 'hms-sync-entries-test',
    meta: Promise.resolve({ collectionName: META_COLLECTION, schema: getRxReplicationMetaInstanceSchema(replica.entries.schema.jsonSchema, false) }),
    pageSize: 4,
    fetchPage,
    modifier: (documents: WireDocument[]) => documents,
    stopped: () => false,
    logger: pino({ level: 'silent' }),
  });

  beforeEach(async () => {
    directory = makeTempDirectory('initial-load-client');
    replica = await openTestReplica(directory.path);
  });

  afterEach(async () => {
    await replica.close();
    directory.remove();
  });

  /** RxDB's stored checkpoints of the replication, by direction. */
  async function storedCheckpoints(): Promise<Record<string, unknown>> {
    const meta = await replica.storage.createStorageInstance<RxStorageReplicationMeta<WireDocument, unknown>>({
      databaseName: replica.name,
      collectionName: META_COLLECTION,
      databaseInstanceToken: replica.token,
      multiInstance: false,
      options: {},
      schema: getRxReplicationMetaInstanceSchema(replica.entries.schema.jsonSchema, false) as never,
      devMode: false,
    });
    try {
      const rows = await meta.findDocumentsById(['down|1', 'up|1'], false);
      return Object.fromEntries(rows.map((row) => [row.itemId, row.checkpointData]));
    } finally {
      await meta.close();
    }
  }

  it('starts the upstream after the documents of a failed load', async () => {
    const failing = feed(10, 4, 2);
    await expect(runInitialLoad(options(failing.fetchPage))).rejects.toThrow('disk I/O error');
    expect(await replica.entries.count().exec()).toBe(8);
    const checkpoints = await storedCheckpoints();
    expect(checkpoints.down).toBeUndefined();
    expect(checkpoints.up).toMatchObject({ id: 'Observation/obs-007' });
    const { documents } = await getChangedDocumentsSince(replica.entries.storageInstance, 10, checkpoints.up as never);
    expect(documents).toEqual([]);
  });

  it('resumes after the last stored page and hands over', async () => {
    await runInitialLoad(options(feed(10, 4, 2).fetchPage)).catch(() => undefined);
    const working = feed(10, 4);
    await runInitialLoad(options(working.fetchPage));
    expect(working.requested[0]).toEqual({ txid: '8', id: 'Observation/obs-007' });
    expect(await replica.entries.count().exec()).toBe(10);
    const checkpoints = await storedCheckpoints();
    expect(checkpoints.down).toEqual({ txid: '10', id: 'Observation/obs-009' });
    expect(checkpoints.up).toMatchObject({ id: 'Observation/obs-009' });

    // RxDB's checkpoint now exists, so a later start loads nothing.
    const later = feed(10, 4);
    await runInitialLoad(options(later.fetchPage));
    expect(later.requested).toEqual([]);
  });
});
