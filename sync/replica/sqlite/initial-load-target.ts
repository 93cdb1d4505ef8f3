import type BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import type { RxDocumentData, RxJsonSchema, RxStorage, RxStorageDefaultCheckpoint, RxStorageReplicationMeta } from 'rxdb';
import { now } from 'rxdb';

import { openStorageInstance } from '../storage-instance.js';
import { commitWithoutSync } from './commit-durability.js';
import type { LoadedCopies } from './loaded-copies.js';
import { checkpointId, checkpointRow, INITIAL_LOAD_TABLE } from './loaded-copies.js';
import { SqliteStorageInstance } from './sqlite-instance.js';

/**
 * The destination of a collection's initial load (see sync/client/initial-load.ts): the
 * collection's table and the table of its replication's meta data, through storage instances of
 * their own on the replica's connection, and a row of progress per replication in
 * `hms_initial_load`. Documents, meta rows and progress of one page commit in one transaction, so
 * a load that stops resumes after its last committed page.
 */

/** Progress of one replication's initial load, as stored. */
export interface InitialLoadProgress<Checkpoint> {
  /** Feed position after the last stored page; null before the first. */
  checkpoint: Checkpoint | null;
  /** `_meta.lwt` of every loaded document: local writes of the same time or later come after them. */
  lwt: number;
  /** The greatest loaded document id (in JavaScript's order), which ends the upstream's checkpoint. */
  lastId: string;
  /** Documents stored so far. */
  stored: number;
  /** Whether the feed ran out: the replication goes on from `checkpoint`. */
  done: boolean;
  /** `_rev` of every loaded document. */
  revision: string;
}

/** Loads running on each connection that switched it to a rollback journal (see useRollbackJournal). */
const journalSwitches = new WeakMap<object, number>();
/** Context of the change events of loaded documents. */
const INITIAL_LOAD_CONTEXT = 'hms-initial-load';

/** The positions RxDB's replication goes on from after a load: in the server's feed and in the collection's own changes. */
export interface ReplicationCheckpoints<Checkpoint> {
  downstream: Checkpoint;
  upstream: RxStorageDefaultCheckpoint;
}

export interface InitialLoadTargetParams<RxDocType> {
  storage: RxStorage<unknown, unknown>;
  databaseName: string;
  databaseToken: string;
  collectionName: string;
  schema: RxJsonSchema<RxDocumentData<RxDocType>>;
  /** The replication's meta instance, as RxDB names and shapes it (`RxReplicationState.metaInfoPromise`). */
  meta: { collectionName: string; schema: RxJsonSchema<RxDocumentData<RxStorageReplicationMeta<RxDocType, unknown>>> };
  /** The replication identifier, which keys the progress. */
  replication: string;
}

export class InitialLoadTarget<RxDocType, Checkpoint> {
  readonly #documents: SqliteStorageInstance<RxDocType>;
  readonly #meta: SqliteStorageInstance<RxStorageReplicationMeta<RxDocType, unknown>>;
  readonly #replication: string;
  #saveProgress?: BetterSqlite3.Statement<unknown[]>;

  private constructor(documents: SqliteStorageInstance<RxDocType>, meta: SqliteStorageInstance<RxStorageReplicationMeta<RxDocType, unknown>>, replication: string) {
    this.#documents = documents;
    this.#meta = meta;
    this.#replication = replication;
    documents.database.prepare(`CREATE TABLE IF NOT EXISTS ${INITIAL_LOAD_TABLE} (replication TEXT PRIMARY KEY NOT NULL, progress TEXT NOT NULL) WITHOUT ROWID`).run();
  }

  /**
   * Opens the target on the replica's own SQLite storage. Returns undefined on any other storage
   * (RxDB's memory storage in differential tests), where the replication pulls page by page.
   */
  static async open<RxDocType, Checkpoint>(params: InitialLoadTargetParams<RxDocType>): Promise<InitialLoadTarget<RxDocType, Checkpoint> | undefined> {
    const documents = await openStorageInstance<RxDocType>(params, params.collectionName, params.schema as RxJsonSchema<unknown>);
    if (!(documents instanceof SqliteStorageInstance)) {
      await documents.close();
      return undefined;
    }
    const meta = (await openStorageInstance(params, params.meta.collectionName, params.meta.schema as RxJsonSchema<unknown>)) as SqliteStorageInstance<RxStorageReplicationMeta<RxDocType, unknown>>;
    return new InitialLoadTarget<RxDocType, Checkpoint>(documents, meta, params.replication);
  }

  /**
   * Switches the replica from its write-ahead log to a rollback journal while loads run. SQLite3
   * Multiple Ciphers encrypts each page into the log, then decrypts and encrypts it again when it
   * checkpoints the log into the file. With a rollback journal a new page is encrypted once. In
   * the storage alone a loaded Observation took 50 µs of CPU with the log and 37 µs without
   * (docs/benchmarks.md). Commits stay atomic and durable; only readers in other processes would
   * wait, and the data directory lock lets no other process open the replica. The collections load
   * at once, so the last load to end switches back. When SQLite refuses (a statement still open),
   * the load keeps the log.
   */
  useRollbackJournal(): void {
    const database = this.#documents.database;
    const loads = journalSwitches.get(database);
    if (loads !== undefined) {
      journalSwitches.set(database, loads + 1);
      return;
    }
    try {
      if (database.pragma('journal_mode = TRUNCATE', { simple: true }) === 'truncate') journalSwitches.set(database, 1);
    } catch {
      // The write-ahead log stays.
    }
  }

  /** Ends this load's part in useRollbackJournal; the last one returns to the write-ahead log. */
  useWriteAheadLog(): void {
    const database = this.#documents.database;
    const loads = journalSwitches.get(database);
    if (loads === undefined) return;
    if (loads > 1) {
      journalSwitches.set(database, loads - 1);
      return;
    }
    journalSwitches.delete(database);
    database.pragma('journal_mode = WAL');
  }

  readProgress(): InitialLoadProgress<Checkpoint> | undefined {
    const stored = this.#documents.database.prepare(`SELECT progress FROM ${INITIAL_LOAD_TABLE} WHERE replication = ?`).pluck().get(this.#replication) as string | undefined;
    return stored === undefined ? undefined : (JSON.parse(stored) as InitialLoadProgress<Checkpoint>);
  }

  /** Returns the smallest `_meta.lwt` of the collection's documents, deleted ones included, or undefined for an empty collection. */
  async firstWriteTime(): Promise<number | undefined> {
    const { documents } = await this.#documents.getChangedDocumentsSince(1);
    return documents[0]?._meta.lwt;
  }

  /** Tells whether RxDB's replication stored a downstream checkpoint, which it does once it has pulled. */
  async hasReplicationCheckpoint(): Promise<boolean> {
    const found = await this.#meta.findDocumentsById([checkpointId('down')], true);
    return found.length > 0;
  }

  /**
   * Stores one page and the progress after it. A stored document is replaced only when `ours`
   * accepts it as written by this load. With `handOver`, on the last page, the same transaction
   * stores the replication's checkpoints, so RxDB's replication goes on from there. Returns how
   * many documents written here before the load were left as they are. `texts` may give the
   * JSON of each document, at its index, as text or UTF-8 bytes, so that it is not serialised again.
   */
  async write(
    documents: RxDocumentData<RxDocType>[],
    ours: (stored: RxDocumentData<RxDocType>) => boolean,
    progress: InitialLoadProgress<Checkpoint>,
    handOver?: ReplicationCheckpoints<Checkpoint>,
    texts?: readonly (string | Buffer | undefined)[],
  ): Promise<{ kept: number }> {
    const database = this.#documents.database;
    this.#saveProgress ??= database.prepare(`INSERT OR REPLACE INTO ${INITIAL_LOAD_TABLE} (replication, progress) VALUES (?, ?)`);
    const saveProgress = this.#saveProgress;
    const record: InitialLoadProgress<Checkpoint> & LoadedCopies = { ...progress, forkTable: this.#documents.internals.tableName, metaCollection: this.#meta.collectionName };
    const write = database.transaction(() => {
      const { changes, keptIds } = this.#documents.writeServerCopies(documents, INITIAL_LOAD_CONTEXT, ours, texts);
      if (handOver) this.#writeCheckpoints(handOver, progress.revision);
      saveProgress.run(this.#replication, JSON.stringify(record));
      return { changes, kept: keptIds.size };
    });
    // Server copies: a power cut may lose the last pages, which the load then pulls again.
    const { changes, kept } = commitWithoutSync(database, () => write.immediate());
    this.#documents.publishChanges(changes);
    await new Promise((resolve) => setImmediate(resolve));
    return { kept };
  }

  /**
   * Stores where RxDB's upstream starts, after the loaded documents, for a load that failed: the
   * replication then pulls everything again but pushes only what was written here.
   */
  storeUpstreamCheckpoint(upstream: RxStorageDefaultCheckpoint, revision: string): void {
    const database = this.#documents.database;
    commitWithoutSync(database, () => database.transaction(() => this.#writeCheckpoints({ upstream }, revision)).immediate());
  }

  #writeCheckpoints(checkpoints: Partial<ReplicationCheckpoints<Checkpoint>>, revision: string): void {
    const rows = [];
    if (checkpoints.downstream) rows.push(checkpointRow<RxDocType>('down', checkpoints.downstream, revision, now()));
    if (checkpoints.upstream) rows.push(checkpointRow<RxDocType>('up', checkpoints.upstream, revision, now()));
    // A checkpoint row RxDB wrote stays, since it is at least as far on; one of this load's own moves on.
    this.#meta.writeServerCopies(rows, INITIAL_LOAD_CONTEXT, (stored) => stored._rev === revision);
  }

  async close(): Promise<void> {
    await Promise.all([this.#documents.close(), this.#meta.close()]);
  }
}
