import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { acquireConnection, releaseConnection } from '../../../sync/replica/sqlite/connection-pool.js';
import type { SyncServer } from '../../../sync/server/app.js';
import { createServer } from '../../../sync/server/app.js';
import type { TestDatabase } from '../../support/postgres.js';
import { createTestDatabase } from '../../support/postgres.js';
import { makeTempDirectory } from '../../support/replica.js';
import { integerBetween, seededRandom, testSeed } from '../../support/seeded-random.js';

/**
 * The workstation, in a child process, runs its initial load into an encrypted replica in pages of
 * 3 documents. It is killed with SIGKILL three times after a random number of pages, so that a
 * kill lands inside a page's transaction or between two. The load runs with a rollback journal,
 * which a kill leaves behind hot. A last run must then finish the load from where it stopped, and
 * the replica must be intact and hold the same documents as a workstation loaded without a kill.
 */

const SEED = testSeed();
const KILLS = 3;
const ROOT = join(import.meta.dirname, '..', '..', '..');
const WORKSTATION_SCRIPT = join(ROOT, 'test', 'support', 'loading-workstation.ts');
const REPLICA_NAME = 'replica-kill-load';
const RUN_TIMEOUT_MS = 60_000;

interface Run {
  child: ChildProcess;
  pages: number;
  synced: boolean;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: string;
}

function startRun(directory: string, serverUrl: string, key: string): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKSTATION_SCRIPT, directory, REPLICA_NAME, serverUrl, key], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = { child, pages: 0, synced: false, output: '', exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))) };
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line.includes('"page"')) run.pages += 1;
      if (line.includes('"synced"')) run.synced = true;
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => (run.output = (run.output + chunk.toString()).slice(-4_000)));
  return run;
}

async function until(run: Run, predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  while (!predicate()) {
    if (run.child.exitCode !== null || run.child.signalCode !== null) throw new Error(`The workstation exited before ${what}: ${run.output}`);
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}: ${run.output}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * Ids of the replica's live records and entries (AuditEvents aside: each workstation writes its
 * own). With `checked`, the file must also pass SQLite's integrity check and be back on its
 * write-ahead log, as the load leaves it when it ends.
 */
function replicaIds(directory: string, key: string, checked: boolean): Set<string> {
  const file = join(directory, `${REPLICA_NAME}.sqlite`);
  const replica = acquireConnection(file, key);
  try {
    if (checked) {
      expect(replica.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(replica.pragma('journal_mode', { simple: true })).toBe('wal');
    }
    const ids = new Set<string>();
    for (const table of ['records-v1', 'entries-v0']) {
      const rows = replica.prepare(`SELECT id FROM "${table}" WHERE deleted = 0 AND id NOT LIKE 'AuditEvent/%'`).pluck().all() as string[];
      for (const id of rows) ids.add(id);
    }
    return ids;
  } finally {
    releaseConnection(file);
  }
}

describe(`initial load killed with SIGKILL (seed ${SEED})`, () => {
  const random = seededRandom(SEED);
  const directory = makeTempDirectory('kill-load');
  const referenceDirectory = makeTempDirectory('kill-load-reference');
  const key = randomBytes(32).toString('hex');
  let database: TestDatabase;
  let server: SyncServer;

  beforeAll(async () => {
    database = await createTestDatabase('kill_load');
    server = await createServer({ port: 0, databaseUrl: database.url, seed: true, logLevel: 'silent' });
  });

  afterAll(async () => {
    await server?.close();
    await database?.drop();
    directory.remove();
    referenceDirectory.remove();
  });

  it('resumes after each kill and ends with the ward intact', async () => {
    let killedDuringLoad = 0;
    for (let kill = 0; kill < KILLS; kill += 1) {
      const run = startRun(directory.path, server.url, key);
      const pages = integerBetween(random, 2, 12);
      await until(run, () => run.pages >= pages || run.synced, `${pages} pages`);
      if (!run.synced) killedDuringLoad += 1;
      run.child.kill('SIGKILL');
      await run.exited;
    }
    // The ward takes far more than 12 pages of 3, so every kill lands during the load.
    expect(killedDuringLoad).toBe(KILLS);

    const last = startRun(directory.path, server.url, key);
    await until(last, () => last.synced, 'the load to finish');
    expect((await last.exited).code).toBe(0);

    // A workstation that loaded the same ward without a kill is the reference.
    const reference = startRun(referenceDirectory.path, server.url, key);
    await until(reference, () => reference.synced, 'the reference load to finish');
    expect((await reference.exited).code).toBe(0);

    const killed = replicaIds(directory.path, key, true);
    const whole = replicaIds(referenceDirectory.path, key, false);
    expect(whole.size).toBeGreaterThan(20);
    expect([...whole].filter((id) => !killed.has(id))).toEqual([]);
    expect([...killed].filter((id) => !whole.has(id))).toEqual([]);
  }, 240_000);
});
