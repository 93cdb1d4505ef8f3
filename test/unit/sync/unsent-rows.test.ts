import { join } from 'node:path';

import type { RxDocumentData, RxStorageReplicationMeta } from 'rxdb';
import { getRxReplicationMetaInstanceSchema } from 'rxdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { Outbox } from '../../../sync/client/outbox.js';
import { dropRowsWithNothingToSend } from '../../../sync/client/unsent-rows.js';
import type { RecordDocument } from '../../../sync/protocol/documents.js';
import type { WireDocument } from '../../../sync/protocol/wire.js';
import type { ReplicaDatabase } from '../../../sync/replica/replica.js';
import { makeTempDirectory, openTestReplica } from '../../support/replica.js';

const REPLICA = 'unsent-rows';
const META_COLLECTION = 'rx-replication-meta-unsent-rows';

function patient(id: string, family: string): RecordDocument {
  return {
    id: `Patient/${id}`,
    resourceType: 'Patient',
    patientId: `Patient/${id}`,
    wardId: 'ward-a',
    mrn: `MRN-${id}`,
    nameNorm: family.toLowerCase(),
    resource: { resourceType: 'Patient', id, name: [{ family }] },
  };
}

describe('unsent rows of an earlier process', () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let replica: ReplicaDatabase;
  let outbox: Outbox;
  const metaSchema = () => getRxReplicationMetaInstanceSchema(replica.records.schema.jsonSchema, false);

  beforeEach(async () => {
    directory = makeTempDirectory('unsent-rows');
    replica = await openTestReplica(directory.path, REPLICA);
    outbox = new Outbox(join(directory.path, `${REPLICA}.sqlite`));
  });

  afterEach(async () => {
    outbox.close();
    await replica.close();
    directory.remove();
  });

  /** Writes RxDB's meta row of each document, holding `master` as the server's version. */
  async function storeMasterStates(rows: { master: RecordDocument; isResolvedConflict?: string }[]): Promise<void> {
    const meta = await replica.storage.createStorageInstance<RxStorageReplicationMeta<WireDocument, unknown>>({
      databaseName: replica.name,
      collectionName: META_COLLECTION,
      databaseInstanceToken: replica.token,
      multiInstance: false,
      options: {},
      schema: metaSchema() as never,
      devMode: false,
    });
    const documents = rows.map(
      ({ master, isResolvedConflict }) =>
        ({
          id: `${master.id}|0`,
          isCheckpoint: '0',
          itemId: master.id,
          docData: { ...master, _deleted: false },
          ...(isResolvedConflict ? { isResolvedConflict } : {}),
          _attachments: {},
          _deleted: false,
          _rev: '1-meta',
          _meta: { lwt: Date.now() },
        }) as unknown as RxDocumentData<RxStorageReplicationMeta<WireDocument, unknown>>,
    );
    const result = await meta.bulkWrite(documents.map((document) => ({ document })), 'test');
    expect(result.error, 'meta rows written').toEqual([]);
    await meta.close();
  }

  it('drops only rows with nothing to send', async () => {
    const unchanged = patient('unchanged', 'Mbeki');
    const edited = patient('edited', 'Okafor');
    const resolved = patient('resolved', 'Lindqvist');
    const created = patient('created', 'Haddad');
    const rewritten = patient('rewritten', 'Novak');
    const deferred = patient('deferred', 'Tanaka');
    await replica.records.bulkInsert([unchanged, { ...edited, nameNorm: 'okafor-smith' }, resolved, created, rewritten, deferred]);
    const resolvedRevision = (await replica.records.findOne(resolved.id).exec())?.toJSON(true)._rev;
    // RxDB stores a deferred push's row as the master state, as if the server had taken it.
    await storeMasterStates([{ master: unchanged }, { master: edited }, { master: resolved, isResolvedConflict: resolvedRevision }, { master: rewritten }, { master: deferred }]);

    for (const document of [unchanged, edited, resolved, created, rewritten, deferred]) outbox.add('records', document.id);
    outbox.add('records', 'Patient/never-written');
    const rows = outbox.pendingIn('records');
    // A write of this process takes over the row after the snapshot: the check must leave it.
    outbox.add('records', rewritten.id);

    const dropped = await dropRowsWithNothingToSend({ replica, collection: 'records', meta: { collectionName: META_COLLECTION, schema: metaSchema() }, outbox, rows, deferred: new Set([deferred.id]) });

    expect(dropped).toBe(2);
    expect([...outbox.pendingIn('records').keys()].sort()).toEqual([created.id, deferred.id, edited.id, resolved.id, rewritten.id].sort());
  });

  it('leaves rows added after the start', async () => {
    outbox.add('records', 'Patient/later');
    const dropped = await dropRowsWithNothingToSend({ replica, collection: 'records', meta: { collectionName: META_COLLECTION, schema: metaSchema() }, outbox, rows: new Map(), deferred: new Set() });
    expect(dropped).toBe(0);
    expect(outbox.count()).toBe(1);
  });
});
