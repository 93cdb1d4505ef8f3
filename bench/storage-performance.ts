// RxDB's own storage benchmark (runPerformanceTests from rxdb/plugins/test-utils) on the replica's
// SQLite storage, RxDB's memory storage and RxDB's Dexie storage on fake-indexeddb, in one process,
// with plain better-sqlite3 writing and reading the same JSON documents as the physical baseline.
// Run: node --expose-gc --import tsx bench/storage-performance.ts [--runs 10] [--docs 3000] [--json results.json]
// (npm run bench -- [options] does the same).
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers/promises';
import { parseArgs } from 'node:util';

import Database from 'better-sqlite3-multiple-ciphers';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import type { RxDocumentData, RxStorage } from 'rxdb';
import { fillWithDefaultSettings, now } from 'rxdb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import type { AverageSchemaDocumentType } from 'rxdb/plugins/test-utils';
import { averageOfTimeValues, runPerformanceTests, schemaObjects, schemas } from 'rxdb/plugins/test-utils';

import { buildIndexColumns } from '../sync/replica/sqlite/index-columns.js';
import { encodeIndexKey } from '../sync/replica/sqlite/index-key-encoding.js';
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
const WARM_UP_ROUNDS = 4;
/** runPerformanceTests' default `waitBetweenTests`. */
const PAUSE_BETWEEN_PHASES_MS = 100;
/**
 * runPerformanceTests (RxDB 17.6) averages only the fastest 5 % of a phase's samples: it calls
 * averageOfTimeValues(times, 95), which strips the slowest 95 %. Called for one run, that is the
 * fastest of the 6 insert batches and the one sample of each other phase. The raw baseline does
 * the same in each round.
 */
const STRIP_SLOWEST_PERCENT = 95;

type PhaseTimes = Record<string, number>;

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * Plain better-sqlite3 (the same driver and pragmas as the storage: 8 KB pages, WAL, synchronous = FULL) with
 * one table of JSON text: what storing and reading the same documents costs without RxDB. With
 * `indexed`, each row also gets the storage's index columns: RxDB's index strings of the benchmark
 * schema in the storage's encoding (index-key-encoding.ts), each with an SQLite index. The difference to the plain run is then the
 * cost of maintaining RxDB's indexes, and the rest of the storage's time is its own and RxDB's work.
 * With `key`, the file is encrypted as the storage encrypts the replica, the baseline of the
 * encrypted storage.
 */
async function runRawSqlite(directory: string, indexed: boolean, run: number, key?: string): Promise<PhaseTimes> {
  const times: Record<string, number[]> = {};
  // runPerformanceTests pauses between phases (100 ms and idle callbacks); the same pause here
  // gives the baseline the same cold caches after each pause.
  const record = async (phase: string, started: number) => {
    (times[phase] ??= []).push(performance.now() - started);
    await setTimeout(PAUSE_BETWEEN_PHASES_MS);
  };

  {
    const database = new Database(`${directory}/raw-${indexed ? 'indexed-' : ''}${key ? 'encrypted-' : ''}${run}.sqlite`);
    if (key) {
      // The cipher settings of the storage's encrypted files (sync/replica/sqlite/connection-pool.ts).
      database.pragma("cipher = 'aegis'");
      database.pragma("algorithm = 'aegis-256'");
      database.pragma(`key = "x'${key}'"`);
    }
    database.pragma('page_size = 16384');
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
        insert.run(document.id, JSON.stringify(document), ...columns.map((index) => encodeIndexKey(index.toIndexableString(stored))));
      }
    });

    const ids: string[] = [];
    const perBatch = docsAmount / INSERT_BATCHES;
    for (let batch = 0; batch < INSERT_BATCHES; batch += 1) {
      const documents = Array.from({ length: perBatch }, (_, index) => schemaObjects.averageSchemaData({ var1: `${index % 2}`, var2: index % PARALLEL_QUERIES }));
      ids.push(...documents.map((document) => document.id));
      const started = performance.now();
      insertBatch(documents);
      await record(`insert-documents-${perBatch}`, started);
    }

    let started = performance.now();
    const found: unknown[] = [];
    for (let offset = 0; offset < ids.length; offset += 900) {
      const chunk = ids.slice(offset, offset + 900);
      const rows = database.prepare(`SELECT data FROM documents WHERE id IN (${chunk.map(() => '?').join(', ')})`).pluck().all(...chunk) as string[];
      for (const row of rows) found.push(JSON.parse(row));
    }
    await record(`find-by-ids-${docsAmount}`, started);
    if (found.length !== docsAmount) throw new Error(`Raw find by ids returned ${found.length} of ${docsAmount} documents`);

    const serialIds: string[] = [];
    started = performance.now();
    for (let index = 0; index < SERIAL_DOCS; index += 1) {
      const document = schemaObjects.averageSchemaData({ var2: 1000 });
      serialIds.push(document.id);
      insertBatch([document]);
    }
    await record(`serial-inserts-${SERIAL_DOCS}`, started);

    const byId = database.prepare('SELECT data FROM documents WHERE id = ?').pluck();
    started = performance.now();
    for (const id of serialIds) JSON.parse(byId.get(id) as string);
    await record(`serial-find-by-id-${SERIAL_DOCS}`, started);

    // RxDB's phase sorts by var2, var1; here the sort runs in JavaScript over the parsed documents.
    started = performance.now();
    const all = (database.prepare('SELECT data FROM documents').pluck().all() as string[]).map((row) => JSON.parse(row));
    all.sort((a, b) => a.var2 - b.var2 || compareText(a.var1, b.var1) || compareText(a.id, b.id));
    await record('find-by-query', started);

    const byVar2 = database.prepare("SELECT data FROM documents WHERE json_extract(data, '$.var2') = ?").pluck();
    started = performance.now();
    for (let value = 0; value < PARALLEL_QUERIES; value += 1) (byVar2.all(value) as string[]).map((row) => JSON.parse(row));
    await record(`find-by-query-parallel-${PARALLEL_QUERIES}`, started);

    const countVar2 = database.prepare("SELECT COUNT(*) FROM documents WHERE json_extract(data, '$.var2') = ?").pluck();
    started = performance.now();
    for (let value = 0; value < PARALLEL_QUERIES; value += 1) countVar2.get(value);
    await record('4x-count', started);

    database.close();
  }

  return Object.fromEntries(Object.entries(times).map(([phase, samples]) => [phase, Math.round(averageOfTimeValues(samples, STRIP_SLOWEST_PERCENT) * 100) / 100]));
}

async function runRxdb(storage: RxStorage<unknown, unknown>, description: string): Promise<PhaseTimes> {
  const result = (await runPerformanceTests(storage, description, { runs: 1, docsAmount, collectionsAmount: COLLECTIONS, log: false })) as unknown as Record<string, unknown>;
  return Object.fromEntries(Object.entries(result).filter((entry): entry is [string, number] => typeof entry[1] === 'number' && !['collectionsAmount', 'docsAmount'].includes(entry[0])));
}

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

/** Collects a gc() when node runs with --expose-gc, so one contender's garbage is not collected during the next one's phases. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** The storage's index columns for runPerformanceTests' schema, as RxDB fills it for a storage. */
const indexColumns = buildIndexColumns<AverageSchemaDocumentType>(fillWithDefaultSettings(schemas.averageSchema()));

const directory = makeBenchDirectory('storage-performance');
/** Per contender and phase, one figure per round. */
const rounds: Record<string, Record<string, number[]>> = {};
const seconds: Record<string, number> = {};
try {
  const contenders: [string, (round: number) => Promise<PhaseTimes>][] = [
    ['memory', () => runRxdb(getRxStorageMemory() as RxStorage<unknown, unknown>, 'memory')],
    ['dexie (fake-indexeddb)', () => runRxdb(getRxStorageDexie({ indexedDB, IDBKeyRange }) as RxStorage<unknown, unknown>, 'dexie')],
    ['hms-sqlite', (round) => runRxdb(getRxStorageSQLite({ directory: `${directory.path}/plain-${round}` }) as RxStorage<unknown, unknown>, 'hms-sqlite')],
    ['hms-sqlite encrypted', (round) => runRxdb(getRxStorageSQLite({ directory: `${directory.path}/encrypted-${round}`, key: 'ab'.repeat(32) }) as RxStorage<unknown, unknown>, 'hms-sqlite encrypted')],
    ['raw better-sqlite3', (round) => runRawSqlite(directory.path, false, round)],
    ['raw encrypted', (round) => runRawSqlite(directory.path, false, round, 'ab'.repeat(32))],
    ['raw + index columns', (round) => runRawSqlite(directory.path, true, round)],
  ];

  // Warm-up rounds first, not counted: the first rounds of a contender run its code before V8 has
  // optimized it, and a hms-sqlite insert batch took 13 ms in the first round and 7 ms from the
  // fifth on.
  for (let round = 0; round < WARM_UP_ROUNDS; round += 1) {
    for (const [name, run] of contenders) {
      // A Dexie round takes about 20 s, nearly all in queries a thousand times slower than the
      // others', so one warm-up round is enough for the comparison.
      if (name.startsWith('dexie') && round > 0) continue;
      await run(-1 - round);
    }
  }

  // Rounds interleave the contenders, each round starting one further along the list, so that a
  // change of the machine's load during the run, or the heap one contender leaves behind, does not
  // fall on one contender alone.
  for (let round = 0; round < runs; round += 1) {
    for (let offset = 0; offset < contenders.length; offset += 1) {
      const contender = contenders[(round + offset) % contenders.length];
      if (!contender) continue;
      const [name, run] = contender;
      collectGarbage();
      const started = performance.now();
      const phases = await run(round);
      seconds[name] = (seconds[name] ?? 0) + (performance.now() - started) / 1000;
      for (const [phase, time] of Object.entries(phases)) ((rounds[name] ??= {})[phase] ??= []).push(time);
    }
    console.log(`round ${round + 1} of ${runs} done`);
  }
} finally {
  directory.remove();
}

const results: Record<string, PhaseTimes> = Object.fromEntries(
  Object.entries(rounds).map(([name, phases]) => [name, Object.fromEntries(Object.entries(phases).map(([phase, times]) => [phase, Math.round(median(times) * 100) / 100]))]),
);
for (const [name, total] of Object.entries(seconds)) console.log(`${name}: ${runs} rounds in ${total.toFixed(1)} s`);

const names = Object.keys(results);
const phases = [...new Set(names.flatMap((name) => Object.keys(results[name] ?? {})))];
console.log(`\nMilliseconds per phase: median over ${runs} rounds of each round's figure (RxDB's: the fastest 5 % of the phase's samples), ${docsAmount} documents\n`);
console.log(`| phase | ${names.join(' | ')} |`);
console.log(`| --- | ${names.map(() => '---:').join(' | ')} |`);
for (const phase of phases) {
  console.log(`| ${phase} | ${names.map((name) => results[name]?.[phase]?.toFixed(2) ?? '–').join(' | ')} |`);
}
if (values.json) writeFileSync(values.json, `${JSON.stringify({ runs, docsAmount, results, rounds }, null, 2)}\n`);
