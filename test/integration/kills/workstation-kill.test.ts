import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Outbox } from '../../../sync/client/outbox.js';
import { acquireConnection, releaseConnection } from '../../../sync/replica/sqlite/connection-pool.js';
import type { SyncServer } from '../../../sync/server/app.js';
import { createServer } from '../../../sync/server/app.js';
import type { TestDatabase } from '../../support/postgres.js';
import { createTestDatabase } from '../../support/postgres.js';
import { makeTempDirectory, openTestReplica } from '../../support/replica.js';
import { integerBetween, seededRandom, testSeed } from '../../support/seeded-random.js';
import { withTimeout } from '../../support/sync-harness.js';

/**
 * The workstation, in a child process, charts vital signs while it syncs. It is killed with
 * SIGKILL five times, each time after a random number of confirmed sets and a random delay, so
 * that the kill lands inside a local write, inside a push, or between the two. Each restart opens
 * the same data folder and replica. A last run charts nothing and waits until everything is sent.
 * Every set the workstation confirmed must then be in its replica and on the server exactly once.
 *
 * The seed fixes the patients, values and kill points; where a kill lands inside the
 * workstation's work still depends on the machine, so a run repeats only approximately.
 */

const SEED = testSeed();
const KILLS = 5;
const ROOT = join(import.meta.dirname, '..', '..', '..');
const WORKSTATION_SCRIPT = join(ROOT, 'test', 'support', 'charting-workstation.ts');
const WORKSTATION_ID = 'ws-kill-workstation';
const REPLICA_NAME = 'replica-kill-workstation';
/** Covers the start of a child on this machine: tsx, the replica, the sign-in and, the first time, the initial sync. */
const START_TIMEOUT_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One run of the child workstation, with the JSON lines it printed. */
class WorkstationRun {
  readonly confirmed: string[] = [];
  readonly events: Record<string, unknown>[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #child: ChildProcess;
  readonly #listeners = new Set<() => void>();
  #output = '';

  constructor(directory: string, serverUrl: string, mode: 'chart' | 'settle', seed: number) {
    this.#child = spawn(process.execPath, ['--import', 'tsx', WORKSTATION_SCRIPT, directory, REPLICA_NAME, WORKSTATION_ID, serverUrl, mode, String(seed)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => this.#child.once('exit', (code, signal) => resolve({ code, signal })));
    this.exited.then(() => this.#notify(), () => undefined);
    let buffered = '';
    this.#child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) this.#read(line);
      this.#notify();
    });
    this.#child.stderr?.on('data', (chunk: Buffer) => (this.#output = (this.#output + chunk.toString()).slice(-4_000)));
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Waits until `predicate` holds for this run, failing with its output if the child exits first or `timeoutMs` passes. */
  async until(predicate: () => boolean, what: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (!this.running) throw new Error(`The workstation (process ${this.pid}) exited before ${what}: ${this.#output}`);
      if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}: ${this.#output}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.#listeners.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  hasEvent(name: string): boolean {
    return this.events.some((event) => event.event === name);
  }

  /** Ends the child with SIGKILL, by its process id, and waits until it has exited. */
  async kill(): Promise<void> {
    if (this.running) this.#child.kill('SIGKILL');
    const { signal } = await this.exited;
    if (signal !== 'SIGKILL') throw new Error(`The workstation (process ${this.pid}) exited by itself before the kill: ${this.#output}`);
  }

  #read(line: string): void {
    if (!line.startsWith('{')) {
      this.#output = (this.#output + line + '\n').slice(-4_000);
      return;
    }
    const event = JSON.parse(line) as Record<string, unknown>;
    this.events.push(event);
    if (event.event === 'confirmed') this.confirmed.push(event.id as string);
  }

  #notify(): void {
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) listener();
  }
}

describe(`workstation SIGKILL while charting (seed ${SEED})`, () => {
  const random = seededRandom(SEED);
  const directory = makeTempDirectory('kill-workstation');
  const runs: WorkstationRun[] = [];
  let database: TestDatabase;
  let pool: pg.Pool;
  let server: SyncServer;

  beforeAll(async () => {
    console.log(`workstation-kill seed ${SEED} (set HMS_TEST_SEED to repeat it)`);
    database = await createTestDatabase('kill_workstation');
    server = await createServer({ port: 0, databaseUrl: database.url, seed: true, logLevel: 'silent' });
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    // Dropping the database terminates the pool's idle connections. Without a listener, that error would be uncaught.
    pool.on('error', () => undefined);
    // Every insert or update of an entry, so that a push replayed after a kill shows as a second write.
    await pool.query(`
      CREATE TABLE test_entry_writes (sequence bigserial PRIMARY KEY, id text NOT NULL, operation text NOT NULL);
      CREATE FUNCTION test_log_entry_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO test_entry_writes (id, operation) VALUES (NEW.id, TG_OP);
        RETURN NULL;
      END
      $$;
      CREATE TRIGGER test_log_entry_write AFTER INSERT OR UPDATE ON documents
        FOR EACH ROW WHEN (NEW.collection = 'entries') EXECUTE FUNCTION test_log_entry_write();`);
  });

  afterAll(async () => {
    for (const run of runs) if (run.running) await run.kill().catch(() => undefined);
    await server?.close();
    await pool?.end();
    await database?.drop();
    directory.remove();
  });

  /** Runs the workstation once without charting, until it has sent what it can, and returns its report. */
  async function settleOnce(): Promise<Record<string, unknown> | undefined> {
    const run = new WorkstationRun(directory.path, server.url, 'settle', SEED + KILLS);
    runs.push(run);
    // The child gives up by itself after 30 s without settling; this bound only guards against a hang.
    const { code } = await withTimeout(run.exited, START_TIMEOUT_MS + 40_000, 'the settling run to exit');
    expect(code, 'exit status of the settling run').toBe(0);
    return run.events.find((event) => event.event === 'settled');
  }

  /** Reads the outbox rows (each marked whether its document is in the replica), the rejections and the observation ids from the replica file. */
  async function readReplica() {
    const file = join(directory.path, `${REPLICA_NAME}.sqlite`);
    const outbox = new Outbox(file);
    const rejected = outbox.rejected().map((row) => row.documentId);
    outbox.close();
    const sqlite = acquireConnection(file);
    const rows = sqlite.prepare('SELECT collection, document_id AS id FROM hms_outbox ORDER BY sequence').all() as { collection: 'entries' | 'records'; id: string }[];
    releaseConnection(file);

    const replica = await openTestReplica(directory.path, REPLICA_NAME);
    try {
      const pending: { id: string; inReplica: boolean }[] = [];
      for (const { collection, id } of rows) pending.push({ id, inReplica: (await replica[collection].findOne(id).exec()) !== null });
      const observations = await replica.entries.find({ selector: { resourceType: 'Observation' } }).exec();
      return { pending, rejected, local: observations.map((document) => document.id) };
    } finally {
      await replica.close();
    }
  }

  it('keeps confirmed sets through five kills', async () => {
    for (let kill = 0; kill < KILLS; kill++) {
      const run = new WorkstationRun(directory.path, server.url, 'chart', SEED + kill);
      runs.push(run);
      await run.until(() => run.hasEvent('ready'), `run ${kill + 1} to sign in`, START_TIMEOUT_MS);
      const sets = integerBetween(random, 5, 40);
      await run.until(() => run.confirmed.length >= sets, `${sets} confirmed sets in run ${kill + 1}`, START_TIMEOUT_MS);
      // Up to 40 ms more: inside the next local write, a push, or between the two.
      await sleep(integerBetween(random, 0, 40));
      await run.kill();
    }

    const settled = await settleOnce();
    const confirmed = runs.flatMap((run) => run.confirmed);
    console.log(`workstation-kill: ${confirmed.length} sets confirmed over ${KILLS} kills`);
    expect(new Set(confirmed).size, 'distinct confirmed ids').toBe(confirmed.length);

    const { pending, rejected, local } = await readReplica();
    // A kill between an entry's outbox row and its replica write leaves a row for a write that
    // never happened; the next start drops it, so nothing is left pending for ever.
    expect(pending.map((row) => row.id), 'writes still pending in the outbox').toEqual([]);
    expect(rejected, 'writes the server rejected').toEqual([]);
    expect(settled, 'the last run settles online with nothing pending').toEqual({ event: 'settled', state: 'online', pendingChanges: 0, rejectedChanges: 0, openConflicts: 0 });

    const localIds = new Set(local);
    expect(confirmed.filter((id) => !localIds.has(id)), 'confirmed sets missing in the replica').toEqual([]);

    // Every confirmed set is on the server once, and every observation in the replica reached it.
    const { rows: stored } = await pool.query<{ id: string }>("SELECT id FROM documents WHERE collection = 'entries' AND id = ANY($1::text[])", [[...localIds]]);
    const storedIds = new Set(stored.map((row) => row.id));
    expect(confirmed.filter((id) => !storedIds.has(id)), 'confirmed sets missing on the server').toEqual([]);
    expect([...localIds].filter((id) => !storedIds.has(id)), 'observations of the replica missing on the server').toEqual([]);
    const { rows: ownObservations } = await pool.query<{ id: string }>("SELECT id FROM documents WHERE updated_by_workstation_id = $1 AND id LIKE 'Observation/%'", [WORKSTATION_ID]);
    expect(ownObservations.filter((row) => !localIds.has(row.id)).map((row) => row.id), "the workstation's observations on the server missing in its replica").toEqual([]);
    const { rows: repeated } = await pool.query<{ id: string; writes: string }>('SELECT id, count(*) AS writes FROM test_entry_writes WHERE id = ANY($1::text[]) GROUP BY id HAVING count(*) > 1', [confirmed]);
    expect(repeated, 'sets written more than once on the server').toEqual([]);
  });

  // Creates the state that a kill between the outbox row and the replica write leaves, without
  // depending on the kill's timing.
  it('forgets an outbox row whose write never reached the replica', async () => {
    const outbox = new Outbox(join(directory.path, `${REPLICA_NAME}.sqlite`));
    outbox.add('entries', `Observation/${randomUUID()}`);
    outbox.close();

    const settled = await settleOnce();

    expect(settled?.pendingChanges).toBe(0);
  });

  // The same for a record edit: nothing pushes a record that was not changed, so only the check
  // at start can take its row back out.
  it('forgets the outbox row of a record edit that never reached the replica', async () => {
    // A run of its own first, so that the replica contains the ward's patients when this test runs alone.
    const run = new WorkstationRun(directory.path, server.url, 'chart', SEED + KILLS + 1);
    runs.push(run);
    await run.until(() => run.confirmed.length > 0, 'a confirmed set', START_TIMEOUT_MS);
    await run.kill();
    const replica = await openTestReplica(directory.path, REPLICA_NAME);
    const patient = await replica.records.findOne({ selector: { resourceType: 'Patient' } }).exec();
    await replica.close();
    if (!patient) throw new Error('the first run should have synced the ward patients');
    const outbox = new Outbox(join(directory.path, `${REPLICA_NAME}.sqlite`));
    const before = outbox.count();
    outbox.add('records', patient.id);
    outbox.add('records', `Patient/${randomUUID()}`);
    expect(outbox.count(), 'rows before the settling run').toBe(before + 2);
    outbox.close();

    const settled = await settleOnce();

    expect(settled?.pendingChanges).toBe(0);
    const { pending } = await readReplica();
    expect(pending, 'rows left in the outbox').toEqual([]);
  });
});
