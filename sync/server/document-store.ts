import type { CollectionName } from '../protocol/collections.js';
import type { ReplicatedDocument } from '../protocol/documents.js';
import type { ConflictAuthor, WireDocument } from '../protocol/wire.js';
import type { Queryable } from './database/index.js';

/** SQL access to the `documents` table. Every write sets `txid` through the table's trigger. */

export interface StoredDocument {
  document: WireDocument;
  patientId: string;
  /** Who last wrote the stored state, where and when; null for the seed and for rows older than these columns. */
  writtenBy: ConflictAuthor;
}

/** The signed-in user and workstation that wrote a document; undefined for the seed. */
export interface Writer {
  userId: string;
  workstationId: string;
}

/** A document to write: its JSON, and the derived fields (computed or checked by the server) that fill the other columns. */
export interface DocumentRow {
  collection: CollectionName;
  /** The document exactly as the client sent it (or the seed built it), `_deleted` included. */
  document: WireDocument;
  derived: ReplicatedDocument;
}

/** Reads a document and locks its row until the transaction ends; undefined when there is none. */
export async function lockDocument(transaction: Queryable, collection: CollectionName, id: string): Promise<StoredDocument | undefined> {
  const { rows } = await transaction.query<{ document: WireDocument; patient_id: string; user_id: string | null; display_name: string | null; workstation_id: string | null; updated_at: Date | string | null }>(
    `SELECT documents.document, documents.patient_id, documents.updated_by_user_id AS user_id, users.display_name,
            documents.updated_by_workstation_id AS workstation_id, documents.updated_at
     FROM documents LEFT JOIN users ON users.id = documents.updated_by_user_id
     WHERE documents.collection = $1 AND documents.id = $2 FOR UPDATE OF documents`,
    [collection, id],
  );
  const row = rows[0];
  if (!row) return undefined;
  const writtenBy: ConflictAuthor = {
    id,
    userId: row.user_id,
    userName: row.display_name,
    workstationId: row.workstation_id,
    writtenAt: row.updated_at === null ? null : new Date(row.updated_at).toISOString(),
  };
  return { document: row.document, patientId: row.patient_id, writtenBy };
}

function patientIdOf(derived: ReplicatedDocument): string {
  return 'patientId' in derived ? derived.patientId : '';
}

function rowParameters(row: DocumentRow, writer: Writer | undefined): unknown[] {
  return [
    row.collection,
    row.document.id,
    row.derived.resourceType,
    patientIdOf(row.derived),
    'wardId' in row.derived ? row.derived.wardId : '',
    // Sent as text and cast in SQL: `pg` would turn a JavaScript array into a PostgreSQL array.
    JSON.stringify(row.document),
    row.document._deleted,
    writer?.userId ?? null,
    writer?.workstationId ?? null,
  ];
}

/**
 * Inserts a document unless its id exists. Returns false when a row with this id was already there,
 * including one that a concurrent transaction committed after this one began.
 */
export async function insertDocument(transaction: Queryable, row: DocumentRow, writer: Writer | undefined): Promise<boolean> {
  const { rowCount } = await transaction.query(
    `INSERT INTO documents (collection, id, resource_type, patient_id, ward_id, document, deleted, updated_by_user_id, updated_by_workstation_id)
     VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7, $8, $9)
     ON CONFLICT (collection, id) DO NOTHING`,
    rowParameters(row, writer),
  );
  return rowCount > 0;
}

export async function updateDocument(transaction: Queryable, row: DocumentRow, writer: Writer | undefined): Promise<void> {
  await transaction.query(
    `UPDATE documents SET resource_type = $3, patient_id = $4, ward_id = $5, document = $6::text::jsonb, deleted = $7,
       updated_by_user_id = $8, updated_by_workstation_id = $9
     WHERE collection = $1 AND id = $2`,
    rowParameters(row, writer),
  );
}

/**
 * Moves every record and entry of these patients to the end of the change feed by giving them this
 * transaction's txid, without changing their content. A ward that has just gained a patient has
 * pulled past that patient's older documents, so they must come again.
 */
export async function replayPatientDocuments(transaction: Queryable, patientIds: readonly string[]): Promise<number> {
  if (patientIds.length === 0) return 0;
  const { rowCount } = await transaction.query(
    `UPDATE documents SET txid = pg_current_xact_id()
     WHERE collection IN ('records', 'entries') AND patient_id = ANY($1::text[]) AND txid <> pg_current_xact_id()`,
    [patientIds],
  );
  return rowCount;
}
