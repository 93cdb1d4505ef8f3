import { createHash, randomUUID } from 'node:crypto';

import type { DatabaseKey, SqliteDatabase } from '../../../sync/replica/sqlite/connection-pool.js';
import { acquireConnection, releaseConnection } from '../../../sync/replica/sqlite/connection-pool.js';

export type LabProtocol = 'astm' | 'hl7';

/** The fate of an archived message. */
export type LabMessageOutcome =
  /** Received and archived; results not yet handled (a restart in between leaves this). */
  | 'received'
  /** Its results are in the replica. */
  | 'stored'
  /** At least one result waits in the review queue; the rest are in the replica. */
  | 'review'
  /** Nothing in it was a result (a query, an acknowledgment, only ignored tests). */
  | 'no-results'
  /** It could not be read, and `detail.error` gives the reason. The sender got a negative acknowledgment where the protocol has one. */
  | 'rejected';

export interface LabMessageDetail {
  /** Replica document ids made from the message, such as `Observation/…`. */
  documentIds?: string[];
  /** Review queue items made from the message. */
  reviewIds?: string[];
  /** Reason the message was rejected, for lab IT. It never contains patient data. */
  error?: string;
  /** Counts of results by what happened to them. */
  counts?: Record<string, number>;
}

export interface ArchivedLabMessage {
  id: string;
  connectionId: string;
  protocol: LabProtocol;
  receivedAt: string;
  /** SHA-256 of the raw bytes: the same message sent again has the same hash. */
  contentHash: string;
  /** How many earlier messages of this connection had the same bytes. */
  repeatOf: string | null;
  outcome: LabMessageOutcome;
  detail: LabMessageDetail;
}

interface MessageRow {
  id: string;
  connection_id: string;
  protocol: LabProtocol;
  received_at: string;
  content_hash: string;
  repeat_of: string | null;
  outcome: LabMessageOutcome;
  detail_json: string;
}

function toArchivedMessage(row: MessageRow): ArchivedLabMessage {
  return {
    id: row.id,
    connectionId: row.connection_id,
    protocol: row.protocol,
    receivedAt: row.received_at,
    contentHash: row.content_hash,
    repeatOf: row.repeat_of,
    outcome: row.outcome,
    detail: JSON.parse(row.detail_json) as LabMessageDetail,
  };
}

/**
 * The lab interface's memory, in the replica's own SQLite file, so it is encrypted with the replica
 * and survives what the replica survives.
 *
 * - The wire journal keeps every byte an analyzer sent, chunk by chunk, written before the protocol
 *   layer reads the chunk. An ASTM link acknowledges each frame as it arrives, so the analyzer
 *   forgets a result as soon as its frame is acknowledged: writing the bytes first means no result
 *   is ever acknowledged that is not on disk.
 * - The message archive keeps each complete message unchanged, with what was made from it.
 */
export class LabArchive {
  readonly #filePath: string;
  readonly #database: SqliteDatabase;
  readonly #now: () => Date;
  #closed = false;

  constructor(filePath: string, key?: DatabaseKey, options: { now?: () => Date } = {}) {
    this.#filePath = filePath;
    this.#now = options.now ?? (() => new Date());
    this.#database = acquireConnection(filePath, key);
    this.#database.transaction(() => {
      this.#database
        .prepare(
          'CREATE TABLE IF NOT EXISTS hms_lab_wire (connection_id TEXT NOT NULL, sequence INTEGER NOT NULL, received_at TEXT NOT NULL, direction TEXT NOT NULL, bytes BLOB NOT NULL, PRIMARY KEY (connection_id, sequence)) WITHOUT ROWID',
        )
        .run();
      this.#database
        .prepare(
          'CREATE TABLE IF NOT EXISTS hms_lab_message (id TEXT PRIMARY KEY NOT NULL, connection_id TEXT NOT NULL, protocol TEXT NOT NULL, received_at TEXT NOT NULL, content_hash TEXT NOT NULL, repeat_of TEXT, raw BLOB NOT NULL, outcome TEXT NOT NULL, detail_json TEXT NOT NULL)',
        )
        .run();
      this.#database.prepare('CREATE INDEX IF NOT EXISTS hms_lab_message_received ON hms_lab_message (received_at)').run();
      this.#database.prepare('CREATE INDEX IF NOT EXISTS hms_lab_message_hash ON hms_lab_message (connection_id, content_hash)').run();
    })();
  }

  /**
   * Appends bytes that crossed a connection to its wire journal; `in` is from the analyzer. The
   * write commits before this returns (the replica runs with `synchronous = FULL`).
   */
  journal(connectionId: string, direction: 'in' | 'out', bytes: Uint8Array): void {
    this.#ensureOpen();
    this.#database
      .prepare(
        `INSERT INTO hms_lab_wire (connection_id, sequence, received_at, direction, bytes)
         VALUES (?, (SELECT COALESCE(MAX(sequence), 0) + 1 FROM hms_lab_wire WHERE connection_id = ?), ?, ?, ?)`,
      )
      .run(connectionId, connectionId, this.#now().toISOString(), direction, Buffer.from(bytes));
  }

  /** Returns the journal of one connection in order, for troubleshooting and recovery. */
  wire(connectionId: string, limit = 10_000): { sequence: number; receivedAt: string; direction: 'in' | 'out'; bytes: Buffer }[] {
    const rows = this.#database
      .prepare('SELECT sequence, received_at, direction, bytes FROM hms_lab_wire WHERE connection_id = ? ORDER BY sequence LIMIT ?')
      .all(connectionId, limit) as { sequence: number; received_at: string; direction: 'in' | 'out'; bytes: Buffer }[];
    return rows.map((row) => ({ sequence: row.sequence, receivedAt: row.received_at, direction: row.direction, bytes: row.bytes }));
  }

  /**
   * Deletes journal chunks received before `before`. The message archive keeps every complete
   * message, so the journal only matters for the transfers in flight and recent troubleshooting.
   */
  pruneWire(before: Date): number {
    this.#ensureOpen();
    return this.#database.prepare('DELETE FROM hms_lab_wire WHERE received_at < ?').run(before.toISOString()).changes;
  }

  /** Archives a complete message as received and returns its archive entry, outcome `received`. */
  archive(connectionId: string, protocol: LabProtocol, raw: Uint8Array): ArchivedLabMessage {
    this.#ensureOpen();
    const bytes = Buffer.from(raw);
    const contentHash = createHash('sha256').update(bytes).digest('hex');
    const id = randomUUID();
    const receivedAt = this.#now().toISOString();
    const repeatOf = this.#database.transaction(() => {
      const earlier = this.#database
        .prepare('SELECT id FROM hms_lab_message WHERE connection_id = ? AND content_hash = ? ORDER BY received_at LIMIT 1')
        .pluck()
        .get(connectionId, contentHash) as string | undefined;
      this.#database
        .prepare(
          'INSERT INTO hms_lab_message (id, connection_id, protocol, received_at, content_hash, repeat_of, raw, outcome, detail_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(id, connectionId, protocol, receivedAt, contentHash, earlier ?? null, bytes, 'received', '{}');
      return earlier ?? null;
    })();
    return { id, connectionId, protocol, receivedAt, contentHash, repeatOf, outcome: 'received', detail: {} };
  }

  /** Records what became of an archived message. */
  settle(messageId: string, outcome: Exclude<LabMessageOutcome, 'received'>, detail: LabMessageDetail): void {
    this.#ensureOpen();
    const result = this.#database.prepare('UPDATE hms_lab_message SET outcome = ?, detail_json = ? WHERE id = ?').run(outcome, JSON.stringify(detail), messageId);
    if (result.changes === 0) throw new Error(`Lab message ${messageId} is not in the archive; archive it before settling it`);
  }

  get(messageId: string): ArchivedLabMessage | undefined {
    const row = this.#database.prepare('SELECT id, connection_id, protocol, received_at, content_hash, repeat_of, outcome, detail_json FROM hms_lab_message WHERE id = ?').get(messageId) as
      | MessageRow
      | undefined;
    return row ? toArchivedMessage(row) : undefined;
  }

  /** Returns the raw bytes of an archived message, exactly as received. */
  raw(messageId: string): Buffer | undefined {
    return this.#database.prepare('SELECT raw FROM hms_lab_message WHERE id = ?').pluck().get(messageId) as Buffer | undefined;
  }

  /** Returns the newest messages first. */
  recent(limit: number): ArchivedLabMessage[] {
    const rows = this.#database
      .prepare('SELECT id, connection_id, protocol, received_at, content_hash, repeat_of, outcome, detail_json FROM hms_lab_message ORDER BY received_at DESC, rowid DESC LIMIT ?')
      .all(limit) as MessageRow[];
    return rows.map(toArchivedMessage);
  }

  /** Messages archived but never settled: a stop between archiving and storing their results. */
  unsettled(): ArchivedLabMessage[] {
    const rows = this.#database
      .prepare("SELECT id, connection_id, protocol, received_at, content_hash, repeat_of, outcome, detail_json FROM hms_lab_message WHERE outcome = 'received' ORDER BY received_at, rowid")
      .all() as MessageRow[];
    return rows.map(toArchivedMessage);
  }

  #ensureOpen(): void {
    if (this.#closed) throw new Error(`The lab archive of ${this.#filePath} is closed`);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    releaseConnection(this.#filePath);
  }
}
