import type BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { Subject } from 'rxjs';

import type { DatabaseKey, SqliteDatabase } from '../replica/sqlite/connection-pool.js';
import { acquireConnection, releaseConnection } from '../replica/sqlite/connection-pool.js';

/**
 * Local writes that the server has not confirmed yet, kept in the replica's own SQLite file so the
 * count survives a restart. RxDB pushes the documents themselves from its own checkpoint; this
 * table only gives the UI and IT the number outstanding.
 *
 * Each write gets an increasing sequence number. A push confirms a document only up to the
 * sequence it saw when it started, so a document edited again during a push stays pending.
 */
export class Outbox {
  readonly changed$ = new Subject<number>();
  readonly #filePath: string;
  readonly #database: SqliteDatabase;
  #closed = false;

  readonly #now: () => Date;
  /** Statements that run once per pulled document, prepared once: preparing one costs more than running it. */
  #purgedLookup?: BetterSqlite3.Statement<unknown[]>;
  #purgedAny?: BetterSqlite3.Statement<unknown[]>;
  #purgedClear?: BetterSqlite3.Statement<unknown[]>;

  constructor(filePath: string, key?: DatabaseKey, options: { now?: () => Date } = {}) {
    this.#now = options.now ?? (() => new Date());
    this.#filePath = filePath;
    this.#database = acquireConnection(filePath, key);
    this.#database
      .prepare(
        'CREATE TABLE IF NOT EXISTS hms_outbox (document_id TEXT NOT NULL, collection TEXT NOT NULL, sequence INTEGER NOT NULL, PRIMARY KEY (collection, document_id)) WITHOUT ROWID',
      )
      .run();
    this.#database.prepare('CREATE TABLE IF NOT EXISTS hms_outbox_sequence (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL)').run();
    this.#database.prepare('CREATE TABLE IF NOT EXISTS hms_sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID').run();
    this.#database.prepare('CREATE TABLE IF NOT EXISTS hms_purged (collection TEXT NOT NULL, document_id TEXT NOT NULL, PRIMARY KEY (collection, document_id)) WITHOUT ROWID').run();
    this.#database
      .prepare('CREATE TABLE IF NOT EXISTS hms_rejected (document_id TEXT NOT NULL, collection TEXT NOT NULL, reason TEXT NOT NULL, rejected_at TEXT NOT NULL, PRIMARY KEY (collection, document_id)) WITHOUT ROWID')
      .run();
    this.#database.prepare('INSERT OR IGNORE INTO hms_outbox_sequence (id, value) VALUES (1, 0)').run();
    // Added after the first release: when the oldest unsent write of each document was made.
    const columns = this.#database.prepare("SELECT name FROM pragma_table_info('hms_outbox')").pluck().all() as string[];
    if (!columns.includes('queued_at')) this.#database.prepare('ALTER TABLE hms_outbox ADD COLUMN queued_at TEXT').run();
  }

  /** Records a local write before it happens; returns its sequence number. */
  add(collection: string, documentId: string): number {
    const sequence = this.#database.transaction(() => {
      const next = (this.#database.prepare('UPDATE hms_outbox_sequence SET value = value + 1 WHERE id = 1 RETURNING value').pluck().get() as number);
      // A document edited again keeps the time of its first unsent write: that is how long the server has waited.
      this.#database
        .prepare(
          'INSERT INTO hms_outbox (document_id, collection, sequence, queued_at) VALUES (?, ?, ?, ?) ON CONFLICT (collection, document_id) DO UPDATE SET sequence = excluded.sequence',
        )
        .run(documentId, collection, next, this.#now().toISOString());
      // A new write of a refused document is its correction or resend: it waits for the server again.
      this.#database.prepare('DELETE FROM hms_rejected WHERE collection = ? AND document_id = ?').run(collection, documentId);
      return next;
    })();
    this.#notify();
    return sequence;
  }

  /** Forgets a write that failed locally, unless a later write of the document is pending. Tells whether it did. */
  discard(collection: string, documentId: string, sequence: number): boolean {
    const { changes } = this.#database.prepare('DELETE FROM hms_outbox WHERE collection = ? AND document_id = ? AND sequence = ?').run(collection, documentId, sequence);
    this.#notify();
    return changes > 0;
  }

  /** Current sequence of every pending document of `collection`. */
  pendingIn(collection: string): Map<string, number> {
    const rows = this.#database.prepare('SELECT document_id, sequence FROM hms_outbox WHERE collection = ?').all(collection) as { document_id: string; sequence: number }[];
    return new Map(rows.map((row) => [row.document_id, row.sequence]));
  }

  /** Current sequence of each pending document among `documentIds`. */
  sequences(collection: string, documentIds: string[]): Map<string, number> {
    const sequences = new Map<string, number>();
    const select = this.#database.prepare('SELECT sequence FROM hms_outbox WHERE collection = ? AND document_id = ?').pluck();
    for (const id of documentIds) {
      const sequence = select.get(collection, id) as number | undefined;
      if (sequence !== undefined) sequences.set(id, sequence);
    }
    return sequences;
  }

  /** Marks documents as accepted by the server, each up to the sequence seen when its push started. */
  confirm(collection: string, confirmed: Map<string, number>): void {
    if (confirmed.size === 0) return;
    const remove = this.#database.prepare('DELETE FROM hms_outbox WHERE collection = ? AND document_id = ? AND sequence <= ?');
    this.#database.transaction(() => {
      for (const [id, sequence] of confirmed) remove.run(collection, id, sequence);
    })();
    this.#notify();
  }

  count(): number {
    return this.#database.prepare('SELECT COUNT(*) FROM hms_outbox').pluck().get() as number;
  }

  /** When the oldest write still waiting for the server was made; null when none waits. */
  oldestPendingAt(): string | null {
    return (this.#database.prepare('SELECT MIN(queued_at) FROM hms_outbox').pluck().get() as string | null | undefined) ?? null;
  }

  /**
   * Moves a document the server refused for good (a 4xx other than a conflict) out of the pending
   * count into the rejected list. The document stays in the replica; the list tells the ward and
   * IT which entries need attention.
   */
  reject(collection: string, documentId: string, reason: string, at: Date): void {
    this.#database.transaction(() => {
      this.#database.prepare('DELETE FROM hms_outbox WHERE collection = ? AND document_id = ?').run(collection, documentId);
      this.#database
        .prepare('INSERT INTO hms_rejected (document_id, collection, reason, rejected_at) VALUES (?, ?, ?, ?) ON CONFLICT (collection, document_id) DO UPDATE SET reason = excluded.reason, rejected_at = excluded.rejected_at')
        .run(documentId, collection, reason.slice(0, 500), at.toISOString());
    })();
    this.#notify();
  }

  /**
   * Keeps the time of the last successful exchange with the server, so that after a restart during
   * an outage the workstation can still say how old its data is.
   */
  recordSuccessfulSync(at: Date): void {
    this.#database
      .prepare("INSERT INTO hms_sync_state (key, value) VALUES ('last-successful-sync', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
      .run(at.toISOString());
  }

  lastSuccessfulSync(): string | null {
    return (this.#database.prepare("SELECT value FROM hms_sync_state WHERE key = 'last-successful-sync'").pluck().get() as string | undefined) ?? null;
  }

  /**
   * Marks documents removed only from this workstation (retention): their deletion must never be
   * pushed, or the server would delete the patient's record.
   */
  markPurged(collection: string, documentIds: string[]): void {
    const insert = this.#database.prepare('INSERT OR IGNORE INTO hms_purged (collection, document_id) VALUES (?, ?)');
    this.#database.transaction(() => {
      for (const id of documentIds) insert.run(collection, id);
    })();
  }

  isPurged(collection: string, documentId: string): boolean {
    this.#purgedLookup ??= this.#database.prepare('SELECT 1 FROM hms_purged WHERE collection = ? AND document_id = ?');
    return this.#purgedLookup.get(collection, documentId) !== undefined;
  }

  /** Tells whether any document of `collection` carries a purge mark. Without one, a pulled page skips the per-document check. */
  hasPurged(collection: string): boolean {
    this.#purgedAny ??= this.#database.prepare('SELECT 1 FROM hms_purged WHERE collection = ? LIMIT 1');
    return this.#purgedAny.get(collection) !== undefined;
  }

  /** Forgets a purge mark once the document comes back from the server (a readmission). */
  clearPurged(collection: string, documentId: string): void {
    this.#purgedClear ??= this.#database.prepare('DELETE FROM hms_purged WHERE collection = ? AND document_id = ?');
    this.#purgedClear.run(collection, documentId);
  }

  /** Ids among `documentIds` that still wait for the server. */
  pendingAmong(collection: string, documentIds: string[]): string[] {
    return [...this.sequences(collection, documentIds).keys()];
  }

  /** Ids among `documentIds` that the server refused for good. */
  rejectedAmong(collection: string, documentIds: string[]): Set<string> {
    const select = this.#database.prepare('SELECT 1 FROM hms_rejected WHERE collection = ? AND document_id = ?');
    return new Set(documentIds.filter((id) => select.get(collection, id) !== undefined));
  }

  /** The server's refusal of one document, if it is listed. */
  rejection(collection: string, documentId: string): { reason: string; rejectedAt: string } | undefined {
    return this.#database
      .prepare('SELECT reason, rejected_at AS rejectedAt FROM hms_rejected WHERE collection = ? AND document_id = ?')
      .get(collection, documentId) as { reason: string; rejectedAt: string } | undefined;
  }

  rejectedCount(): number {
    return this.#database.prepare('SELECT COUNT(*) FROM hms_rejected').pluck().get() as number;
  }

  rejected(): { collection: string; documentId: string; reason: string; rejectedAt: string }[] {
    return this.#database
      .prepare('SELECT collection, document_id AS documentId, reason, rejected_at AS rejectedAt FROM hms_rejected ORDER BY rejected_at')
      .all() as { collection: string; documentId: string; reason: string; rejectedAt: string }[];
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.changed$.complete();
    releaseConnection(this.#filePath);
  }

  #notify(): void {
    this.changed$.next(this.count());
  }
}
