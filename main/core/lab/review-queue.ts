import { randomUUID } from 'node:crypto';

import type { DatabaseKey, SqliteDatabase } from '../../../sync/replica/sqlite/connection-pool.js';
import { acquireConnection, releaseConnection } from '../../../sync/replica/sqlite/connection-pool.js';

export type ReviewState = 'waiting' | 'released' | 'rejected';

/** A result group held back from the chart until a lab technician decides on it. */
export interface ReviewItem<Group = unknown> {
  id: string;
  /** The archived message the group came from. */
  messageId: string;
  connectionId: string;
  createdAt: string;
  /** Reasons the group waits, as the result mapping names them (no accession, critical flag, …). */
  reasons: string[];
  /** The result group as the mapping made it; released groups are stored from this. */
  group: Group;
  state: ReviewState;
  /** The Specimen a technician matched the group to, as `Specimen/<id>`. */
  specimenId: string | null;
  decidedAt: string | null;
  /** User id of the technician who released or rejected the group. */
  decidedBy: string | null;
  /** A rejection's reason, as the technician wrote it. */
  decisionReason: string | null;
}

interface ReviewRow {
  id: string;
  message_id: string;
  connection_id: string;
  created_at: string;
  reasons_json: string;
  group_json: string;
  state: ReviewState;
  specimen_id: string | null;
  decided_at: string | null;
  decided_by: string | null;
  decision_reason: string | null;
}

function toItem<Group>(row: ReviewRow): ReviewItem<Group> {
  return {
    id: row.id,
    messageId: row.message_id,
    connectionId: row.connection_id,
    createdAt: row.created_at,
    reasons: JSON.parse(row.reasons_json) as string[],
    group: JSON.parse(row.group_json) as Group,
    state: row.state,
    specimenId: row.specimen_id,
    decidedAt: row.decided_at,
    decidedBy: row.decided_by,
    decisionReason: row.decision_reason,
  };
}

const COLUMNS = 'id, message_id, connection_id, created_at, reasons_json, group_json, state, specimen_id, decided_at, decided_by, decision_reason';

/**
 * The lab review queue, in the replica's own SQLite file. A group waits here instead of reaching
 * the chart when it matches no specimen or carries a critical flag; the decisions stay on record.
 */
export class ReviewQueue<Group = unknown> {
  readonly #filePath: string;
  readonly #database: SqliteDatabase;
  readonly #now: () => Date;
  #closed = false;

  constructor(filePath: string, key?: DatabaseKey, options: { now?: () => Date } = {}) {
    this.#filePath = filePath;
    this.#now = options.now ?? (() => new Date());
    this.#database = acquireConnection(filePath, key);
    this.#database
      .prepare(
        `CREATE TABLE IF NOT EXISTS hms_lab_review (id TEXT PRIMARY KEY NOT NULL, message_id TEXT NOT NULL, connection_id TEXT NOT NULL, created_at TEXT NOT NULL,
           reasons_json TEXT NOT NULL, group_json TEXT NOT NULL, state TEXT NOT NULL, specimen_id TEXT, decided_at TEXT, decided_by TEXT, decision_reason TEXT)`,
      )
      .run();
    this.#database.prepare('CREATE INDEX IF NOT EXISTS hms_lab_review_state ON hms_lab_review (state, created_at)').run();
  }

  add(messageId: string, connectionId: string, reasons: readonly string[], group: Group): ReviewItem<Group> {
    this.#ensureOpen();
    const id = randomUUID();
    this.#database
      .prepare(`INSERT INTO hms_lab_review (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, 'waiting', NULL, NULL, NULL, NULL)`)
      .run(id, messageId, connectionId, this.#now().toISOString(), JSON.stringify(reasons), JSON.stringify(group));
    return this.#require(id);
  }

  get(id: string): ReviewItem<Group> | undefined {
    const row = this.#database.prepare(`SELECT ${COLUMNS} FROM hms_lab_review WHERE id = ?`).get(id) as ReviewRow | undefined;
    return row ? toItem<Group>(row) : undefined;
  }

  /** Items in a state, oldest first, so the longest-waiting result is seen first. */
  list(state: ReviewState, limit = 200): ReviewItem<Group>[] {
    const rows = this.#database.prepare(`SELECT ${COLUMNS} FROM hms_lab_review WHERE state = ? ORDER BY created_at, rowid LIMIT ?`).all(state, limit) as ReviewRow[];
    return rows.map((row) => toItem<Group>(row));
  }

  /** Returns every item made from these messages, whatever its state. */
  forMessages(messageIds: readonly string[]): ReviewItem<Group>[] {
    if (messageIds.length === 0) return [];
    const rows = this.#database
      .prepare(`SELECT ${COLUMNS} FROM hms_lab_review WHERE message_id IN (${messageIds.map(() => '?').join(', ')}) ORDER BY created_at, rowid`)
      .all(...messageIds) as ReviewRow[];
    return rows.map((row) => toItem<Group>(row));
  }

  countWaiting(): number {
    return this.#database.prepare("SELECT COUNT(*) FROM hms_lab_review WHERE state = 'waiting'").pluck().get() as number;
  }

  /** Records the Specimen a technician matched a waiting group to, and the group as it now reads. */
  match(id: string, specimenId: string, group?: Group): ReviewItem<Group> {
    const item = this.#requireWaiting(id);
    this.#database.prepare('UPDATE hms_lab_review SET specimen_id = ?, group_json = ? WHERE id = ?').run(specimenId, JSON.stringify(group ?? item.group), id);
    return this.#require(id);
  }

  /**
   * Marks a waiting group released or rejected. A caller that releases stores the results first:
   * a stop in between leaves the group waiting, and releasing it again stores the same document
   * ids, so nothing is stored twice.
   */
  decide(id: string, decision: { state: 'released' | 'rejected'; userId: string; reason?: string }): ReviewItem<Group> {
    this.#requireWaiting(id);
    this.#database
      .prepare("UPDATE hms_lab_review SET state = ?, decided_at = ?, decided_by = ?, decision_reason = ? WHERE id = ? AND state = 'waiting'")
      .run(decision.state, this.#now().toISOString(), decision.userId, decision.reason ?? null, id);
    return this.#require(id);
  }

  #requireWaiting(id: string): ReviewItem<Group> {
    this.#ensureOpen();
    const item = this.#require(id);
    if (item.state !== 'waiting') throw new Error(`Review item ${id} was already ${item.state} by ${item.decidedBy ?? 'someone'}; reload the review queue`);
    return item;
  }

  #require(id: string): ReviewItem<Group> {
    const item = this.get(id);
    if (!item) throw new Error(`Review item ${id} is not in the review queue; reload the review queue`);
    return item;
  }

  #ensureOpen(): void {
    if (this.#closed) throw new Error(`The lab review queue of ${this.#filePath} is closed`);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    releaseConnection(this.#filePath);
  }
}
