import { AssertionError, deepStrictEqual } from 'node:assert/strict';
import { join } from 'node:path';

import Database from 'better-sqlite3-multiple-ciphers';

import fc from 'fast-check';
import type {
  BulkWriteRow,
  EventBulk,
  FilledMangoQuery,
  MangoQuery,
  PreparedQuery,
  RxDocumentData,
  RxStorage,
  RxStorageChangeEvent,
  RxStorageDefaultCheckpoint,
  RxStorageInstance,
} from 'rxdb';
import { clone, getChangedDocumentsSince, normalizeMangoQuery, now, prepareQuery, randomToken } from 'rxdb';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import type { Subscription } from 'rxjs';

import { buildIndexColumns } from '../../../sync/replica/sqlite/index-columns.js';
import { quoteIdentifier } from '../../../sync/replica/sqlite/sqlite-instance.js';
import { getRxStorageSQLite } from '../../../sync/replica/sqlite/sqlite-storage.js';
import type { Operation, RunPlan, WriteRowPlan } from './differential-operations.js';
import { FromDocument, runPlanArbitrary } from './differential-operations.js';
import type { DifferentialSubject, TestDocument } from './differential-schemas.js';

/**
 * Model-based differential test: random sequences of storage operations run on the SQLite storage
 * and on RxDB's memory storage (the reference semantics), at the RxStorageInstance level, and every
 * result must be identical. Queries are prepared as RxQuery prepares them (normalizeMangoQuery,
 * `_deleted: {$eq: false}` added after normalization, index hints prefixed with `_deleted`), and
 * some run without the `_deleted` filter, as replication and cleanup code does.
 *
 * Documents are compared whole: the SQLite storage keeps no fields of its own in them, because it
 * stores each document as JSON and its index strings in separate columns.
 *
 * Two results are compared as they are, except:
 * - findDocumentsById: sorted by id, because the RxStorage interface leaves the order open.
 * - count: only the number, because `mode` describes how the storage counted.
 * - change events: without the bulk's random `id`.
 */

type Document = RxDocumentData<TestDocument>;
type Instance = RxStorageInstance<TestDocument, unknown, unknown, RxStorageDefaultCheckpoint>;
type ChangeBulk = EventBulk<RxStorageChangeEvent<TestDocument>, RxStorageDefaultCheckpoint>;

const ONE_TICK = 1000;

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

async function settle<T>(action: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await action() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** JSON with every character outside printable ASCII escaped, so a report shows which code units differ. */
export function escapeForReport(value: unknown): string {
  return JSON.stringify(value, null, 0).replace(/[^\x20-\x7e]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function expectSame(method: string, operation: unknown, actual: unknown, expected: unknown): void {
  try {
    deepStrictEqual(actual, expected);
  } catch (error) {
    if (!(error instanceof AssertionError)) throw error;
    throw new Error(`${method} differs between SQLite (actual) and memory (expected) storage for ${escapeForReport(operation)}\n${error.message}`, { cause: error });
  }
}

async function compareOutcomes<T>(
  method: string,
  operation: unknown,
  sqlite: () => Promise<T>,
  memory: () => Promise<T>,
  normalize: (value: T) => unknown = (value) => value,
  statistics?: DifferentialStatistics,
): Promise<T | undefined> {
  const expected = await settle(memory);
  const actual = await settle(sqlite);
  if (!expected.ok && !actual.ok) {
    if (statistics) statistics.failedOnBoth += 1;
    return undefined;
  }
  if (!actual.ok) throw new Error(`${method} failed on SQLite but not on memory for ${escapeForReport(operation)}: ${String(actual.error)}`, { cause: actual.error });
  if (!expected.ok) throw new Error(`${method} failed on memory but not on SQLite for ${escapeForReport(operation)}: ${String(expected.error)}`, { cause: expected.error });
  expectSame(method, operation, normalize(actual.value), normalize(expected.value));
  return expected.value;
}

/** Prepares a query as RxQuery does for find() and count(), or as storage-level code does when `asRxQuery` is false. */
export function prepareLikeRxDB(subject: DifferentialSubject, mango: MangoQuery<TestDocument>, asRxQuery: boolean, isCount: boolean): PreparedQuery<TestDocument> {
  const normalized = clone(normalizeMangoQuery<TestDocument>(subject.schema, mango, isCount)) as FilledMangoQuery<TestDocument>;
  if (asRxQuery) {
    (normalized.selector as Record<string, unknown>)._deleted = { $eq: false };
    if (normalized.index) normalized.index.unshift('_deleted');
  } else {
    // Without the `_deleted` prefix a hint names no index of the storage, so storage-level code passes none.
    delete normalized.index;
  }
  return prepareQuery(subject.schema, normalized);
}

function valueAtPath(document: Record<string, unknown>, path: string): unknown {
  let value: unknown = document;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Replaces every FromDocument in a selector with the value it names; a field the document lacks gives null. */
function resolveSelectorValues(value: unknown, stored: Document[]): unknown {
  if (value instanceof FromDocument) {
    const document = stored[value.pick % Math.max(stored.length, 1)];
    return document ? (valueAtPath(document, value.path) ?? null) : null;
  }
  if (Array.isArray(value)) return value.map((item) => resolveSelectorValues(item, stored));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveSelectorValues(item, stored)]));
  }
  return value;
}

function compareIds(a: Document, b: Document): number {
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}

function byId(documents: Document[]): Document[] {
  return [...documents].sort(compareIds);
}

function withoutBulkIds(bulks: ChangeBulk[]): unknown[] {
  return bulks.map(({ id: _id, ...rest }) => rest);
}

/** Counts of what the runs exercised, so that a long run can show it did more than compare empty results. */
export interface DifferentialStatistics {
  operations: number;
  writtenRows: number;
  writeErrors: number;
  queries: number;
  /** Queries that RxDB's prepareQuery rejected, so neither storage ran them. */
  rejectedQueries: number;
  /** Calls that threw on both storages, which counts as agreement. */
  failedOnBoth: number;
  queriesWithDocuments: number;
  queriesSortedInMemory: number;
  queriesFilteredInMemory: number;
  counts: number;
  nonZeroCounts: number;
  purgedDocuments: number;
}

export function emptyStatistics(): DifferentialStatistics {
  return {
    operations: 0,
    writtenRows: 0,
    writeErrors: 0,
    queries: 0,
    rejectedQueries: 0,
    failedOnBoth: 0,
    queriesWithDocuments: 0,
    queriesSortedInMemory: 0,
    queriesFilteredInMemory: 0,
    counts: 0,
    nonZeroCounts: 0,
    purgedDocuments: 0,
  };
}

interface StoragePair {
  memory: RxStorage<unknown, unknown>;
  sqliteDirectory: string;
  databaseName: string;
  statistics: DifferentialStatistics;
  /** Creates the SQLite table before the storage opens it, to test files that earlier versions wrote. */
  prepareSqliteTable?: (filePath: string, tableName: string) => void;
}

/**
 * Creates a collection table as the storage laid it out before the partial cleanup index: one
 * more index column for RxDB's `['_deleted', '_meta.lwt', primaryKey]` index, indexed, and an
 * index on (lwt, id).
 */
export function createTableOfEarlierLayout(subject: DifferentialSubject, filePath: string, tableName: string): void {
  const columns = buildIndexColumns(subject.schema).map((index) => index.column);
  columns.push(`idx${columns.length}`);
  const table = quoteIdentifier(tableName);
  const database = new Database(filePath);
  try {
    database.pragma('journal_mode = WAL');
    database.exec(
      [
        `CREATE TABLE ${table} (id TEXT PRIMARY KEY NOT NULL, data TEXT NOT NULL, deleted INTEGER NOT NULL, lwt REAL NOT NULL, rev TEXT NOT NULL${columns.map((column) => `, ${column} BLOB NOT NULL`).join('')}) WITHOUT ROWID;`,
        `CREATE INDEX ${quoteIdentifier(`${tableName}__lwt`)} ON ${table} (lwt, id);`,
        ...columns.map((column) => `CREATE INDEX ${quoteIdentifier(`${tableName}__${column}`)} ON ${table} (${column});`),
      ].join('\n'),
    );
  } finally {
    database.close();
  }
}

class DifferentialRun {
  readonly #subject: DifferentialSubject;
  readonly #plan: RunPlan;
  readonly #pair: StoragePair;
  readonly #collectionName: string;
  #sqlite!: Instance;
  #memory!: Instance;
  #sqliteEvents: ChangeBulk[] = [];
  #memoryEvents: ChangeBulk[] = [];
  #sqliteSubscription?: Subscription;
  #memorySubscription?: Subscription;
  /** Every revision each document had, oldest first, as the memory storage stored it. */
  readonly #history = new Map<string, Document[]>();
  readonly #baseLwt = Math.floor(now()) - 100_000_000;
  #ticks = 0;
  #revisionCounter = 0;

  #compare<T>(method: string, operation: unknown, sqlite: () => Promise<T>, memory: () => Promise<T>, normalize?: (value: T) => unknown): Promise<T | undefined> {
    return compareOutcomes(method, operation, sqlite, memory, normalize, this.#pair.statistics);
  }

  constructor(subject: DifferentialSubject, plan: RunPlan, pair: StoragePair, collectionName: string) {
    this.#subject = subject;
    this.#plan = plan;
    this.#pair = pair;
    this.#collectionName = collectionName;
  }

  #creationParams() {
    return {
      databaseInstanceToken: 'differential-test',
      databaseName: this.#pair.databaseName,
      collectionName: this.#collectionName,
      schema: this.#subject.schema,
      options: { cleanupBatchSize: this.#plan.cleanupBatchSize },
      multiInstance: false,
      devMode: false,
    };
  }

  async #openSqlite(): Promise<void> {
    const storage = getRxStorageSQLite({ directory: this.#pair.sqliteDirectory });
    this.#sqlite = (await storage.createStorageInstance<TestDocument>(this.#creationParams())) as unknown as Instance;
    this.#sqliteSubscription = this.#sqlite.changeStream().subscribe((bulk) => this.#sqliteEvents.push(bulk));
  }

  async open(): Promise<void> {
    const tableName = `${this.#collectionName}-v${this.#subject.schema.version}`;
    this.#pair.prepareSqliteTable?.(join(this.#pair.sqliteDirectory, `${this.#pair.databaseName}.sqlite`), tableName);
    await this.#openSqlite();
    this.#memory = (await this.#pair.memory.createStorageInstance<TestDocument>(this.#creationParams())) as unknown as Instance;
    this.#memorySubscription = this.#memory.changeStream().subscribe((bulk) => this.#memoryEvents.push(bulk));
  }

  async close(): Promise<void> {
    this.#sqliteSubscription?.unsubscribe();
    this.#memorySubscription?.unsubscribe();
    await this.#sqlite.remove();
    await this.#memory.remove();
  }

  #lwt(offset: number): number {
    return this.#baseLwt + this.#ticks * ONE_TICK + offset;
  }

  #nextRevision(previous: Document | undefined): string {
    this.#revisionCounter += 1;
    const height = previous ? Number.parseInt(previous._rev, 10) + 1 : 1;
    return `${height}-r${this.#revisionCounter}`;
  }

  #storedIds(): string[] {
    return [...this.#history.keys()];
  }

  #current(id: string): Document | undefined {
    return this.#history.get(id)?.at(-1);
  }

  #buildRows(plans: WriteRowPlan[]): BulkWriteRow<TestDocument>[] {
    const rows: BulkWriteRow<TestDocument>[] = [];
    const used = new Set<string>();
    for (const plan of plans) {
      if (plan.kind === 'insert') {
        const id = this.#plan.ids[plan.id % this.#plan.ids.length] as string;
        if (used.has(id)) continue;
        used.add(id);
        const document = {
          ...plan.body,
          id,
          _deleted: plan.deleted,
          _attachments: {},
          _rev: this.#nextRevision(undefined),
          _meta: { lwt: this.#lwt(plan.lwtOffset) },
        } as Document;
        rows.push({ document });
        continue;
      }

      const stored = this.#storedIds().filter((id) => !used.has(id));
      if (stored.length === 0) continue;
      const id = stored[plan.target % stored.length] as string;
      used.add(id);
      const history = this.#history.get(id) as Document[];
      const current = history.at(-1) as Document;
      const { _deleted: _d, _attachments: _a, _rev: _r, _meta: _m, ...currentBody } = current;
      const document = {
        ...(plan.body ?? currentBody),
        id,
        _deleted: plan.deleted,
        _attachments: {},
        _rev: this.#nextRevision(current),
        _meta: { lwt: this.#lwt(plan.lwtOffset) },
      } as Document;
      let previous: Document | undefined;
      switch (plan.previous) {
        case 'current':
          previous = current;
          break;
        case 'stale':
          previous = history.length > 1 ? history[history.length - 2] : { ...current, _rev: `${current._rev}-stale` };
          break;
        case 'invented':
          previous = { ...current, _rev: '1-invented' };
          break;
        case 'missing':
          previous = undefined;
          break;
      }
      rows.push(previous ? { previous, document } : { document });
    }
    return rows;
  }

  async #write(operation: Extract<Operation, { kind: 'write' }>): Promise<void> {
    if (operation.tick) this.#ticks += 1;
    const rows = this.#buildRows(operation.rows);
    if (rows.length === 0) return;
    const context = `write-${this.#revisionCounter}`;
    // Each storage gets its own copy, because the memory storage keeps the objects it is given.
    const response = await this.#compare(
      'bulkWrite',
      { operation, rows },
      () => this.#sqlite.bulkWrite(clone(rows), context),
      () => this.#memory.bulkWrite(clone(rows), context),
    );
    this.#pair.statistics.writtenRows += rows.length;
    this.#pair.statistics.writeErrors += response?.error.length ?? 0;
    expectSame('changeStream', { operation, rows }, withoutBulkIds(this.#sqliteEvents), withoutBulkIds(this.#memoryEvents));
    this.#sqliteEvents = [];
    this.#memoryEvents = [];

    const ids = rows.map((row) => row.document.id);
    for (const document of await this.#memory.findDocumentsById(ids, true)) {
      const history = this.#history.get(document.id) ?? [];
      if (history.at(-1)?._rev !== document._rev) history.push(clone(document));
      this.#history.set(document.id, history);
    }
  }

  async #findById(operation: Extract<Operation, { kind: 'findById' }>): Promise<void> {
    const ids = [...new Set([...operation.targets.map((target) => this.#plan.ids[target % this.#plan.ids.length] as string), 'not-stored'])];
    await this.#compare(
      'findDocumentsById',
      { operation, ids },
      () => this.#sqlite.findDocumentsById(ids, operation.withDeleted),
      () => this.#memory.findDocumentsById(ids, operation.withDeleted),
      byId,
    );
  }

  #resolve(mango: MangoQuery<TestDocument>): MangoQuery<TestDocument> {
    const stored = this.#storedIds().map((id) => this.#current(id) as Document);
    return { ...mango, selector: resolveSelectorValues(mango.selector, stored) as MangoQuery<TestDocument>['selector'] };
  }

  async #query(operation: Extract<Operation, { kind: 'query' }>): Promise<void> {
    const mango = this.#resolve(operation.mango);
    const prepared = settlePrepare(() => prepareLikeRxDB(this.#subject, mango, operation.asRxQuery, false));
    if (!prepared) {
      this.#pair.statistics.rejectedQueries += 1;
      return;
    }
    const result = await this.#compare('query', { operation, mango, plan: prepared.queryPlan }, () => this.#sqlite.query(prepared), () => this.#memory.query(prepared));
    const statistics = this.#pair.statistics;
    statistics.queries += 1;
    if (result && result.documents.length > 0) statistics.queriesWithDocuments += 1;
    if (!prepared.queryPlan.sortSatisfiedByIndex) statistics.queriesSortedInMemory += 1;
    if (!prepared.queryPlan.selectorSatisfiedByIndex) statistics.queriesFilteredInMemory += 1;
  }

  async #count(operation: Extract<Operation, { kind: 'count' }>): Promise<void> {
    const mango = this.#resolve(operation.mango);
    const prepared = settlePrepare(() => prepareLikeRxDB(this.#subject, mango, operation.asRxQuery, true));
    if (!prepared) {
      this.#pair.statistics.rejectedQueries += 1;
      return;
    }
    const result = await this.#compare(
      'count',
      { operation, mango, plan: prepared.queryPlan },
      () => this.#sqlite.count(prepared),
      () => this.#memory.count(prepared),
      (counted) => counted.count,
    );
    this.#pair.statistics.counts += 1;
    if (result && result.count > 0) this.#pair.statistics.nonZeroCounts += 1;
  }

  async #changes(operation: Extract<Operation, { kind: 'changes' }>): Promise<void> {
    let checkpoint: RxStorageDefaultCheckpoint | undefined;
    for (let page = 0; page < 1000; page += 1) {
      const since = checkpoint;
      const result = await this.#compare(
        'getChangedDocumentsSince',
        { operation, page, checkpoint: since },
        () => getChangedDocumentsSince(this.#sqlite, operation.pageSize, since),
        () => getChangedDocumentsSince(this.#memory, operation.pageSize, since),
      );
      if (!result || result.documents.length < operation.pageSize) return;
      checkpoint = result.checkpoint;
    }
    throw new Error(`getChangedDocumentsSince did not reach the end after 1000 pages of ${operation.pageSize}`);
  }

  async #cleanup(operation: Extract<Operation, { kind: 'cleanup' }>): Promise<void> {
    // Purge what was deleted before (current tick - ticksBack), with half a tick of margin so
    // that the time between the two calls cannot move a document across the limit.
    const limit = this.#lwt(0) - operation.ticksBack * ONE_TICK - ONE_TICK / 2;
    await this.#memory.cleanup(now() - limit);
    let calls = 0;
    while (!(await this.#sqlite.cleanup(now() - limit))) {
      calls += 1;
      if (calls > 1000) throw new Error('SQLite cleanup() still returned false after 1000 calls');
    }
    for (const id of this.#storedIds()) {
      const current = this.#current(id);
      if (current?._deleted && current._meta.lwt <= limit) {
        this.#history.delete(id);
        this.#pair.statistics.purgedDocuments += 1;
      }
    }
    await this.compareState(operation);
  }

  async #reopen(): Promise<void> {
    this.#sqliteSubscription?.unsubscribe();
    await this.#sqlite.close();
    await this.#openSqlite();
  }

  /** Compares everything stored, deleted documents included. */
  async compareState(operation: unknown): Promise<void> {
    const ids = [...new Set([...this.#plan.ids, ...this.#storedIds()])];
    await this.#compare('stored documents', operation, () => this.#sqlite.findDocumentsById(ids, true), () => this.#memory.findDocumentsById(ids, true), byId);
    await this.#changes({ kind: 'changes', pageSize: 1000 });
  }

  async execute(): Promise<void> {
    for (const operation of this.#plan.operations) {
      this.#pair.statistics.operations += 1;
      switch (operation.kind) {
        case 'write':
          await this.#write(operation);
          break;
        case 'findById':
          await this.#findById(operation);
          break;
        case 'query':
          await this.#query(operation);
          break;
        case 'count':
          await this.#count(operation);
          break;
        case 'changes':
          await this.#changes(operation);
          break;
        case 'cleanup':
          await this.#cleanup(operation);
          break;
        case 'reopen':
          await this.#reopen();
          break;
      }
    }
    await this.compareState({ kind: 'final state' });
  }
}

/** Returns undefined when RxDB itself rejects the query, which it then does for every storage. */
function settlePrepare(prepare: () => PreparedQuery<TestDocument>): PreparedQuery<TestDocument> | undefined {
  try {
    return prepare();
  } catch {
    return undefined;
  }
}

export interface DifferentialOptions {
  runs: number;
  seed: number;
  /** fast-check's replay path of a failure, to rerun only that case. */
  path?: string;
  maxOperations?: number;
  sqliteDirectory: string;
  verbose?: boolean;
  /** Filled in while the runs go on. */
  statistics?: DifferentialStatistics;
  /** Starts every run on a table in the storage's earlier layout. */
  earlierLayout?: boolean;
}

/** Runs one plan on fresh instances of both storages; throws on the first difference. */
export async function executeRunPlan(subject: DifferentialSubject, plan: RunPlan, pair: StoragePair, collectionName: string): Promise<void> {
  const run = new DifferentialRun(subject, plan, pair, collectionName);
  await run.open();
  try {
    await run.execute();
  } finally {
    await run.close();
  }
}

export function createStoragePair(sqliteDirectory: string, statistics = emptyStatistics()): StoragePair {
  return { memory: getRxStorageMemory() as RxStorage<unknown, unknown>, sqliteDirectory, databaseName: `differential-${randomToken(6)}`, statistics };
}

/** Checks `runs` random operation sequences on one schema; rejects with fast-check's report on a difference. */
export async function checkStoragesAgree(subject: DifferentialSubject, options: DifferentialOptions): Promise<void> {
  const pair = createStoragePair(options.sqliteDirectory, options.statistics);
  if (options.earlierLayout) pair.prepareSqliteTable = (filePath, tableName) => createTableOfEarlierLayout(subject, filePath, tableName);
  let runNumber = 0;
  const property = fc.asyncProperty(runPlanArbitrary(subject, options.maxOperations), async (plan) => {
    runNumber += 1;
    await executeRunPlan(subject, plan, pair, `${subject.name}${runNumber}`);
  });
  await fc.assert(property, {
    numRuns: options.runs,
    seed: options.seed,
    ...(options.path ? { path: options.path } : {}),
    verbose: options.verbose ? 1 : 0,
  });
}
