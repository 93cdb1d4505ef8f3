import type {
  BulkWriteRow,
  EventBulk,
  PreparedQuery,
  RxDocumentData,
  RxJsonSchema,
  RxStorageBulkWriteResponse,
  RxStorageChangeEvent,
  RxStorageCountResult,
  RxStorageDefaultCheckpoint,
  RxStorageInstance,
  RxStorageQueryResult,
  RxStorageReplicationMeta,
} from 'rxdb';
import {
  categorizeBulkWriteRows,
  getChangedDocumentsSinceQuery,
  getPrimaryFieldOfPrimaryKey,
  getRxReplicationMetaInstanceSchema,
  getQueryMatcher,
  getSortComparator,
  getStartIndexStringFromLowerBound,
  getStartIndexStringFromUpperBound,
  now,
  prepareQuery,
  randomToken,
} from 'rxdb';
import type BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import type { Observable } from 'rxjs';
import { Subject } from 'rxjs';

import { commitWithoutSync, isServerCopyWrite } from './commit-durability.js';
import type { SqliteDatabase } from './connection-pool.js';
import { acquireConnection, releaseConnection } from './connection-pool.js';
import type { IndexColumn } from './index-columns.js';
import { buildIndexColumns, INDEX_KEY_FORMAT, indexKey } from './index-columns.js';
import { encodeIndexKey } from './index-key-encoding.js';
import { loadsOf, masterStateRow, mayBeLoadedCopy } from './loaded-copies.js';

/** Context of the meta rows written for loaded documents. */
const INITIAL_LOAD_META_CONTEXT = 'hms-initial-load-master-state';

export interface SqliteInstanceInternals {
  filePath: string;
  tableName: string;
}

export interface SqliteInstanceOptions {
  /** Rows deleted per cleanup() call, so one call never holds the write lock for long. */
  cleanupBatchSize?: number;
}

type Statement = BetterSqlite3.Statement<unknown[]>;

type ChangeBulk<RxDocType> = EventBulk<RxStorageChangeEvent<RxDocumentData<RxDocType>>, RxStorageDefaultCheckpoint>;

/**
 * Change streams are shared by every instance of one table in this process, so that two RxDB
 * instances of the same database see each other's writes, as the RxStorage contract requires.
 */
const changeSubjects = new Map<string, { subject: Subject<ChangeBulk<unknown>>; references: number }>();

/**
 * Returns the row with `_deleted` as a boolean. RxDB always writes one, but another caller of the
 * storage may leave it absent or null. The stored JSON must then agree with the `deleted` column
 * and the index strings, which read any truthy value as deleted, or the document drops out of
 * queries that match the stored JSON after a reload.
 */
function withBooleanDeletedFlag<RxDocType>(row: BulkWriteRow<RxDocType>): BulkWriteRow<RxDocType> {
  if (typeof row.document._deleted === 'boolean') return row;
  return { ...row, document: { ...row.document, _deleted: Boolean(row.document._deleted) } };
}

/**
 * Derives the change event of replacing `previous` by `document` as RxDB's categorizeBulkWriteRows
 * does: a deleted document that comes back is an insert, and any write of a deleted one a deletion.
 */
function changeOfReplacement<RxDocType>(
  id: string,
  previous: RxDocumentData<RxDocType> | undefined,
  document: RxDocumentData<RxDocType>,
): RxStorageChangeEvent<RxDocumentData<RxDocType>> | undefined {
  if (document._deleted) return previous ? { documentId: id, operation: 'DELETE', documentData: document, previousDocumentData: previous } : undefined;
  if (!previous || previous._deleted) return { documentId: id, operation: 'INSERT', documentData: document, previousDocumentData: undefined };
  return { documentId: id, operation: 'UPDATE', documentData: document, previousDocumentData: previous };
}

function acquireChangeSubject(key: string): Subject<ChangeBulk<unknown>> {
  const existing = changeSubjects.get(key);
  if (existing) {
    existing.references += 1;
    return existing.subject;
  }
  const subject = new Subject<ChangeBulk<unknown>>();
  changeSubjects.set(key, { subject, references: 1 });
  return subject;
}

function releaseChangeSubject(key: string): void {
  const existing = changeSubjects.get(key);
  if (!existing) return;
  existing.references -= 1;
  if (existing.references > 0) return;
  changeSubjects.delete(key);
  existing.subject.complete();
}

/** Double-quotes an SQL identifier; table names come from RxDB collection names. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

const SQLITE_MAX_PARAMETERS = 900;
/** Read statements kept prepared per storage instance. */
const PREPARED_STATEMENTS = 64;
/** Per table, the byte format of its index columns (see index-columns.ts). */
const FORMAT_TABLE = 'hms_storage_format';
const EMPTY_BLOB = Buffer.alloc(0);

/**
 * Resolves after the event loop's next check phase. bulkWrite, findDocumentsById, query and count
 * await it before they return, because better-sqlite3 works synchronously: without it a loop of
 * awaited calls runs on microtasks alone, so timers, I/O and FinalizationRegistry callbacks wait
 * until the loop ends. RxDB frees its document cache entries in such callbacks. Without this yield,
 * bench/replica-scale.ts ended its 600,000 inserts with 1.8 GB of documents still on the heap.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

export class SqliteStorageInstance<RxDocType>
  implements RxStorageInstance<RxDocType, SqliteInstanceInternals, SqliteInstanceOptions, RxStorageDefaultCheckpoint>
{
  readonly primaryPath: string;
  readonly #indexColumns: IndexColumn<RxDocType>[];
  readonly #indexColumnsByKey: Map<string, IndexColumn<RxDocType>>;
  readonly #table: string;
  readonly #attachmentsTable: string;
  readonly #changes: Subject<ChangeBulk<RxDocType>>;
  readonly #changeKey: string;
  #closed = false;
  /** Columns of an older table layout that every write fills with an empty BLOB. */
  #legacyColumns: string[] = [];
  #upsert?: Statement;
  #insertIfNew?: Statement;
  /** Recently used read statements by SQL, most recent last; preparing one costs more than a small read. */
  readonly #statements = new Map<string, Statement>();
  /** Meta instances of the replications whose loaded documents this table holds, by collection name. */
  readonly #metaInstances = new Map<string, SqliteStorageInstance<RxStorageReplicationMeta<RxDocType, unknown>>>();

  constructor(
    readonly database: SqliteDatabase,
    readonly databaseName: string,
    readonly collectionName: string,
    readonly schema: Readonly<RxJsonSchema<RxDocumentData<RxDocType>>>,
    readonly internals: SqliteInstanceInternals,
    readonly options: Readonly<SqliteInstanceOptions>,
  ) {
    this.primaryPath = getPrimaryFieldOfPrimaryKey(schema.primaryKey) as string;
    this.#indexColumns = buildIndexColumns(schema);
    this.#indexColumnsByKey = new Map(this.#indexColumns.map((column) => [column.key, column]));
    this.#table = quoteIdentifier(internals.tableName);
    this.#attachmentsTable = quoteIdentifier(`${internals.tableName}__attachments`);
    this.#changeKey = `${internals.filePath}\u0000${internals.tableName}`;
    this.#changes = acquireChangeSubject(this.#changeKey) as Subject<ChangeBulk<RxDocType>>;
    this.#createTables();
  }

  #createTables(): void {
    const indexColumnsSql = this.#indexColumns.map((index) => `, ${index.column} BLOB NOT NULL`).join('');
    const indexName = (suffix: string) => quoteIdentifier(`${this.internals.tableName}__${suffix}`);
    const statements = [
      // A rowid table: rows are appended in write order and a document of a few KB fits in its leaf
      // page. Tables of earlier versions are keyed by the document id (WITHOUT ROWID). There each
      // write went to a random leaf, and a FHIR entry spilled into an overflow page of its own, so a
      // 20,000-entry sync in the storage alone used about 20 % more CPU. Both layouts take the same SQL.
      `CREATE TABLE IF NOT EXISTS ${this.#table} (id TEXT NOT NULL UNIQUE, data TEXT NOT NULL, deleted INTEGER NOT NULL, lwt REAL NOT NULL, rev TEXT NOT NULL${indexColumnsSql})`,
      ...this.#indexColumns.map((index) => `CREATE INDEX IF NOT EXISTS ${indexName(index.column)} ON ${this.#table} (${index.column})`),
      // cleanup() reads only deleted documents, so only they need to be in its index.
      `CREATE INDEX IF NOT EXISTS ${indexName('deleted_lwt')} ON ${this.#table} (lwt) WHERE deleted = 1`,
      `DROP INDEX IF EXISTS ${indexName('lwt')}`,
    ];
    if (this.schema.attachments) {
      statements.push(
        `CREATE TABLE IF NOT EXISTS ${this.#attachmentsTable} (document_id TEXT NOT NULL, attachment_id TEXT NOT NULL, digest TEXT NOT NULL, type TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (document_id, attachment_id)) WITHOUT ROWID`,
      );
    }
    this.database.transaction(() => {
      const tableExisted = this.#tableExists();
      for (const statement of statements) this.database.prepare(statement).run();
      this.#dropLegacyCleanupColumnIndex(indexName);
      this.#upgradeIndexKeyFormat(tableExisted);
    })();
  }

  #tableExists(): boolean {
    return this.database.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(this.internals.tableName) !== undefined;
  }

  /**
   * Rewrites the index columns of a table written in an older index key format, from each row's
   * JSON, in the transaction that opens the table: a crash leaves the old format and its marker,
   * and the next start rewrites again. The format is kept per table in `hms_storage_format`.
   */
  #upgradeIndexKeyFormat(tableExisted: boolean): void {
    this.database.prepare(`CREATE TABLE IF NOT EXISTS ${FORMAT_TABLE} (table_name TEXT PRIMARY KEY NOT NULL, index_key_format INTEGER NOT NULL) WITHOUT ROWID`).run();
    const stored = this.database.prepare(`SELECT index_key_format FROM ${FORMAT_TABLE} WHERE table_name = ?`).pluck().get(this.internals.tableName) as number | undefined;
    if (stored === INDEX_KEY_FORMAT) return;
    if (stored !== undefined && stored > INDEX_KEY_FORMAT) {
      throw new Error(
        `Table ${this.internals.tableName} of ${this.internals.filePath} uses index key format ${stored}, newer than this version's ${INDEX_KEY_FORMAT}; update HMS Workstation to open this replica`,
      );
    }
    // A table from before the marker is in format 1. A new table starts empty in the current one.
    if (tableExisted && this.#indexColumns.length > 0) this.#rewriteIndexColumns();
    this.database.prepare(`INSERT OR REPLACE INTO ${FORMAT_TABLE} (table_name, index_key_format) VALUES (?, ?)`).run(this.internals.tableName, INDEX_KEY_FORMAT);
  }

  #rewriteIndexColumns(): void {
    const page = this.database.prepare(`SELECT id, data FROM ${this.#table} WHERE id > ? ORDER BY id LIMIT 1000`);
    const assignments = this.#indexColumns.map((index) => `${index.column} = ?`).join(', ');
    const update = this.database.prepare(`UPDATE ${this.#table} SET ${assignments} WHERE id = ?`);
    let after = '';
    for (;;) {
      const rows = page.all(after) as { id: string; data: string }[];
      if (rows.length === 0) return;
      for (const row of rows) {
        const document = JSON.parse(row.data) as RxDocumentData<RxDocType>;
        update.run(...this.#indexColumns.map((index) => index.encode(document)), row.id);
      }
      after = rows[rows.length - 1]?.id ?? after;
    }
  }

  /**
   * Tables created before the partial cleanup index have one more index column, for RxDB's
   * `['_deleted', '_meta.lwt', primaryKey]` index, which no query reads. Its index is dropped and
   * each write fills the column with an empty BLOB, so old files open without a table rebuild.
   */
  #dropLegacyCleanupColumnIndex(indexName: (suffix: string) => string): void {
    const legacyColumn = `idx${this.#indexColumns.length}`;
    const columns = this.database.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(this.internals.tableName) as string[];
    if (!columns.includes(legacyColumn)) return;
    this.#legacyColumns = [legacyColumn];
    this.database.prepare(`DROP INDEX IF EXISTS ${indexName(legacyColumn)}`).run();
  }

  #ensureOpen(): void {
    if (this.#closed) {
      throw new Error(`SQLite storage instance ${this.databaseName}/${this.collectionName} is closed; open the database again`);
    }
  }

  #prepared(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (statement) {
      this.#statements.delete(sql);
    } else {
      statement = this.database.prepare(sql);
      if (this.#statements.size >= PREPARED_STATEMENTS) {
        const oldest = this.#statements.keys().next().value;
        if (oldest !== undefined) this.#statements.delete(oldest);
      }
    }
    this.#statements.set(sql, statement);
    return statement;
  }

  #readDocuments(sql: string, parameters: unknown[]): RxDocumentData<RxDocType>[] {
    const rows = this.#prepared(sql).pluck().all(...parameters) as string[];
    return rows.map((data) => JSON.parse(data) as RxDocumentData<RxDocType>);
  }

  /** The row of a document; `json`, when given, must be the document's JSON. */
  #rowValues(document: RxDocumentData<RxDocType>, json?: string | Buffer): unknown[] {
    const id = (document as Record<string, unknown>)[this.primaryPath] as string;
    return [
      id,
      json ?? JSON.stringify(document),
      document._deleted ? 1 : 0,
      document._meta.lwt,
      document._rev,
      ...this.#indexColumns.map((index) => index.encode(document)),
      ...this.#legacyColumns.map(() => EMPTY_BLOB),
    ];
  }

  #insertStatement(verb: 'INSERT OR REPLACE' | 'INSERT OR IGNORE'): Statement {
    const columns = ['id', 'data', 'deleted', 'lwt', 'rev', ...this.#indexColumns.map((index) => index.column), ...this.#legacyColumns];
    // The document's JSON may come as UTF-8 bytes (pull-lines.ts), which the cast stores as text
    // without decoding them into a JavaScript string first. A string passes through unchanged.
    const values = columns.map((column) => (column === 'data' ? 'CAST(? AS TEXT)' : '?'));
    return this.database.prepare(`${verb} INTO ${this.#table} (${columns.join(', ')}) VALUES (${values.join(', ')})`);
  }

  #upsertStatement(): Statement {
    this.#upsert ??= this.#insertStatement('INSERT OR REPLACE');
    return this.#upsert;
  }

  async bulkWrite(documentWrites: BulkWriteRow<RxDocType>[], context: string): Promise<RxStorageBulkWriteResponse<RxDocType>> {
    this.#ensureOpen();
    const writes = documentWrites.map(withBooleanDeletedFlag);
    // Attachment data arrives as Blobs, which can only be read asynchronously; read them before the
    // synchronous transaction starts.
    const attachmentBytes = this.schema.attachments ? await readAttachmentBlobs(writes) : new Map<Blob, Buffer>();

    const upsert = this.#upsertStatement();

    // BEGIN IMMEDIATE takes the write lock before the conflict check reads, so another process
    // writing the same file cannot slip a revision in between the check and the write.
    const write = this.database.transaction(() => {
      const ids = writes.map((row) => (row.document as Record<string, unknown>)[this.primaryPath] as string);
      const docsInDb = new Map<string, RxDocumentData<RxDocType>>();
      for (const idChunk of chunk(ids, SQLITE_MAX_PARAMETERS)) {
        const found = this.#readDocuments(`SELECT data FROM ${this.#table} WHERE id IN (${idChunk.map(() => '?').join(', ')})`, idChunk);
        for (const document of found) docsInDb.set((document as Record<string, unknown>)[this.primaryPath] as string, document);
      }

      const categorized = categorizeBulkWriteRows<RxDocType>(this, this.primaryPath as never, docsInDb, writes, context);
      if (!isServerCopyWrite(context)) this.#keepLoadedMasterStates(categorized.bulkUpdateDocs);
      for (const row of categorized.bulkInsertDocs) upsert.run(...this.#rowValues(row.document));
      for (const row of categorized.bulkUpdateDocs) upsert.run(...this.#rowValues(row.document));
      if (this.schema.attachments) this.#writeAttachments(categorized, attachmentBytes);
      return categorized;
    });
    const categorized = isServerCopyWrite(context) ? commitWithoutSync(this.database, () => write.immediate()) : write.immediate();

    if (categorized.eventBulk.events.length > 0 && categorized.newestRow) {
      const newest = categorized.newestRow.document;
      categorized.eventBulk.checkpoint = {
        id: (newest as Record<string, unknown>)[this.primaryPath] as string,
        lwt: newest._meta.lwt,
      };
      this.#changes.next(categorized.eventBulk as ChangeBulk<RxDocType>);
    }
    await yieldToEventLoop();
    return { error: categorized.errors };
  }

  /**
   * Stores server copies without RxDB's revision check, for the initial load of a collection (see
   * initial-load-target.ts). It must run inside the caller's transaction. It returns the change
   * events to publish once that transaction commits, and the ids it left alone. A stored document
   * is replaced only when `replaces` accepts it, as when the server's feed sends a document twice
   * because it changed during the load. Documents written here before the load stay as they are.
   * `texts` may give the JSON of each document at its index, as text or UTF-8 bytes, which is
   * then stored as it is.
   */
  writeServerCopies(
    documents: readonly RxDocumentData<RxDocType>[],
    context: string,
    replaces: (stored: RxDocumentData<RxDocType>) => boolean,
    texts?: readonly (string | Buffer | undefined)[],
  ): { changes: ChangeBulk<RxDocType>; keptIds: Set<string> } {
    this.#ensureOpen();
    if (!this.database.inTransaction) throw new Error(`writeServerCopies on ${this.collectionName} must run inside a transaction`);
    if (this.schema.attachments) throw new Error(`Collection ${this.collectionName} has attachments, which server copies cannot carry`);
    this.#insertIfNew ??= this.#insertStatement('INSERT OR IGNORE');
    const upsert = this.#upsertStatement();
    const events: RxStorageChangeEvent<RxDocumentData<RxDocType>>[] = [];
    const keptIds = new Set<string>();
    let newest: RxDocumentData<RxDocType> | undefined;
    for (const [index, document] of documents.entries()) {
      const values = this.#rowValues(document, texts?.[index]);
      const id = values[0] as string;
      if (this.#insertIfNew.run(...values).changes === 1) {
        newest = document;
        if (!document._deleted) events.push({ documentId: id, operation: 'INSERT', documentData: document, previousDocumentData: undefined });
        continue;
      }
      const [stored] = this.#readDocuments(`SELECT data FROM ${this.#table} WHERE id = ?`, [id]);
      if (!stored || !replaces(stored)) {
        keptIds.add(id);
        continue;
      }
      upsert.run(...values);
      newest = document;
      const event = changeOfReplacement(id, stored, document);
      if (event) events.push(event);
    }
    const changes = {
      id: `${context}-${randomToken(10)}`,
      events,
      checkpoint: newest ? { id: (newest as Record<string, unknown>)[this.primaryPath] as string, lwt: newest._meta.lwt } : null,
      context,
    } as ChangeBulk<RxDocType>;
    return { changes, keptIds };
  }

  /** Publishes what writeServerCopies returned, after its transaction committed. */
  publishChanges(bulk: ChangeBulk<RxDocType>): void {
    if (bulk.events.length > 0) this.#changes.next(bulk);
  }

  /**
   * Writes RxDB's meta row of each document of an initial load that a local write is about to
   * replace, from the stored document (see loaded-copies.ts). Runs inside bulkWrite's transaction.
   */
  #keepLoadedMasterStates(rows: readonly { previous?: RxDocumentData<RxDocType> }[]): void {
    const candidates = rows.flatMap((row) => (row.previous && mayBeLoadedCopy(row.previous) ? [row.previous] : []));
    if (candidates.length === 0) return;
    const loads = loadsOf(this.database, this.internals.tableName);
    for (const previous of candidates) {
      const load = loads.find((entry) => entry.revision === previous._rev && entry.lwt === previous._meta.lwt);
      if (!load) continue;
      this.#metaInstance(load.metaCollection).writeServerCopies([masterStateRow(previous, this.primaryPath, load)], INITIAL_LOAD_META_CONTEXT, () => false);
    }
  }

  #metaInstance(collectionName: string): SqliteStorageInstance<RxStorageReplicationMeta<RxDocType, unknown>> {
    let instance = this.#metaInstances.get(collectionName);
    if (!instance) {
      const schema = getRxReplicationMetaInstanceSchema<RxDocType, unknown>(this.schema, false);
      // A reference of its own to the open connection, which its close() releases.
      const database = acquireConnection(this.internals.filePath);
      instance = new SqliteStorageInstance(database, this.databaseName, collectionName, schema, { filePath: this.internals.filePath, tableName: `${collectionName}-v${schema.version}` }, {});
      this.#metaInstances.set(collectionName, instance);
    }
    return instance;
  }

  #writeAttachments(categorized: ReturnType<typeof categorizeBulkWriteRows<RxDocType>>, bytes: Map<Blob, Buffer>): void {
    const put = this.database.prepare(
      `INSERT OR REPLACE INTO ${this.#attachmentsTable} (document_id, attachment_id, digest, type, data) VALUES (?, ?, ?, ?, ?)`,
    );
    const remove = this.database.prepare(`DELETE FROM ${this.#attachmentsTable} WHERE document_id = ? AND attachment_id = ?`);
    for (const attachment of [...categorized.attachmentsAdd, ...categorized.attachmentsUpdate]) {
      const data = bytes.get(attachment.attachmentData.data);
      if (!data) throw new Error(`Attachment ${attachment.attachmentId} of ${attachment.documentId} has no readable data`);
      put.run(attachment.documentId, attachment.attachmentId, attachment.digest, attachment.attachmentData.type, data);
    }
    for (const attachment of categorized.attachmentsRemove) remove.run(attachment.documentId, attachment.attachmentId);
  }

  async findDocumentsById(ids: string[], withDeleted: boolean): Promise<RxDocumentData<RxDocType>[]> {
    this.#ensureOpen();
    const found: RxDocumentData<RxDocType>[] = [];
    const deletedFilter = withDeleted ? '' : ' AND deleted = 0';
    for (const idChunk of chunk(ids, SQLITE_MAX_PARAMETERS)) {
      found.push(
        ...this.#readDocuments(`SELECT data FROM ${this.#table} WHERE id IN (${idChunk.map(() => '?').join(', ')})${deletedFilter}`, idChunk),
      );
    }
    await yieldToEventLoop();
    return found;
  }

  #indexRange(preparedQuery: PreparedQuery<RxDocType>): { column: string; where: string; parameters: Buffer[] } {
    const plan = preparedQuery.queryPlan;
    const index = this.#indexColumnsByKey.get(indexKey(plan.index));
    if (!index) {
      throw new Error(`Query planned on index [${plan.index.join(', ')}], which collection ${this.collectionName} does not have`);
    }
    const lower = getStartIndexStringFromLowerBound(this.schema, plan.index, plan.startKeys);
    const upper = getStartIndexStringFromUpperBound(this.schema, plan.index, plan.endKeys);
    const where = `${index.column} ${plan.inclusiveStart ? '>=' : '>'} ? AND ${index.column} ${plan.inclusiveEnd ? '<=' : '<'} ?`;
    return { column: index.column, where, parameters: [encodeIndexKey(lower), encodeIndexKey(upper)] };
  }

  async query(preparedQuery: PreparedQuery<RxDocType>): Promise<RxStorageQueryResult<RxDocType>> {
    this.#ensureOpen();
    const { query, queryPlan } = preparedQuery;
    const skip = query.skip ?? 0;
    const limit = typeof query.limit === 'number' ? query.limit : Infinity;
    const range = this.#indexRange(preparedQuery);
    const baseSql = `SELECT data FROM ${this.#table} WHERE ${range.where} ORDER BY ${range.column}`;

    if (queryPlan.selectorSatisfiedByIndex && queryPlan.sortSatisfiedByIndex) {
      const sql = Number.isFinite(limit) ? `${baseSql} LIMIT ? OFFSET ?` : `${baseSql} LIMIT -1 OFFSET ?`;
      const parameters = Number.isFinite(limit) ? [...range.parameters, limit, skip] : [...range.parameters, skip];
      const documents = this.#readDocuments(sql, parameters);
      await yieldToEventLoop();
      return { documents };
    }

    const matches = queryPlan.selectorSatisfiedByIndex ? () => true : getQueryMatcher(this.schema, query);
    const wanted = skip + limit;
    let documents: RxDocumentData<RxDocType>[] = [];
    for (const data of this.#prepared(baseSql).pluck().iterate(...range.parameters) as IterableIterator<string>) {
      const document = JSON.parse(data) as RxDocumentData<RxDocType>;
      if (!matches(document)) continue;
      documents.push(document);
      // With the sort given by the index, the first skip+limit matches are the result.
      if (queryPlan.sortSatisfiedByIndex && documents.length >= wanted) break;
    }
    if (!queryPlan.sortSatisfiedByIndex) documents.sort(getSortComparator(this.schema, query));
    if (skip > 0 || documents.length > wanted) documents = documents.slice(skip, wanted);
    await yieldToEventLoop();
    return { documents };
  }

  /** SQLite's plan for the range scan of a query, for diagnostics and for tests that check index use. */
  explainQuery(preparedQuery: PreparedQuery<RxDocType>): string[] {
    const range = this.#indexRange(preparedQuery);
    const rows = this.database
      .prepare(`EXPLAIN QUERY PLAN SELECT data FROM ${this.#table} WHERE ${range.where} ORDER BY ${range.column}`)
      .all(...range.parameters) as { detail: string }[];
    return rows.map((row) => row.detail);
  }

  async count(preparedQuery: PreparedQuery<RxDocType>): Promise<RxStorageCountResult> {
    this.#ensureOpen();
    const range = this.#indexRange(preparedQuery);
    if (preparedQuery.queryPlan.selectorSatisfiedByIndex) {
      const count = this.#prepared(`SELECT COUNT(*) FROM ${this.#table} WHERE ${range.where}`).pluck().get(...range.parameters) as number;
      await yieldToEventLoop();
      return { count, mode: 'fast' };
    }
    const matches = getQueryMatcher(this.schema, preparedQuery.query);
    let count = 0;
    const rows = this.#prepared(`SELECT data FROM ${this.#table} WHERE ${range.where}`).pluck().iterate(...range.parameters);
    for (const data of rows as IterableIterator<string>) {
      if (matches(JSON.parse(data) as RxDocumentData<RxDocType>)) count += 1;
    }
    await yieldToEventLoop();
    return { count, mode: 'slow' };
  }

  async getAttachmentData(documentId: string, attachmentId: string, digest: string): Promise<Blob> {
    this.#ensureOpen();
    if (!this.schema.attachments) throw new Error(`Collection ${this.collectionName} has no attachments in its schema`);
    const row = this.database
      .prepare(`SELECT digest, type, data FROM ${this.#attachmentsTable} WHERE document_id = ? AND attachment_id = ?`)
      .get(documentId, attachmentId) as { digest: string; type: string; data: Buffer } | undefined;
    if (!row || row.digest !== digest) {
      throw new Error(`Attachment ${attachmentId} of ${documentId} with digest ${digest} not found`);
    }
    return new Blob([new Uint8Array(row.data)], { type: row.type });
  }

  /**
   * Reads documents after `checkpoint` in RxDB's order of `['_meta.lwt', primaryKey]`, the index
   * behind RxDB's own getChangedDocumentsSinceQuery. The checkpoint's index string is the lower
   * bound of one range scan. RxDB's query of `lwt > a OR (lwt = a AND id > b)` reads from the first
   * document of time `a` instead, which after an initial load is every loaded document (they share
   * one lwt). Index strings order as RxDB does; an SQL `ORDER BY lwt, id` would compare ids as
   * UTF-8 bytes, which orders characters beyond U+FFFF before U+E000–U+FFFF.
   */
  async getChangedDocumentsSince(
    limit: number,
    checkpoint?: RxStorageDefaultCheckpoint,
  ): Promise<{ documents: RxDocumentData<RxDocType>[]; checkpoint: RxStorageDefaultCheckpoint }> {
    this.#ensureOpen();
    const column = this.#indexColumnsByKey.get(indexKey(['_meta.lwt', this.primaryPath]));
    let documents: RxDocumentData<RxDocType>[];
    if (column) {
      const after = checkpoint ? encodeIndexKey(column.toIndexableString({ [this.primaryPath]: checkpoint.id, _meta: { lwt: checkpoint.lwt } } as never)) : EMPTY_BLOB;
      documents = this.#readDocuments(`SELECT data FROM ${this.#table} WHERE ${column.column} > ? ORDER BY ${column.column} LIMIT ?`, [after, limit]);
      await yieldToEventLoop();
    } else {
      documents = (await this.query(prepareQuery<RxDocType>(this.schema, getChangedDocumentsSinceQuery(this, limit, checkpoint)))).documents;
    }
    const last = documents.at(-1);
    return {
      documents,
      checkpoint: last ? { id: (last as Record<string, unknown>)[this.primaryPath] as string, lwt: last._meta.lwt } : (checkpoint ?? { id: '', lwt: 0 }),
    };
  }

  changeStream(): Observable<ChangeBulk<RxDocType>> {
    this.#ensureOpen();
    return this.#changes.asObservable();
  }

  async cleanup(minimumDeletedTime: number): Promise<boolean> {
    this.#ensureOpen();
    const batchSize = this.options.cleanupBatchSize ?? 5000;
    const newestPurgedLwt = now() - minimumDeletedTime;
    const purge = this.database.transaction(() => {
      const ids = this.database
        .prepare(`SELECT id FROM ${this.#table} WHERE deleted = 1 AND lwt <= ? ORDER BY lwt LIMIT ?`)
        .pluck()
        .all(newestPurgedLwt, batchSize + 1) as string[];
      const batch = ids.slice(0, batchSize);
      for (const idChunk of chunk(batch, SQLITE_MAX_PARAMETERS)) {
        const placeholders = idChunk.map(() => '?').join(', ');
        this.database.prepare(`DELETE FROM ${this.#table} WHERE id IN (${placeholders})`).run(...idChunk);
        if (this.schema.attachments) {
          this.database.prepare(`DELETE FROM ${this.#attachmentsTable} WHERE document_id IN (${placeholders})`).run(...idChunk);
        }
      }
      return ids.length <= batchSize;
    });
    return purge.immediate();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#metaInstances.values()].map((instance) => instance.close()));
    releaseChangeSubject(this.#changeKey);
    releaseConnection(this.internals.filePath);
  }

  async remove(): Promise<void> {
    this.#ensureOpen();
    this.database.transaction(() => {
      this.database.prepare(`DROP TABLE IF EXISTS ${this.#table}`).run();
      this.database.prepare(`DROP TABLE IF EXISTS ${this.#attachmentsTable}`).run();
      this.database.prepare(`DELETE FROM ${FORMAT_TABLE} WHERE table_name = ?`).run(this.internals.tableName);
    })();
    await this.close();
  }
}

async function readAttachmentBlobs<RxDocType>(rows: BulkWriteRow<RxDocType>[]): Promise<Map<Blob, Buffer>> {
  const bytes = new Map<Blob, Buffer>();
  for (const row of rows) {
    for (const attachment of Object.values(row.document._attachments ?? {})) {
      const data = (attachment as { data?: Blob }).data;
      if (data && !bytes.has(data)) bytes.set(data, Buffer.from(await data.arrayBuffer()));
    }
  }
  return bytes;
}
