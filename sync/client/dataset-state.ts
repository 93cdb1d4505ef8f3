import type { DatabaseKey, SqliteDatabase } from '../replica/sqlite/connection-pool.js';
import { acquireConnection, releaseConnection } from '../replica/sqlite/connection-pool.js';

/** What the replication knows of the server's dataset, as saved in the replica file. */
export interface DatasetState {
  /** The dataset epoch this replica last synced with; null before the first contact. */
  epoch: string | null;
  /**
   * Counts the dataset changes this replica went through. It is part of RxDB's replication
   * identifier, so a change starts new checkpoints and a full re-send, and a replica that never
   * met one keeps its first identifier.
   */
  generation: number;
  /** True from a dataset change until the re-send of every local document has finished. */
  reconciling: boolean;
}

/**
 * Keeps the dataset state in the replica's own SQLite file (table hms_sync_state, shared with the
 * outbox), so that a restart during a re-send goes on with it rather than forgetting it.
 */
export class DatasetStateStore {
  readonly #filePath: string;
  readonly #database: SqliteDatabase;
  #closed = false;

  constructor(filePath: string, key?: DatabaseKey) {
    this.#filePath = filePath;
    this.#database = acquireConnection(filePath, key);
    this.#database.prepare('CREATE TABLE IF NOT EXISTS hms_sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID').run();
  }

  read(): DatasetState {
    const value = this.#database.prepare("SELECT value FROM hms_sync_state WHERE key = 'dataset'").pluck().get() as string | undefined;
    return value ? (JSON.parse(value) as DatasetState) : { epoch: null, generation: 0, reconciling: false };
  }

  write(state: DatasetState): void {
    this.#database.prepare("INSERT INTO hms_sync_state (key, value) VALUES ('dataset', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(JSON.stringify(state));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    releaseConnection(this.#filePath);
  }
}
