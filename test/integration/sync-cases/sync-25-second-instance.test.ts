import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { lockDataDirectory } from '../../../main/core/data-directory-lock.js';
import { DEFAULT_REPLICA_NAME, openReplica } from '../../../sync/replica/replica.js';
import { makeTempDirectory, validatedSqliteStorage } from '../../support/replica.js';
import { SyncHarness, WARD_ID } from '../../support/sync-harness.js';

/**
 * SYNC-25: the app starts a second time on a replica that is already open. The second instance
 * must stop with an error message that names the cause. It must never fall back to an empty or
 * temporary database, which would take clinical input it cannot keep. A lock left by a crashed
 * instance must not keep the next start away from the replica's data.
 *
 * The instances are the browser host (main/browser-host/main.ts) as separate processes on one data
 * folder, which main/core/data-directory-lock.ts guards. Electron's single-instance lock, which
 * brings the first window forward instead, is tested in test/unit/electron/single-instance.test.ts.
 * The case's variant of two replication loops on one replica cannot arise while the lock holds.
 */

const ROOT = join(import.meta.dirname, '..', '..', '..');
const HOST = join(ROOT, 'main', 'browser-host', 'main.ts');
const KEY = 'e5'.repeat(32);
const RUNNING = 'HMS Workstation is running';
const START_TIMEOUT_MS = 60_000;

interface HostProcess {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
}

describe('SYNC-25: second instance on the same replica', () => {
  const dataDirectory = makeTempDirectory('sync-25-data');
  const rendererDirectory = makeTempDirectory('sync-25-renderer');
  const started: HostProcess[] = [];
  let harness: SyncHarness;
  let vitalsId: string;

  /** Starts the browser host on the shared data folder, as a double click on the app would. */
  function startHost(): HostProcess {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', HOST, '--data-dir', dataDirectory.path, '--server-url', harness.serverUrl, '--ward', WARD_ID, '--renderer-dir', rendererDirectory.path],
      { cwd: ROOT, env: { ...process.env, HMS_REPLICA_KEY: KEY }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const host: HostProcess = { child, stdout: '', stderr: '', exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
    child.stdout?.on('data', (chunk: Buffer) => (host.stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (host.stderr += chunk.toString()));
    started.push(host);
    return host;
  }

  async function waitUntilRunning(host: HostProcess): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!host.stdout.includes(RUNNING)) {
      if (host.child.exitCode !== null) throw new Error(`The host exited with ${host.child.exitCode} before it was running: ${host.stderr}`);
      if (Date.now() > deadline) throw new Error(`The host was not running after ${START_TIMEOUT_MS} ms: ${host.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Lists the data folder's files, logs left out, since the running instance keeps writing them. */
  function dataFiles(): string[] {
    return readdirSync(dataDirectory.path, { recursive: true, encoding: 'utf8' })
      .filter((name) => !name.startsWith('logs'))
      .sort();
  }

  beforeAll(async () => {
    writeFileSync(join(rendererDirectory.path, 'index.html'), '<!doctype html><title>HMS Workstation</title>\n');
    harness = await SyncHarness.start({ databasePrefix: 'sync_25' });
    // The replica the instances share already contains the ward and one entry charted here.
    const workstation = await harness.addWorkstation('ws-a', { direct: true, directory: dataDirectory, replicaName: DEFAULT_REPLICA_NAME, replicaKey: KEY });
    vitalsId = await workstation.recordVitals((await workstation.listPatients())[0] as string, { pulse: 70 });
    await workstation.waitSynced();
    await workstation.close();
  });

  afterAll(async () => {
    for (const host of started) {
      if (host.child.exitCode === null && host.child.signalCode === null) {
        host.child.kill('SIGKILL');
        await host.exited;
      }
    }
    await harness?.close();
    rendererDirectory.remove();
  });

  it('stops a second instance with the cause', async () => {
    const first = startHost();
    await waitUntilRunning(first);
    const filesBefore = dataFiles();

    const second = startHost();
    const exitCode = await second.exited;

    expect(exitCode).toBe(1);
    expect(second.stderr).toContain(`Another HMS Workstation (process ${first.child.pid}) is using the data folder ${dataDirectory.path}`);
    expect(second.stdout).not.toContain(RUNNING);
    expect(dataFiles(), 'the second instance created no database of its own').toEqual(filesBefore);
    expect(() => lockDataDirectory(dataDirectory.path)).toThrow(`process ${first.child.pid}`);
    expect(first.child.exitCode, 'the first instance goes on running').toBeNull();
  });

  it('opens the same replica after a crash', async () => {
    const [first] = started as [HostProcess];
    first.child.kill('SIGKILL');
    await first.exited;

    const next = startHost();
    await waitUntilRunning(next);
    next.child.kill('SIGTERM');
    // A signal in place of an exit code means the host did not shut down by itself: name it, with the host's output.
    const exitCode = await next.exited;
    expect(exitCode, `the host ended with signal ${next.child.signalCode ?? 'none'}; stderr: ${next.stderr.slice(-2000)}`).toBe(0);

    const replica = await openReplica({ directory: dataDirectory.path, name: DEFAULT_REPLICA_NAME, key: KEY, storage: validatedSqliteStorage(dataDirectory.path, KEY) });
    try {
      expect(await replica.entries.findOne(vitalsId).exec(), 'the entry charted before the crash is still there').not.toBeNull();
      expect(await replica.records.count().exec()).toBeGreaterThan(0);
    } finally {
      await replica.close();
    }
  });
});
