import { join } from 'node:path';

import { pino } from 'pino';
import type { RxStorageReplicationMeta } from 'rxdb';
import { getChangedDocumentsSince, getRxReplicationMetaInstanceSchema } from 'rxdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { InitialLoadPage } from '../../../sync/client/initial-load.js';
import { runInitialLoad } from '../../../sync/client/initial-load.js';
import type { Checkpoint, WireDocument } from '../../../sync/protocol/wire.js';
import type { ReplicaDatabase } from '../../../sync/replica/replica.js';
import { acquireConnection, releaseConnection } from '../../../sync/replica/sqlite/connection-pool.js';
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

  it('stores the server\'s document text', async () => {
    // PostgreSQL writes jsonb with a space after each colon and comma; JSON.stringify would not.
    const text = (document: WireDocument) => JSON.stringify(document, null, 1).replace(/\n\s*/g, ' ');
    const replaced = observation(1);
    const fetchPage = async (checkpoint: Checkpoint | undefined): Promise<InitialLoadPage> => {
      if (checkpoint) return { documents: [], checkpoint };
      const documents = [observation(0), observation(1)];
      return { documents, texts: documents.map(text), checkpoint: { txid: '2', id: 'Observation/obs-001' } };
    };
    // A modifier that returns another object: its document no longer matches the text.
    const modifier = (documents: WireDocument[]) => documents.map((document) => (document.id === replaced.id ? { ...document, code: 'replaced' } : document));
    await runInitialLoad({ ...options(fetchPage), modifier });

    const database = acquireConnection(join(directory.path, 'hms-replica.sqlite'));
    try {
      const table = database.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'entries%' AND name NOT LIKE '%\\_\\_%' ESCAPE '\\'").pluck().get() as string;
      const stored = database.prepare(`SELECT data FROM "${table}" WHERE id = ?`).pluck();
      const first = stored.get('Observation/obs-000') as string;
      expect(first.startsWith(text(observation(0)).slice(0, -1))).toBe(true);
      expect(JSON.parse(first)).toMatchObject({ ...observation(0), _attachments: {}, _rev: expect.stringMatching(/^1-/), _meta: { lwt: expect.any(Number) } });
      expect(JSON.parse(stored.get(replaced.id) as string)).toMatchObject({ code: 'replaced' });
    } finally {
      releaseConnection(join(directory.path, 'hms-replica.sqlite'));
    }
    const loaded = await replica.entries.findOne('Observation/obs-000').exec();
    const { _deleted: deleted, ...fields } = observation(0);
    expect(deleted).toBe(false);
    expect(loaded?.toJSON()).toMatchObject(fields);
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
