// RxDB's own storage benchmark (runPerformanceTests from rxdb/plugins/test-utils) on the replica's
// SQLite storage, RxDB's memory storage and RxDB's Dexie storage on fake-indexeddb, in one process,
// with plain better-sqlite3 writing and reading the same JSON documents as the physical baseline.
// Run: npm run bench -- [--runs 10] [--docs 3000] [--json results.json]
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

import Database from 'better-sqlite3-multiple-ciphers';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import type { RxDocumentData, RxStorage } from 'rxdb';
import { fillWithDefaultSettings, now } from 'rxdb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import type { AverageSchemaDocumentType } from 'rxdb/plugins/test-utils';
import { averageOfTimeValues, runPerformanceTests, schemaObjects, schemas } from 'rxdb/plugins/test-utils';

import { buildIndexColumns, encodeIndexString } from '../sync/replica/sqlite/index-columns.js';
import { getRxStorageSQLite } from '../sync/replica/sqlite/sqlite-storage.js';
import { makeBenchDirectory } from './bench-support.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    docs: { type: 'string', default: '3000' },
    json: { type: 'string' },
  },
});
const runs = Number(values.runs);
const docsAmount = Number(values.docs);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(docsAmount) || docsAmount < 6 || docsAmount % 6 !== 0) {
  console.error(`Invalid --runs ${values.runs} or --docs ${values.docs}: expected positive integers, --docs a multiple of 6 (it is inserted in 6 batches)`);
  process.exit(2);
}

// runPerformanceTests' defaults, spelled out because the raw baseline repeats the same phases.
const INSERT_BATCHES = 6;
const SERIAL_DOCS = 50;
const PARALLEL_QUERIES = 4;
const COLLECTIONS = 4;
/**
 * runPerformanceTests (RxDB 17.6) averages only the fastest 5 % of the runs of each phase: it calls
 * averageOfTimeValues(times, 95), which strips the slowest 95 %. The raw baseline does the same.
 */
const STRIP_SLOWEST_PERCENT = 95;

type PhaseTimes = Record<string, number>;

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * Plain better-sqlite3 (the same driver and pragmas as the storage: WAL, synchronous = FULL) with
 * one table of JSON text: what storing and reading the same documents costs without RxDB. With
 * `indexed`, each row also gets the storage's index columns: RxDB's index strings of the benchmark
 * schema as UTF-16BE BLOBs, each with an SQLite index. The difference to the plain run is then the
 * cost of maintaining RxDB's indexes, and the rest of the storage's time is its own and RxDB's work.
 */
function runRawSqlite(directory: string, indexed: boolean): PhaseTimes {
  const times: Record<string, number[]> = {};
  const record = (phase: string, started: number) => {
    (times[phase] ??= []).push(performance.now() - started);
  };

  for (let run = 0; run < runs; run += 1) {
    const database = new Database(`${directory}/raw-${indexed ? 'indexed-' : ''}${run}.sqlite`);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    const columns = indexed ? indexColumns : [];
    database.prepare(`CREATE TABLE documents (id TEXT PRIMARY KEY NOT NULL, data TEXT NOT NULL${columns.map((index) => `, ${index.column} BLOB NOT NULL`).join('')}) WITHOUT ROWID`).run();
    for (const index of columns) database.prepare(`CREATE INDEX documents_${index.column} ON documents (${index.column})`).run();
    const insert = database.prepare(`INSERT INTO documents (id, data${columns.map((index) => `, ${index.column}`).join('')}) VALUES (?, ?${columns.map(() => ', ?').join('')})`);
    const insertBatch = database.transaction((documents: AverageSchemaDocumentType[]) => {
      for (const document of documents) {
        // The storage indexes documents with RxDB's fields; lwt changes per write as RxDB sets it.
        const stored = { ...document, _deleted: false, _attachments: {}, _rev: '1-bench', _meta: { lwt: now() } } as RxDocumentData<AverageSchemaDocumentType>;
        insert.run(document.id, JSON.stringify(document), ...columns.map((index) => encodeIndexString(index.toIndexableString(stored))));
      }
    });

    const ids: string[] = [];
    const perBatch = docsAmount / INSERT_BATCHES;
    for (let batch = 0; batch < INSERT_BATCHES; batch += 1) {
      const documents = Array.from({ length: perBatch }, (_, index) => schemaObjects.averageSchemaData({ var1: `${index % 2}`, var2: index % PARALLEL_QUERIES }));
      ids.push(...documents.map((document) => document.id));
      const started = performance.now();
      insertBatch(documents);
      record(`insert-documents-${perBatch}`, started);
    }

    let started = performance.now();
    const found: unknown[] = [];
    for (let offset = 0; offset < ids.length; offset += 900) {
      const chunk = ids.slice(offset, offset + 900);
      const rows = database.prepare(`SELECT data FROM documents WHERE id IN (${chunk.map(() => '?').join(', ')})`).pluck().all(...chunk) as string[];
      for (const row of rows) found.push(JSON.parse(row));
    }
    record(`find-by-ids-${docsAmount}`, started);
    if (found.length !== docsAmount) throw new Error(`Raw find by ids returned ${found.length} of ${docsAmount} documents`);

    const serialIds: string[] = [];
    started = performance.now();
    for (let index = 0; index < SERIAL_DOCS; index += 1) {
      const document = schemaObjects.averageSchemaData({ var2: 1000 });
      serialIds.push(document.id);
      insertBatch([document]);
    }
    record(`serial-inserts-${SERIAL_DOCS}`, started);

    const byId = database.prepare('SELECT data FROM documents WHERE id = ?').pluck();
    started = performance.now();
    for (const id of serialIds) JSON.parse(byId.get(id) as string);
    record(`serial-find-by-id-${SERIAL_DOCS}`, started);

    // RxDB's phase sorts by var2, var1; here the sort runs in JavaScript over the parsed documents.
    started = performance.now();
    const all = (database.prepare('SELECT data FROM documents').pluck().all() as string[]).map((row) => JSON.parse(row));
    all.sort((a, b) => a.var2 - b.var2 || compareText(a.var1, b.var1) || compareText(a.id, b.id));
    record('find-by-query', started);

    const byVar2 = database.prepare("SELECT data FROM documents WHERE json_extract(data, '$.var2') = ?").pluck();
    started = performance.now();
    for (let value = 0; value < PARALLEL_QUERIES; value += 1) (byVar2.all(value) as string[]).map((row) => JSON.parse(row));
    record(`find-by-query-parallel-${PARALLEL_QUERIES}`, started);

    const countVar2 = database.prepare("SELECT COUNT(*) FROM documents WHERE json_extract(data, '$.var2') = ?").pluck();
    started = performance.now();
    for (let value = 0; value < PARALLEL_QUERIES; value += 1) countVar2.get(value);
    record('4x-count', started);

    database.close();
  }

  return Object.fromEntries(Object.entries(times).map(([phase, samples]) => [phase, Math.round(averageOfTimeValues(samples, STRIP_SLOWEST_PERCENT) * 100) / 100]));
}

async function runRxdb(storage: RxStorage<unknown, unknown>, description: string): Promise<PhaseTimes> {
  const result = (await runPerformanceTests(storage, description, { runs, docsAmount, collectionsAmount: COLLECTIONS, log: false })) as unknown as Record<string, unknown>;
  return Object.fromEntries(Object.entries(result).filter((entry): entry is [string, number] => typeof entry[1] === 'number' && !['collectionsAmount', 'docsAmount'].includes(entry[0])));
}

/** The storage's index columns for runPerformanceTests' schema, as RxDB fills it for a storage. */
const indexColumns = buildIndexColumns<AverageSchemaDocumentType>(fillWithDefaultSettings(schemas.averageSchema()));

const directory = makeBenchDirectory('storage-performance');
const results: Record<string, PhaseTimes> = {};
try {
  const storages: [string, () => RxStorage<unknown, unknown>][] = [
    ['memory', () => getRxStorageMemory() as RxStorage<unknown, unknown>],
    ['dexie (fake-indexeddb)', () => getRxStorageDexie({ indexedDB, IDBKeyRange }) as RxStorage<unknown, unknown>],
    ['hms-sqlite', () => getRxStorageSQLite({ directory: `${directory.path}/plain` }) as RxStorage<unknown, unknown>],
    ['hms-sqlite encrypted', () => getRxStorageSQLite({ directory: `${directory.path}/encrypted`, key: 'ab'.repeat(32) }) as RxStorage<unknown, unknown>],
  ];

  // One short pass first, so that no storage pays for compiling RxDB's own code paths.
  await runPerformanceTests(getRxStorageMemory(), 'warm-up', { runs: 2, docsAmount, log: false });

  for (const [name, create] of storages) {
    const started = performance.now();
    results[name] = await runRxdb(create(), name);
    console.log(`${name}: ${runs} runs in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  for (const [name, indexed] of [['raw better-sqlite3', false], ['raw + index columns', true]] as const) {
    const started = performance.now();
    results[name] = runRawSqlite(directory.path, indexed);
    console.log(`${name}: ${runs} runs in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
} finally {
  directory.remove();
}

const names = Object.keys(results);
const phases = [...new Set(names.flatMap((name) => Object.keys(results[name] ?? {})))];
console.log(`\nMilliseconds per phase: mean of the fastest 5 % of ${runs} runs, ${docsAmount} documents\n`);
console.log(`| phase | ${names.join(' | ')} |`);
console.log(`| --- | ${names.map(() => '---:').join(' | ')} |`);
for (const phase of phases) {
  console.log(`| ${phase} | ${names.map((name) => results[name]?.[phase]?.toFixed(2) ?? '–').join(' | ')} |`);
}
if (values.json) writeFileSync(values.json, `${JSON.stringify({ runs, docsAmount, results }, null, 2)}\n`);
