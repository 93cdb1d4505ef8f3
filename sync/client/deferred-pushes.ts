import type { PushRow } from '../protocol/wire.js';
import type { DatabaseKey, SqliteDatabase } from '../replica/sqlite/connection-pool.js';
import { acquireConnection, releaseConnection } from '../replica/sqlite/connection-pool.js';

/** A push row held back because the server failed on it alone, and when to try it again. */
export interface DeferredPush {
  collection: string;
  row: PushRow;
  /** Failed attempts so far, for the back-off. */
  failures: number;
  nextAttemptAt: string;
}

/**
 * Push rows that the server failed with a 500 even when sent alone (SYNC-14, a server bug tied to
 * one document). RxDB's upstream sends a collection's changes in order and retries a failed batch
 * whole, so one such row would hold back every later write of the ward; instead the replication
 * hands RxDB the rest of the batch and keeps the row here, in the replica's own SQLite file, to
 * send again by itself. The row stays pending in the outbox all the while: it is never shown as
 * sent, and never as refused, because a server error says nothing about the document.
 */
export class DeferredPushes {
  readonly #filePath: string;
  readonly #database: SqliteDatabase;
  #closed = false;

  constructor(filePath: string, key?: DatabaseKey) {
    this.#filePath = filePath;
    this.#database = acquireConnection(filePath, key);
    this.#database
      .prepare(
        'CREATE TABLE IF NOT EXISTS hms_deferred_push (collection TEXT NOT NULL, document_id TEXT NOT NULL, row_json TEXT NOT NULL, failures INTEGER NOT NULL, next_attempt_at TEXT NOT NULL, PRIMARY KEY (collection, document_id)) WITHOUT ROWID',
      )
      .run();
  }

  /** Keeps `row` to send again at `nextAttemptAt`; a row already kept for the document is replaced. */
  defer(collection: string, row: PushRow, failures: number, nextAttemptAt: Date): void {
    this.#database
      .prepare(
        'INSERT INTO hms_deferred_push (collection, document_id, row_json, failures, next_attempt_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (collection, document_id) DO UPDATE SET row_json = excluded.row_json, failures = excluded.failures, next_attempt_at = excluded.next_attempt_at',
      )
      .run(collection, row.newDocumentState.id, JSON.stringify(row), failures, nextAttemptAt.toISOString());
  }

  /** Rows whose next attempt is due at `now`, oldest first. */
  due(now: Date): DeferredPush[] {
    const rows = this.#database
      .prepare('SELECT collection, row_json, failures, next_attempt_at FROM hms_deferred_push WHERE next_attempt_at <= ? ORDER BY next_attempt_at')
      .all(now.toISOString()) as { collection: string; row_json: string; failures: number; next_attempt_at: string }[];
    return rows.map((row) => ({ collection: row.collection, row: JSON.parse(row.row_json) as PushRow, failures: row.failures, nextAttemptAt: row.next_attempt_at }));
  }

  /** When the next deferred row is due; null when none is kept. */
  nextDueAt(): string | null {
    return (this.#database.prepare('SELECT MIN(next_attempt_at) FROM hms_deferred_push').pluck().get() as string | null) ?? null;
  }

  /** Lists the ids of the documents of `collection` kept here. */
  documentIds(collection: string): Set<string> {
    const ids = this.#database.prepare('SELECT document_id FROM hms_deferred_push WHERE collection = ?').pluck().all(collection) as string[];
    return new Set(ids);
  }

  remove(collection: string, documentId: string): void {
    this.#database.prepare('DELETE FROM hms_deferred_push WHERE collection = ? AND document_id = ?').run(collection, documentId);
  }

  count(): number {
    return this.#database.prepare('SELECT COUNT(*) FROM hms_deferred_push').pluck().get() as number;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    releaseConnection(this.#filePath);
  }
}
