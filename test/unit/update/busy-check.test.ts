import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Clock } from '../../../main/core/clock.js';
import { fixedClock } from '../../../main/core/clock.js';
import { lockDataDirectory } from '../../../main/core/data-directory-lock.js';
import { dataDirectoryArgument, runBusyCheck } from '../../../main/update/busy-check.js';
import { checkBusy, DOCUMENTATION_STATE_FILE, startDocumentationStateFile } from '../../../main/update/documentation-state.js';
import { makeTempDirectory } from '../../support/replica.js';

const T0 = '2026-12-05T02:00:00.000Z';
const alive = () => true;
const dead = () => false;

function at(offsetSeconds: number): Date {
  return new Date(Date.parse(T0) + offsetSeconds * 1000);
}

describe('--busy verdict', () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  const stops: (() => void)[] = [];

  beforeEach(() => {
    directory = makeTempDirectory('busy');
  });

  afterEach(() => {
    for (const stop of stops.splice(0)) stop();
    directory.remove();
  });

  function coreReports(documentation: 'open' | 'none-open' | 'unknown', clock: Clock = fixedClock(T0)) {
    const file = startDocumentationStateFile({ dataDirectory: directory.path, documentation: () => documentation, clock, pid: 4242 });
    stops.push(() => file.stop());
    return file;
  }

  it('is safe with no core running', () => {
    expect(checkBusy({ dataDirectory: directory.path, now: at(0), isProcessAlive: alive })).toEqual({ safeToInstall: true, reason: `HMS Workstation is not running on ${directory.path}` });
  });

  it('is busy while documentation is open', () => {
    coreReports('open');

    expect(checkBusy({ dataDirectory: directory.path, now: at(10), isProcessAlive: alive })).toEqual({ safeToInstall: false, reason: 'HMS Workstation (process 4242) has documentation open' });
  });

  it('is safe when the core reports none open', () => {
    coreReports('none-open');

    expect(checkBusy({ dataDirectory: directory.path, now: at(10), isProcessAlive: alive }).safeToInstall).toBe(true);
  });

  it('is busy when the state is unknown', () => {
    coreReports('unknown');

    expect(checkBusy({ dataDirectory: directory.path, now: at(10), isProcessAlive: alive }).safeToInstall).toBe(false);
  });

  it('is busy on a stale state file', () => {
    coreReports('none-open');

    expect(checkBusy({ dataDirectory: directory.path, now: at(90), isProcessAlive: alive }).safeToInstall).toBe(true);
    expect(checkBusy({ dataDirectory: directory.path, now: at(91), isProcessAlive: alive })).toEqual({ safeToInstall: false, reason: 'HMS Workstation (process 4242) has not updated its state for 91 s; it may hang' });
  });

  it('follows state changes on rewrite', () => {
    let documentation: 'open' | 'none-open' = 'open';
    const file = startDocumentationStateFile({ dataDirectory: directory.path, documentation: () => documentation, clock: fixedClock(T0), pid: 4242 });
    stops.push(() => file.stop());

    expect(checkBusy({ dataDirectory: directory.path, now: at(1), isProcessAlive: alive }).safeToInstall).toBe(false);
    documentation = 'none-open';
    file.write();
    expect(checkBusy({ dataDirectory: directory.path, now: at(1), isProcessAlive: alive }).safeToInstall).toBe(true);
  });

  it('is safe after a crashed core', () => {
    coreReports('open');
    writeFileSync(join(directory.path, 'workstation.lock'), '4242');

    expect(checkBusy({ dataDirectory: directory.path, now: at(10), isProcessAlive: dead }).safeToInstall).toBe(true);
  });

  it('is busy for a core without state', () => {
    const lock = lockDataDirectory(directory.path);
    stops.push(() => lock.release());

    expect(checkBusy({ dataDirectory: directory.path, now: at(0) })).toEqual({ safeToInstall: false, reason: `HMS Workstation (process ${process.pid}) runs but reports no documentation state` });
  });

  it('ignores a malformed state file', () => {
    writeFileSync(join(directory.path, DOCUMENTATION_STATE_FILE), '{"pid": "x"');

    expect(checkBusy({ dataDirectory: directory.path, now: at(0), isProcessAlive: alive }).safeToInstall).toBe(true);
  });

  it('removes the file on stop', () => {
    const file = coreReports('open');

    file.stop();

    expect(existsSync(join(directory.path, DOCUMENTATION_STATE_FILE))).toBe(false);
  });

  it('prints the verdict with exit code', () => {
    let output = '';
    const safe = runBusyCheck({ dataDirectory: directory.path, clock: fixedClock(T0), write: (text) => (output += text) });

    expect(safe).toBe(0);
    expect(output).toBe(`safe to install: HMS Workstation is not running on ${directory.path}\n`);
  });

  it('is busy without a data folder', () => {
    let output = '';

    expect(runBusyCheck({ dataDirectory: undefined, clock: fixedClock(T0), write: (text) => (output += text) })).toBe(1);
    expect(output).toBe('busy: no shared data folder to check; set dataDirectory by policy or pass --data-dir=DIR\n');
  });

  it('reads --data-dir both ways', () => {
    expect(dataDirectoryArgument(['electron', '.', '--busy', '--data-dir=/srv/hms'])).toBe('/srv/hms');
    expect(dataDirectoryArgument(['electron', '.', '--data-dir', '/srv/hms', '--busy'])).toBe('/srv/hms');
    expect(dataDirectoryArgument(['electron', '.', '--busy'])).toBeUndefined();
  });

  it('runs from the browser host', async () => {
    const run = (args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'main/browser-host/main.ts', ...args], { cwd: join(import.meta.dirname, '..', '..', '..') });
    const state = startDocumentationStateFile({ dataDirectory: directory.path, documentation: () => 'open', clock: { now: () => new Date() } });
    stops.push(() => state.stop());

    const busy = await run(['--busy', '--data-dir', directory.path]).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    state.stop();
    const safe = await run(['--busy', '--data-dir', directory.path]);

    expect(busy).toEqual({ code: 1, stdout: `busy: HMS Workstation (process ${process.pid}) has documentation open\n` });
    expect(safe.stdout).toBe(`safe to install: HMS Workstation is not running on ${directory.path}\n`);
  });
});
