// Initial sync of an empty workstation replica from the reference server on PostgreSQL, with a raw
// read of the same rows as the limit, in one run. 100,000 patients, each with an in-progress
// Encounter on one ward, and 500,000 vital signs panels by default are written in bulk into a
// fresh database of the local PostgreSQL (127.0.0.1:5432). Then, for each page size:
//   1. raw read: the pull route's own query (readChanges), page by page, straight from PostgreSQL.
//   2. pull only: a child process pulls every page through the server and ServerClient and keeps nothing.
// Last, a child process starts the core as the hosts do (createCore, encrypted replica), signs in
// and replicates everything over HTTP on loopback.
//
// With --compare, the sync phases of several checkouts run in turn against the one seeded server
// instead, so that versions of the workstation code meet the same data and the same machine state.
//
// Run: npm run bench:initial-sync -- [--patients 100000] [--observations 5] [--json out.json]
//      [--page-sizes 200,1000] [--skip-core] [--plain-replica] [--cpu-prof-dir DIR]
//      [--heap-prof-dir DIR [--heap-prof-old-space]] [--compare DIR,DIR [--rounds 3]]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import pg from 'pg';

import type { CollectionName } from '../sync/protocol/collections.js';
import { COLLECTION_NAMES } from '../sync/protocol/collections.js';
import type { Checkpoint } from '../sync/protocol/wire.js';
import { createServer } from '../sync/server/app.js';
import { MAX_PULL_LIMIT, readChanges } from '../sync/server/routes/pull.js';
import { BENCH_WARD_ID, expectedDocuments, queryableOf, SEED_NOW, seedBenchWard } from './initial-sync-seed.js';
import { pullPhase, syncPhase } from './initial-sync-workstation.js';

/** The replication's pull batch size: the default of `pullBatchSize` in sync/client/replication.ts. */
const CORE_PULL_BATCH_SIZE = 200;

const { values } = parseArgs({
  options: {
    patients: { type: 'string', default: '100000' },
    observations: { type: 'string', default: '5' },
    json: { type: 'string' },
    'cpu-prof-dir': { type: 'string' },
    'heap-prof-dir': { type: 'string' },
    'heap-prof-old-space': { type: 'boolean', default: false },
    'heap-live-above': { type: 'string' },
    // Page sizes of the raw reads and the pull-only runs, comma-separated.
    'page-sizes': { type: 'string', default: `${CORE_PULL_BATCH_SIZE},${MAX_PULL_LIMIT}` },
    'skip-core': { type: 'boolean', default: false },
    // Opens the core's replica without a key, to show what the encryption costs.
    'plain-replica': { type: 'boolean', default: false },
    // Checkouts whose sync phases run in turn against one seeded server, comma-separated.
    compare: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    help: { type: 'boolean', default: false },
    'database-url': { type: 'string', default: process.env.HMS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    // Internal: the child process that runs the workstation core (`sync`) or only pulls (`pull`).
    phase: { type: 'string' },
    'page-size': { type: 'string' },
    'server-url': { type: 'string' },
    expected: { type: 'string' },
  },
});

const HELP = `Options:
  --patients N       patients of the bench ward (default 100000); use 5000 or so while iterating
  --observations N   vital signs panels per patient (default 5)
  --page-sizes A,B   page sizes of the raw reads and pull-only runs (default ${CORE_PULL_BATCH_SIZE},${MAX_PULL_LIMIT});
                     the sync's ratio uses the raw read at ${CORE_PULL_BATCH_SIZE}, the replication's batch size
  --skip-core        measure the raw reads and pulls only
  --plain-replica    sync into an unencrypted replica (the hosts always encrypt it)
  --json FILE        also write the results to FILE
  --cpu-prof-dir DIR write a CPU profile of the core's process to DIR
  --heap-prof-dir DIR
                     write a sampling profile of the core's allocations during the sync to DIR,
                     collected objects included (initial-sync-allocations.heapprofile)
  --heap-prof-old-space
                     leave out of that profile the objects that scavenges collected, to show what
                     reached the old generation
  --heap-live-above MB
                     instead, sample only live objects, and write the profile after the first full
                     garbage collection that leaves more than MB of heap (initial-sync-live.heapprofile)
  --compare A,B      skip the pull-only runs, then run the sync phase of each checkout A, B, …
                     (directories of this repository with node_modules installed) in turn against
                     the one seeded server, with one raw read in pages of ${CORE_PULL_BATCH_SIZE} for the ratio
  --rounds N         rounds of --compare (default 3)
  --database-url URL PostgreSQL to create the bench database in (default postgres://postgres@127.0.0.1:5432/test)`;

function positiveInteger(name: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    console.error(`Invalid --${name} ${value}: expected a positive integer\n${HELP}`);
    process.exit(2);
  }
  return parsed;
}

interface RawRead {
  pageSize: number;
  documents: number;
  byCollection: Record<CollectionName, number>;
  pages: number;
  seconds: number;
  documentsPerSecond: number;
}

/**
 * Reads every document the bench ward's workstation receives with the pull route's own query,
 * page by page from each checkpoint, on one connection and without HTTP. The documents come as
 * JSON text and are not parsed, as in the route.
 */
async function rawRead(databaseUrl: string, pageSize: number): Promise<RawRead> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const database = queryableOf(client);
    const started = performance.now();
    let documents = 0;
    let pages = 0;
    const byCollection = Object.fromEntries(COLLECTION_NAMES.map((name) => [name, 0])) as Record<CollectionName, number>;
    for (const collection of COLLECTION_NAMES) {
      let checkpoint: Checkpoint | null = null;
      for (;;) {
        const rows = await readChanges(database, collection, { wardId: BENCH_WARD_ID }, checkpoint, pageSize);
        pages += 1;
        documents += rows.length;
        byCollection[collection] += rows.length;
        const last = rows.at(-1);
        if (last) checkpoint = { txid: last.txid, id: last.id };
        if (rows.length < pageSize) break;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    return { pageSize, documents, byCollection, pages, seconds, documentsPerSecond: Math.round(documents / seconds) };
  } finally {
    await client.end();
  }
}

/** Runs this script, or the same script of the checkout `checkout`, in a child process and returns the JSON of its last output line. */
function runChild(nodeArgs: readonly string[], scriptArgs: readonly string[], checkout?: string): Promise<Record<string, unknown>> {
  const script = checkout ? join(checkout, 'bench', 'initial-sync.ts') : fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, script, ...scriptArgs], { stdio: ['ignore', 'pipe', 'inherit'], ...(checkout ? { cwd: checkout } : {}) });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`The ${scriptArgs[1] ?? ''} phase failed with exit code ${code}; its output: ${output}`));
        return;
      }
      resolve(JSON.parse(output.trim().split('\n').at(-1) ?? '') as Record<string, unknown>);
    });
  });
}

function runPullChild(serverUrl: string, pageSize: number): Promise<Record<string, unknown>> {
  return runChild(['--import', 'tsx'], ['--phase', 'pull', '--server-url', serverUrl, '--page-size', String(pageSize)]);
}

function runSyncChild(serverUrl: string, expected: Record<CollectionName, number>, checkout?: string): Promise<Record<string, unknown>> {
  const nodeArgs = ['--expose-gc', '--import', 'tsx'];
  if (values['cpu-prof-dir']) nodeArgs.push('--cpu-prof', '--cpu-prof-dir', values['cpu-prof-dir']);
  const scriptArgs = ['--phase', 'sync', '--server-url', serverUrl, '--expected', JSON.stringify(expected)];
  if (values['plain-replica']) scriptArgs.push('--plain-replica');
  if (values['heap-prof-dir']) scriptArgs.push('--heap-prof-dir', values['heap-prof-dir']);
  if (values['heap-prof-old-space']) scriptArgs.push('--heap-prof-old-space');
  if (values['heap-live-above']) scriptArgs.push('--heap-live-above', values['heap-live-above']);
  return runChild(nodeArgs, scriptArgs, checkout);
}

interface ComparedSync {
  checkout: string;
  round: number;
  seconds: number;
  documentsPerSecond: number;
  cpuSeconds: number;
  syncToRawRatio: number;
}

/**
 * Runs the sync phase of each checkout in turn, `rounds` times, against the one seeded server, and
 * prints each run and the mean of each checkout. Each sync signs in again, and the server keeps
 * the sign-in AuditEvent of the runs before, a few documents more than the expected counts.
 */
async function compareCheckouts(serverUrl: string, databaseUrl: string, expected: Record<CollectionName, number>, checkouts: readonly string[], rounds: number): Promise<Record<string, unknown>> {
  const raw = await rawRead(databaseUrl, CORE_PULL_BATCH_SIZE);
  expected.reference = raw.byCollection.reference;
  console.log(`Raw read in pages of ${CORE_PULL_BATCH_SIZE}: ${raw.seconds.toFixed(2)} s`);
  const runs: ComparedSync[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    for (const checkout of checkouts) {
      const sync = await runSyncChild(serverUrl, expected, checkout);
      const run = {
        checkout,
        round,
        seconds: sync.seconds as number,
        documentsPerSecond: sync.documentsPerSecond as number,
        cpuSeconds: sync.cpuSeconds as number,
        syncToRawRatio: (sync.seconds as number) / raw.seconds,
      };
      runs.push(run);
      console.log(`round ${round} ${checkout}: ${run.seconds.toFixed(2)} s, ${run.documentsPerSecond} documents/s, ${run.cpuSeconds.toFixed(2)} s of CPU, ratio ${run.syncToRawRatio.toFixed(2)}`);
    }
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const means = checkouts.map((checkout) => {
    const own = runs.filter((run) => run.checkout === checkout);
    return { checkout, seconds: mean(own.map((run) => run.seconds)), cpuSeconds: mean(own.map((run) => run.cpuSeconds)) };
  });
  for (const entry of means) console.log(`mean ${entry.checkout}: ${entry.seconds.toFixed(2)} s, ${entry.cpuSeconds.toFixed(2)} s of CPU`);
  return { raw, runs, means };
}

/** Returns the checkouts of --compare as absolute paths, or exits naming the one without this benchmark. */
function checkoutsToCompare(list: string): string[] {
  const checkouts = list.split(',').map((entry) => resolve(entry.trim()));
  for (const checkout of checkouts) {
    if (!existsSync(join(checkout, 'bench', 'initial-sync.ts')) || !existsSync(join(checkout, 'node_modules'))) {
      console.error(`Invalid --compare entry ${checkout}: expected a checkout of this repository with bench/initial-sync.ts and node_modules (run npm ci there, or link this checkout's node_modules)`);
      process.exit(2);
    }
  }
  return checkouts;
}

async function createDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `hms_bench_initial_sync_${randomBytes(4).toString('hex')}`;
  const withAdmin = async (sql: string) => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(sql);
    } finally {
      await admin.end();
    }
  };
  await withAdmin(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => withAdmin(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`) };
}

async function seed(databaseUrl: string, scale: { patients: number; observationsPerPatient: number }): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await seedBenchWard(client, scale);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  if (values.help) {
    console.log(HELP);
    return;
  }
  const scale = { patients: positiveInteger('patients', values.patients), observationsPerPatient: positiveInteger('observations', values.observations) };
  const pageSizes = values['page-sizes'].split(',').map(Number);
  if (pageSizes.some((size) => !Number.isInteger(size) || size < 1 || size > MAX_PULL_LIMIT)) {
    console.error(`Invalid --page-sizes ${values['page-sizes']}: expected integers from 1 to ${MAX_PULL_LIMIT}, comma-separated\n${HELP}`);
    process.exit(2);
  }
  const expected = expectedDocuments(scale);
  let expectedTotal = COLLECTION_NAMES.reduce((total, name) => total + expected[name], 0);
  const checkouts = values.compare === undefined ? undefined : checkoutsToCompare(values.compare);
  const rounds = positiveInteger('rounds', values.rounds);

  const database = await createDatabase(values['database-url']);
  try {
    // The demo seed brings the users and two other wards; the bench ward is seeded beside them.
    const server = await createServer({ databaseUrl: database.url, seed: { now: SEED_NOW }, logLevel: 'warn' });
    try {
      console.log(`Seeding ${scale.patients} patients, their Encounters and ${expected.entries} observations into ${new URL(database.url).pathname.slice(1)}`);
      const seedSeconds = await seed(database.url, scale);
      console.log(`Seeded in ${seedSeconds.toFixed(1)} s`);

      if (checkouts) {
        const comparison = await compareCheckouts(server.url, database.url, expected, checkouts, rounds);
        if (values.json) writeFileSync(values.json, `${JSON.stringify({ scale, seedSeconds, ...comparison }, null, 2)}\n`);
        return;
      }

      const raw: RawRead[] = [];
      const pulls: Record<string, unknown>[] = [];
      for (const pageSize of pageSizes) {
        console.log(`Reading the ${expectedTotal} documents with the pull's query from PostgreSQL in pages of ${pageSize}`);
        const read = await rawRead(database.url, pageSize);
        // The demo seed's shared reference data (the ward's Location, the formulary) grows with the
        // product, so the reference collection's count comes from the read. The bench sets the rest.
        expected.reference = read.byCollection.reference;
        expectedTotal = COLLECTION_NAMES.reduce((total, name) => total + expected[name], 0);
        if (read.documents !== expectedTotal) throw new Error(`The raw read returned ${read.documents} documents, expected ${expectedTotal}`);
        raw.push(read);
        console.log(JSON.stringify(read));

        console.log(`Pulling every document through the server in pages of ${pageSize}, without a replica`);
        const pull = await runPullChild(server.url, pageSize);
        if (pull.documents !== expectedTotal) throw new Error(`The pull-only run received ${String(pull.documents)} documents, expected ${expectedTotal}`);
        pulls.push({ ...pull, pullToRawRatio: (pull.seconds as number) / read.seconds });
        console.log(JSON.stringify(pulls.at(-1)));
      }

      let sync: Record<string, unknown> | undefined;
      let syncToRawRatio: number | undefined;
      if (!values['skip-core']) {
        console.log('Syncing an empty workstation replica through the server');
        sync = await runSyncChild(server.url, expected);
        const rawAtCoreBatch = raw.find((read) => read.pageSize === CORE_PULL_BATCH_SIZE) ?? (await rawRead(database.url, CORE_PULL_BATCH_SIZE));
        syncToRawRatio = (sync.seconds as number) / rawAtCoreBatch.seconds;
      }
      const result = { scale, seedSeconds, raw, pulls, sync, syncToRawRatio };
      console.log(JSON.stringify(result, null, 2));
      if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
    } finally {
      await server.close();
    }
  } finally {
    await database.drop();
  }
}

if (values.phase === 'pull') {
  if (!values['server-url'] || !values['page-size']) throw new Error('Missing --server-url or --page-size for the pull phase; run the script without --phase');
  console.log(JSON.stringify(await pullPhase(values['server-url'], Number(values['page-size']))));
} else if (values.phase === 'sync') {
  if (!values['server-url'] || !values.expected) throw new Error('Missing --server-url or --expected for the sync phase; run the script without --phase');
  const expected = JSON.parse(values.expected) as Record<CollectionName, number>;
  const heapProfileDir = values['heap-prof-dir'];
  const liveAbove = values['heap-live-above'] ? { heapLiveAboveMb: Number(values['heap-live-above']) } : {};
  const profile = heapProfileDir ? { heapProfileDir, heapProfileOldSpaceOnly: values['heap-prof-old-space'], ...liveAbove } : {};
  console.log(JSON.stringify(await syncPhase(values['server-url'], expected, { encrypted: !values['plain-replica'], ...profile })));
} else {
  await main();
}
