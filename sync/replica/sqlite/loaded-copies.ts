import type { RxDocumentData, RxStorageReplicationMeta } from 'rxdb';

import type { SqliteDatabase } from './connection-pool.js';

/**
 * Documents stored by an initial load (see sync/client/initial-load.ts) and RxDB's record of
 * their master state.
 *
 * RxDB's replication keeps, for every pulled document, a meta row with the copy the server sent:
 * its assumed master state. A push of a local edit carries it, so that the server can tell an
 * edit of its current version from a stale one. An initial load writes no meta rows, because
 * they doubled the cost of a loaded Patient. A loaded document that is still as loaded is its own
 * master state, so the row is written when a local write first replaces it, in the same
 * transaction (SqliteStorageInstance.bulkWrite). Until then nothing reads it: the downstream
 * recognises the loaded document by its origin mark, and the upstream starts after it.
 */

export const INITIAL_LOAD_TABLE = 'hms_initial_load';

/** The part of a load's progress row that names where it wrote and how it marked its documents. */
export interface LoadedCopies {
  /** Table of the loaded collection. */
  forkTable: string;
  /** RxDB's collection name of the replication's meta instance. */
  metaCollection: string;
  /** `_rev` and `_meta.lwt` of every document the load wrote. */
  revision: string;
  lwt: number;
}

/** Tells whether a stored document could be one a load wrote. RxDB's downstream marks its own writes alike. */
export function mayBeLoadedCopy(document: RxDocumentData<unknown>): boolean {
  const origin = (document._meta as { o?: { _rev?: number } }).o;
  return origin?._rev === 1 && document._rev.startsWith('1-');
}

/** Lists the loads recorded for `forkTable`, none when no load ever ran in this file. */
export function loadsOf(database: SqliteDatabase, forkTable: string): LoadedCopies[] {
  const exists = database.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(INITIAL_LOAD_TABLE);
  if (!exists) return [];
  const rows = database.prepare(`SELECT progress FROM ${INITIAL_LOAD_TABLE}`).pluck().all() as string[];
  return rows.map((row) => JSON.parse(row) as LoadedCopies).filter((load) => load.forkTable === forkTable);
}

/** Returns the id of RxDB's checkpoint row of one direction, its meta schema's `itemId|isCheckpoint`. */
export function checkpointId(direction: 'up' | 'down'): string {
  return `${direction}|1`;
}

/**
 * RxDB's checkpoint row of one direction of a replication, as `setCheckpoint` in
 * replication-protocol/checkpoint.ts writes it. A replication that starts finds it as if it had
 * stopped there itself.
 */
export function checkpointRow<RxDocType>(direction: 'up' | 'down', checkpoint: unknown, revision: string, lwt: number): RxDocumentData<RxStorageReplicationMeta<RxDocType, unknown>> {
  return {
    id: checkpointId(direction),
    isCheckpoint: '1',
    itemId: direction,
    checkpointData: checkpoint,
    _attachments: {},
    _deleted: false,
    _rev: revision,
    _meta: { lwt },
  } as unknown as RxDocumentData<RxStorageReplicationMeta<RxDocType, unknown>>;
}

/** RxDB's meta row of a loaded document, as its downstream would have written it (`getMetaWriteRow`). */
export function masterStateRow<RxDocType>(document: RxDocumentData<RxDocType>, primaryPath: string, load: Pick<LoadedCopies, 'revision' | 'lwt'>): RxDocumentData<RxStorageReplicationMeta<RxDocType, unknown>> {
  const { _attachments: _attachments, _rev: _rev, _meta: _meta, ...master } = document as RxDocumentData<RxDocType> & Record<string, unknown>;
  const id = (document as Record<string, unknown>)[primaryPath] as string;
  return {
    id: `${id}|0`,
    isCheckpoint: '0',
    itemId: id,
    docData: master,
    _attachments: {},
    _deleted: false,
    _rev: load.revision,
    _meta: { lwt: load.lwt },
  } as unknown as RxDocumentData<RxStorageReplicationMeta<RxDocType, unknown>>;
}
