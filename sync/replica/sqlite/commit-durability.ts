import type { SqliteDatabase } from './connection-pool.js';

/**
 * Commit durability of the replication's writes of server copies.
 *
 * The replica runs in WAL mode with `synchronous = FULL`, so each commit waits for an fsync of the
 * WAL (see connection-pool.ts). Documents pulled from the central server, RxDB's record of them
 * and the replication checkpoints are copies of what the server keeps. Those transactions commit
 * with `synchronous = NORMAL` instead: a power cut may lose the last of them, and the replication
 * then pulls those documents again.
 *
 * Nothing else changes. In WAL mode, SQLite's recovery keeps the log up to the first frame whose
 * checksum chain breaks, so it keeps a prefix of the commits: a checkpoint that survived implies
 * that every write before it survived. A later FULL commit, such as a nurse's entry, syncs the
 * whole WAL, so the deferred commits before it become durable with it.
 */

/**
 * RxDB's write contexts of server copies, as rxdb 17.6 passes them to `bulkWrite` in
 * replication-protocol/downstream.ts and checkpoint.ts. Writes of the upstream, of conflict
 * resolutions and of the collections' own API use other contexts and keep `synchronous = FULL`.
 */
const DOWNSTREAM_WRITE_PREFIX = 'replication-downstream-';
const SERVER_COPY_CONTEXTS: ReadonlySet<string> = new Set(['replication-down-write-meta', 'replication-set-checkpoint']);

/** Tells whether a bulkWrite context is one of the replication's writes of server copies. */
export function isServerCopyWrite(context: string): boolean {
  return context.startsWith(DOWNSTREAM_WRITE_PREFIX) || SERVER_COPY_CONTEXTS.has(context);
}

/**
 * Runs `write`, which commits one transaction, with `synchronous = NORMAL`, and restores FULL
 * afterwards. SQLite rejects the change inside an open transaction ("Safety level may not be
 * changed inside a transaction"), so within one it runs `write` unchanged.
 */
export function commitWithoutSync<T>(database: SqliteDatabase, write: () => T): T {
  if (database.inTransaction) return write();
  database.pragma('synchronous = NORMAL');
  try {
    return write();
  } finally {
    database.pragma('synchronous = FULL');
  }
}
