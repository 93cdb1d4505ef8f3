import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { makeTempDirectory } from '../support/replica.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ENTRY = join(ROOT, 'main', 'electron', 'core-process', 'entry.ts');
const HARNESS = join(ROOT, 'test', 'support', 'parent-port-harness.mjs');
const KEY = 'cd'.repeat(32);

/** Starts the core-process entry as a utility process would run it, with a stand-in parent port. */
function startCoreProcess(): { child: ChildProcess; messages: unknown[]; exited: Promise<number | null> } {
  const child = fork(ENTRY, [], { execArgv: ['--import', 'tsx', '--import', HARNESS], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const messages: unknown[] = [];
  child.on('message', (message) => messages.push(message));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, messages, exited };
}

describe('core utility process entry', () => {
  const directory = makeTempDirectory('core-process');
  let running: ChildProcess | undefined;

  afterEach(() => {
    if (running && running.exitCode === null) running.kill();
    running = undefined;
  });

  it('reports a failed start to main and exits', async () => {
    const { child, messages, exited } = startCoreProcess();
    running = child;

    child.send({ type: 'init', dataDirectory: join(directory.path, 'no-settings'), logDirectory: join(directory.path, 'logs-1'), replicaKey: KEY, policy: {} });

    expect(await exited).toBe(1);
    expect(messages).toEqual([{ type: 'startup-failed', message: expect.stringContaining('serverUrl') }]);
  });

  it('rejects an invalid start message', async () => {
    const { child, messages, exited } = startCoreProcess();
    running = child;

    child.send({ type: 'init', dataDirectory: directory.path, logDirectory: directory.path, replicaKey: 'not-hex', policy: {} });

    expect(await exited).toBe(1);
    expect(messages).toEqual([{ type: 'startup-failed', message: expect.stringContaining('replicaKey must be 64 hex digits') }]);
  });

  it('opens the replica with the policy\'s server and ward', async () => {
    const { child } = startCoreProcess();
    running = child;
    const ready = new Promise((resolve) => child.on('message', (message: { type?: string }) => message.type === 'ready' && resolve(message)));
    const dataDirectory = join(directory.path, 'data');
    const logDirectory = join(directory.path, 'logs-2');

    child.send({ type: 'init', dataDirectory, logDirectory, replicaKey: KEY, policy: { serverUrl: 'http://127.0.0.1:9', wardId: 'ward-4a' } });
    await ready;

    const logFile = readdirSync(logDirectory).find((file) => file.startsWith('core.') && file.endsWith('.log'));
    expect(readFileSync(join(logDirectory, logFile as string), 'utf8')).toContain('core process ready');
    expect(existsSync(join(dataDirectory, 'hms-replica.sqlite'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dataDirectory, 'settings.json'), 'utf8'))).toMatchObject({ serverUrl: 'http://127.0.0.1:9', wardId: 'ward-4a' });
    directory.remove();
  });
});
