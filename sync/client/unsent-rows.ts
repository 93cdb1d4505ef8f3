import type { RxCollection, RxDocumentData, RxJsonSchema, RxStorageInstance, RxStorageReplicationMeta } from 'rxdb';

import type { CollectionName } from '../protocol/collections.js';
import type { WireDocument } from '../protocol/wire.js';
import type { ReplicaDatabase } from '../replica/replica.js';
import { loadsOf, mayBeLoadedCopy } from '../replica/sqlite/loaded-copies.js';
import { SqliteStorageInstance } from '../replica/sqlite/sqlite-instance.js';
import { openStorageInstance } from '../replica/storage-instance.js';
import type { Outbox } from './outbox.js';

/**
 * Outbox rows left by an earlier process for writes that left nothing to send.
 *
 * The local writer adds a document's outbox row just before the replica write, so a process
 * killed between the two leaves a row for a write that never happened. Nothing pushes such a
 * document, so nothing confirms the row, and the pending count would stay one too high for good.
 * A record edit whose result equals the stored version leaves the same kind of row.
 *
 * A row is left over when RxDB's upstream has nothing to send for its document. Either the
 * document is not in the replica, or it is still as an initial load wrote it, or it equals its
 * assumed master state by the rule RxDB's upstream applies. That rule compares the two with the
 * collection's conflict handler, except for a stored revision that resolved a conflict, which
 * RxDB sends.
 *
 * Only rows of earlier processes are checked, with the sequence each had at this process's start:
 * `Outbox.discard` keeps a row that a write of this process has taken over since. Rows of
 * deferred pushes stay.
 */

export interface UnsentRowCheck {
  replica: ReplicaDatabase;
  collection: CollectionName;
  /** The replication's meta instance, from `RxReplicationState.metaInfoPromise`. */
  meta: { collectionName: string; schema: unknown };
  outbox: Outbox;
  /** Pending rows of the collection at this process's start: document id and sequence. */
  rows: ReadonlyMap<string, number>;
  /**
   * Documents whose push is held back (deferred-pushes.ts). RxDB took them as sent, so they equal
   * their assumed master state, but their rows stay until the server takes them.
   */
  deferred: ReadonlySet<string>;
}

/** Drops the rows of `rows` whose documents have nothing to send and returns how many it dropped. */
export async function dropRowsWithNothingToSend(check: UnsentRowCheck): Promise<number> {
  if (check.rows.size === 0) return 0;
  const { replica } = check;
  const rxCollection = replica[check.collection] as unknown as RxCollection<WireDocument>;
  const ids = [...check.rows.keys()];
  // Storage instances of their own, so that the SQLite tables are at hand.
  const location = { storage: replica.storage, databaseName: replica.name, databaseToken: replica.token };
  const fork = await openStorageInstance<WireDocument>(location, rxCollection.name, rxCollection.schema.jsonSchema as RxJsonSchema<unknown>);
  try {
    const metaInstance = await openStorageInstance<RxStorageReplicationMeta<WireDocument, unknown>>(location, check.meta.collectionName, check.meta.schema as RxJsonSchema<unknown>);
    try {
      return await dropRows(check, rxCollection, fork, metaInstance, ids);
    } finally {
      await metaInstance.close();
    }
  } finally {
    await fork.close();
  }
}

async function dropRows(
  check: UnsentRowCheck,
  rxCollection: RxCollection<WireDocument>,
  fork: RxStorageInstance<WireDocument, unknown, unknown>,
  metaInstance: RxStorageInstance<RxStorageReplicationMeta<WireDocument, unknown>, unknown, unknown>,
  ids: string[],
): Promise<number> {
  const stored = new Map((await fork.findDocumentsById(ids, true)).map((document) => [document.id, document]));
  // RxDB's meta row of a document is `itemId|isCheckpoint`.
  const masters = new Map((await metaInstance.findDocumentsById(ids.map((id) => `${id}|0`), false)).map((row) => [row.itemId, row]));
  const loads = fork instanceof SqliteStorageInstance ? loadsOf(fork.database, fork.internals.tableName) : [];
  const isLoadedCopy = (document: RxDocumentData<WireDocument>) => mayBeLoadedCopy(document) && loads.some((load) => load.revision === document._rev && load.lwt === document._meta.lwt);

  let dropped = 0;
  for (const [id, sequence] of check.rows) {
    if (check.deferred.has(id)) continue;
    const document = stored.get(id);
    const master = masters.get(id);
    const nothingToSend =
      document === undefined ||
      (master !== undefined
        ? master.isResolvedConflict !== document._rev && rxCollection.conflictHandler.isEqual(master.docData as WireDocument, documentState(document), 'hms-unsent-rows')
        : isLoadedCopy(document));
    if (nothingToSend && check.outbox.discard(check.collection, id, sequence)) dropped += 1;
  }
  return dropped;
}

/** Returns the document without RxDB's bookkeeping, as RxDB's upstream compares it with its master state. */
function documentState(document: RxDocumentData<WireDocument>): WireDocument {
  const { _attachments: _attachments, _rev: _rev, _meta: _meta, ...state } = document as RxDocumentData<WireDocument> & Record<string, unknown>;
  return state as WireDocument;
}
