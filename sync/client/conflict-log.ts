import { createHash } from 'node:crypto';

import { Subject } from 'rxjs';

import type { ConflictDocument, ConflictOutcome, ConflictResolution } from '../protocol/conflict-rules.js';
import type { ConflictAuthor } from '../protocol/wire.js';
import type { DatabaseKey, SqliteDatabase } from '../replica/sqlite/connection-pool.js';
import { acquireConnection, releaseConnection } from '../replica/sqlite/connection-pool.js';

/**
 * Push conflicts this workstation met, kept in the replica's own (encrypted) SQLite file beside
 * the documents. A conflict that a rule settled without loss is kept as `merged` for the record;
 * one where the server's copy replaced local content stays `open` until a person acknowledges
 * it or decides which version stands. The local version is never thrown away.
 */

export type ConflictStatus = 'open' | 'merged' | 'acknowledged' | 'resolved';

export interface ConflictRecord {
  id: number;
  collection: string;
  documentId: string;
  resourceType: string;
  patientId: string;
  outcome: Exclude<ConflictOutcome, 'same'>;
  rule: ConflictResolution<ConflictDocument>['rule'];
  /** FHIR elements both sides changed differently. */
  overlapping: string[];
  /** The version this workstation wanted to write. */
  local: ConflictDocument;
  /** The server's version when the conflict was met. */
  server: ConflictDocument;
  /** The version stored after the rule ran. */
  settled: ConflictDocument;
  detectedAt: string;
  status: ConflictStatus;
  /** Who acknowledged or resolved it, when, and (for 'resolved') which version stands. */
  closedBy: string | null;
  closedAt: string | null;
  decision: 'local' | 'server' | null;
  authors: ConflictAuthors;
}

/** Authors of the two versions of a conflict: the local one from here, the server's from wherever it was written. */
export interface ConflictAuthors {
  /** The user whose sync sign-in pushed the local version, and this workstation. */
  local: { userId: string | null; workstationId: string | null };
  /** The server's author of its version; null when the server did not say (the seed, older servers). */
  server: ConflictAuthor | null;
}

export interface NewConflict {
  collection: string;
  local: ConflictDocument;
  server: ConflictDocument;
  resolution: ConflictResolution<ConflictDocument>;
  detectedAt: Date;
  authors?: ConflictAuthors;
}

interface ConflictRow {
  id: number;
  collection: string;
  document_id: string;
  resource_type: string;
  patient_id: string;
  outcome: ConflictRecord['outcome'];
  rule: ConflictRecord['rule'];
  overlapping: string;
  local_document: string;
  server_document: string;
  settled_document: string;
  detected_at: string;
  status: ConflictStatus;
  closed_by: string | null;
  closed_at: string | null;
  decision: 'local' | 'server' | null;
  authors: string | null;
}

function fingerprint(document: ConflictDocument): string {
  return createHash('sha256').update(JSON.stringify(document)).digest('hex').slice(0, 32);
}

function toRecord(row: ConflictRow): ConflictRecord {
  return {
    id: row.id,
    collection: row.collection,
    documentId: row.document_id,
    resourceType: row.resource_type,
    patientId: row.patient_id,
    outcome: row.outcome,
    rule: row.rule,
    overlapping: JSON.parse(row.overlapping) as string[],
    local: JSON.parse(row.local_document) as ConflictDocument,
    server: JSON.parse(row.server_document) as ConflictDocument,
    settled: JSON.parse(row.settled_document) as ConflictDocument,
    detectedAt: row.detected_at,
    status: row.status,
    closedBy: row.closed_by,
    closedAt: row.closed_at,
    decision: row.decision,
    authors: row.authors ? (JSON.parse(row.authors) as ConflictAuthors) : { local: { userId: null, workstationId: null }, server: null },
  };
}

export class ConflictLog {
  /** Emits the number of open conflicts after every change. */
  readonly changed$ = new Subject<number>();
  readonly #filePath: string;
  readonly #database: SqliteDatabase;
  #closed = false;

  constructor(filePath: string, key?: DatabaseKey) {
    this.#filePath = filePath;
    this.#database = acquireConnection(filePath, key);
    this.#database.exec(`
      CREATE TABLE IF NOT EXISTS hms_conflicts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        collection TEXT NOT NULL, document_id TEXT NOT NULL, resource_type TEXT NOT NULL, patient_id TEXT NOT NULL,
        outcome TEXT NOT NULL, rule TEXT NOT NULL, overlapping TEXT NOT NULL,
        local_document TEXT NOT NULL, server_document TEXT NOT NULL, settled_document TEXT NOT NULL,
        fingerprint TEXT NOT NULL UNIQUE,
        detected_at TEXT NOT NULL, status TEXT NOT NULL,
        closed_by TEXT, closed_at TEXT, decision TEXT);
      CREATE INDEX IF NOT EXISTS hms_conflicts_status ON hms_conflicts (status, detected_at);
    `);
    // Added after the first release: who wrote each version.
    const columns = this.#database.prepare("SELECT name FROM pragma_table_info('hms_conflicts')").pluck().all() as string[];
    if (!columns.includes('authors')) this.#database.prepare('ALTER TABLE hms_conflicts ADD COLUMN authors TEXT').run();
  }

  /**
   * Records a conflict the replication settled; returns it, or undefined when nothing needs keeping
   * (the versions were the same) or when the same pair of versions was recorded before (RxDB may
   * settle one conflict again after an interrupted write).
   */
  record(conflict: NewConflict): ConflictRecord | undefined {
    const { resolution } = conflict;
    if (resolution.outcome === 'same') return undefined;
    const status: ConflictStatus = resolution.outcome === 'merged' ? 'merged' : 'open';
    const patientId = (resolution.document as { patientId?: unknown }).patientId;
    const row = this.#database
      .prepare(
        `INSERT INTO hms_conflicts (collection, document_id, resource_type, patient_id, outcome, rule, overlapping, local_document, server_document, settled_document, fingerprint, detected_at, status, authors)
         VALUES (@collection, @documentId, @resourceType, @patientId, @outcome, @rule, @overlapping, @local, @server, @settled, @fingerprint, @detectedAt, @status, @authors)
         ON CONFLICT (fingerprint) DO NOTHING RETURNING *`,
      )
      .get({
        collection: conflict.collection,
        documentId: conflict.server.id,
        resourceType: conflict.server.resourceType,
        patientId: typeof patientId === 'string' ? patientId : '',
        outcome: resolution.outcome,
        rule: resolution.rule,
        overlapping: JSON.stringify(resolution.overlapping),
        local: JSON.stringify(conflict.local),
        server: JSON.stringify(conflict.server),
        settled: JSON.stringify(resolution.document),
        fingerprint: `${conflict.collection}:${conflict.server.id}:${fingerprint(conflict.local)}:${fingerprint(conflict.server)}`,
        detectedAt: conflict.detectedAt.toISOString(),
        status,
        authors: conflict.authors ? JSON.stringify(conflict.authors) : null,
      }) as ConflictRow | undefined;
    if (row) this.#notify();
    return row ? toRecord(row) : undefined;
  }

  /** Open conflicts, newest first; with `includeClosed`, the closed ones follow. */
  list(options: { includeClosed?: boolean; limit?: number } = {}): ConflictRecord[] {
    const where = options.includeClosed ? '' : "WHERE status = 'open'";
    const rows = this.#database
      .prepare(`SELECT * FROM hms_conflicts ${where} ORDER BY status = 'open' DESC, detected_at DESC, id DESC LIMIT ?`)
      .all(options.limit ?? 200) as ConflictRow[];
    return rows.map(toRecord);
  }

  get(id: number): ConflictRecord | undefined {
    const row = this.#database.prepare('SELECT * FROM hms_conflicts WHERE id = ?').get(id) as ConflictRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  openCount(): number {
    return this.#database.prepare("SELECT COUNT(*) FROM hms_conflicts WHERE status = 'open'").pluck().get() as number;
  }

  /** Ids of documents with an open conflict among `documentIds`. */
  openAmong(collection: string, documentIds: string[]): Set<string> {
    const select = this.#database.prepare("SELECT 1 FROM hms_conflicts WHERE collection = ? AND document_id = ? AND status = 'open' LIMIT 1");
    return new Set(documentIds.filter((id) => select.get(collection, id) !== undefined));
  }

  /** Open conflicts about one document, newest first. */
  openFor(collection: string, documentId: string): ConflictRecord[] {
    const rows = this.#database
      .prepare("SELECT * FROM hms_conflicts WHERE collection = ? AND document_id = ? AND status = 'open' ORDER BY detected_at DESC, id DESC")
      .all(collection, documentId) as ConflictRow[];
    return rows.map(toRecord);
  }

  /** Closes an open conflict: acknowledged (the server's version stands) or resolved with a decision. */
  closeConflict(id: number, closing: { by: string; at: Date; decision?: 'local' | 'server' }): ConflictRecord {
    const status: ConflictStatus = closing.decision ? 'resolved' : 'acknowledged';
    const row = this.#database
      .prepare("UPDATE hms_conflicts SET status = ?, closed_by = ?, closed_at = ?, decision = ? WHERE id = ? AND status = 'open' RETURNING *")
      .get(status, closing.by, closing.at.toISOString(), closing.decision ?? null, id) as ConflictRow | undefined;
    if (!row) {
      const existing = this.get(id);
      throw new Error(existing ? `Conflict ${id} is already ${existing.status}` : `No conflict ${id} on this workstation`);
    }
    this.#notify();
    return toRecord(row);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.changed$.complete();
    releaseConnection(this.#filePath);
  }

  #notify(): void {
    this.changed$.next(this.openCount());
  }
}
