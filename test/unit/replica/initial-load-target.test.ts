import { join } from 'node:path';

import type { RxDocumentData, RxJsonSchema, RxStorageReplicationMeta } from 'rxdb';
import { fillWithDefaultSettings, getRxReplicationMetaInstanceSchema } from 'rxdb';
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { EntryDocument } from '../../../sync/protocol/documents.js';
import { entriesSchema } from '../../../sync/replica/schemas.js';
import { acquireConnection, releaseConnection } from '../../../sync/replica/sqlite/connection-pool.js';
import { InitialLoadTarget } from '../../../sync/replica/sqlite/initial-load-target.js';
import type { SqliteStorageInstance } from '../../../sync/replica/sqlite/sqlite-instance.js';
import { getRxStorageSQLite } from '../../../sync/replica/sqlite/sqlite-storage.js';
import { makeTempDirectory } from '../../support/replica.js';

const schema = fillWithDefaultSettings(entriesSchema) as RxJsonSchema<RxDocumentData<EntryDocument>>;
const metaSchema = getRxReplicationMetaInstanceSchema(schema, false) as RxJsonSchema<RxDocumentData<RxStorageReplicationMeta<EntryDocument, unknown>>>;
const LOADED_REVISION = '1-loadhash';
const LOADED_LWT = 1_700_000_000_000;
const progress = { checkpoint: { txid: '10', id: 'x' }, lwt: LOADED_LWT, lastId: '', stored: 0, done: false, revision: LOADED_REVISION };

function entry(id: string, overrides: Partial<RxDocumentData<EntryDocument>> = {}): RxDocumentData<EntryDocument> {
  return {
    id: `Observation/${id}`,
    resourceType: 'Observation',
    patientId: 'Patient/p1',
    code: 'http://loinc.org|85353-1',
    effective: '2026-12-01T08:00:00.000Z',
    resource: { resourceType: 'Observation', id },
    _deleted: false,
    _attachments: {},
    _rev: LOADED_REVISION,
    _meta: { lwt: LOADED_LWT, o: { _rev: 1, hash: 'loadhash' } },
    ...overrides,
  } as RxDocumentData<EntryDocument>;
}

const ours = (stored: RxDocumentData<EntryDocument>) => stored._rev === LOADED_REVISION && stored._meta.lwt === LOADED_LWT;

describe('initial load target', () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  const storage = () => getRxStorageSQLite({ directory: directory.path });
  const params = (collectionName: string, instanceSchema: RxJsonSchema<RxDocumentData<unknown>>) => ({
    databaseInstanceToken: 'token',
    databaseName: 'load-test',
    collectionName,
    schema: instanceSchema,
    options: {},
    multiInstance: false,
    devMode: false,
  });
  let collection: SqliteStorageInstance<EntryDocument>;
  let target: InitialLoadTarget<EntryDocument, unknown>;

  beforeEach(async () => {
    directory = makeTempDirectory('initial-load');
    collection = (await storage().createStorageInstance<EntryDocument>(params('entries', schema as never) as never)) as SqliteStorageInstance<EntryDocument>;
    const opened = await InitialLoadTarget.open<EntryDocument, unknown>({
      storage: storage() as never,
      databaseName: 'load-test',
      databaseToken: 'token',
      collectionName: 'entries',
      schema,
      meta: { collectionName: 'rx-replication-meta-test', schema: metaSchema as never },
      replication: 'hms-sync-entries-test',
    });
    if (!opened) throw new Error('the SQLite storage should open an initial load target');
    target = opened;
  });

  afterEach(async () => {
    await target.close();
    await collection.close();
    directory.remove();
  });

  it('keeps a document written before the load and replaces its own copies', async () => {
    const local = entry('local', { _rev: '1-workstation', _meta: { lwt: LOADED_LWT + 5 } });
    await collection.bulkWrite([{ document: local }], 'test');
    const events = firstValueFrom(collection.changeStream().pipe(take(2), toArray()));

    const first = await target.write([entry('a'), entry('local')], ours, { ...progress, stored: 2 });
    expect(first.kept).toBe(1);
    const changed = entry('a', { resource: { resourceType: 'Observation', id: 'a', status: 'amended' } as never });
    await target.write([changed], ours, { ...progress, stored: 3, done: true });

    const stored = await collection.findDocumentsById(['Observation/a', 'Observation/local'], true);
    expect(stored.find((document) => document.id === 'Observation/local')?._rev).toBe('1-workstation');
    expect((stored.find((document) => document.id === 'Observation/a')?.resource as { status?: string }).status).toBe('amended');
    expect((await events).map((bulk) => bulk.events.map((event) => `${event.operation} ${event.documentId}`))).toEqual([['INSERT Observation/a'], ['UPDATE Observation/a']]);
    expect(target.readProgress()).toMatchObject({ stored: 3, done: true, forkTable: 'entries-v0', metaCollection: 'rx-replication-meta-test' });
  });

  it('writes the master state on the first local edit', async () => {
    await target.write([entry('a'), entry('b')], ours, progress);
    const [loaded] = await collection.findDocumentsById(['Observation/a'], true);
    if (!loaded) throw new Error('the loaded document should be stored');
    const edited = { ...loaded, effective: '2026-12-02T08:00:00.000Z', _rev: '2-workstation', _meta: { ...loaded._meta, lwt: LOADED_LWT + 10 } };
    const result = await collection.bulkWrite([{ previous: loaded, document: edited }], 'rx-document-save-data');
    expect(result.error).toEqual([]);

    const meta = (await storage().createStorageInstance(params('rx-replication-meta-test', metaSchema as never) as never)) as SqliteStorageInstance<RxStorageReplicationMeta<EntryDocument, unknown>>;
    try {
      const rows = await meta.findDocumentsById(['Observation/a|0', 'Observation/b|0'], true);
      expect(rows.map((row) => row.itemId)).toEqual(['Observation/a']);
      // The version as loaded, without the replica's own fields, as RxDB keeps a master state.
      const { _attachments, _rev, _meta, ...master } = entry('a');
      expect(rows[0]?.docData).toEqual(master);
    } finally {
      await meta.close();
    }
    // Closing the collection closes the meta instance it opened, which releases only its own
    // reference to the shared connection: another holder can still use it.
    await target.close();
    const file = join(directory.path, 'load-test.sqlite');
    const holder = acquireConnection(file);
    try {
      await collection.close();
      expect(holder.prepare('SELECT 1').pluck().get()).toBe(1);
    } finally {
      releaseConnection(file);
    }
  });

  it('reads changes after a checkpoint inside one write time', async () => {
    await target.write(['a', 'b', 'c', 'd'].map((id) => entry(id)), ours, progress);
    const after = await collection.getChangedDocumentsSince(10, { id: 'Observation/b', lwt: LOADED_LWT });
    expect(after.documents.map((document) => document.id)).toEqual(['Observation/c', 'Observation/d']);
    expect(after.checkpoint).toEqual({ id: 'Observation/d', lwt: LOADED_LWT });
  });

  it('keeps the rollback journal until the last load ends', () => {
    const journal = () => collection.database.pragma('journal_mode', { simple: true });
    target.useRollbackJournal();
    target.useRollbackJournal();
    expect(journal()).toBe('truncate');
    target.useWriteAheadLog();
    expect(journal()).toBe('truncate');
    target.useWriteAheadLog();
    expect(journal()).toBe('wal');
  });
});
