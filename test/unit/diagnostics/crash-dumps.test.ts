import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { listCrashDumps, pruneCrashDumps } from '../../../main/core/diagnostics/crash-dumps.js';
import { startLocalCrashReports } from '../../../main/electron/crash-reports.js';
import { makeTempDirectory } from '../../support/replica.js';

const DAY = 24 * 60 * 60 * 1000;
const NOW = new Date('2026-12-05T07:00:00Z');

/** Writes a file under the dump folder, last modified `ageDays` before NOW. */
function writeAged(directory: string, name: string, ageDays: number): void {
  const path = join(directory, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, 'MDMP');
  const time = new Date(NOW.getTime() - ageDays * DAY);
  utimesSync(path, time, time);
}

describe('crash dump retention', () => {
  let directory: ReturnType<typeof makeTempDirectory>;

  beforeEach(() => {
    directory = makeTempDirectory('crash-dumps');
  });

  afterEach(() => directory.remove());

  it('deletes dumps older than the retention period', () => {
    writeAged(directory.path, 'completed/old.dmp', 15);
    writeAged(directory.path, 'pending/older.dmp', 40);
    writeAged(directory.path, 'completed/recent.dmp', 13);

    const removed = pruneCrashDumps(directory.path, 14, NOW);

    expect(removed.sort()).toEqual(['completed/old.dmp', 'pending/older.dmp']);
    expect(listCrashDumps(directory.path).map((dump) => dump.name)).toEqual(['completed/recent.dmp']);
  });

  it('keeps Crashpad bookkeeping files', () => {
    writeAged(directory.path, 'settings.dat', 100);
    writeAged(directory.path, 'metadata', 100);

    expect(pruneCrashDumps(directory.path, 14, NOW)).toEqual([]);
    expect(readdirSync(directory.path).sort()).toEqual(['metadata', 'settings.dat']);
  });

  it('treats a missing folder as empty', () => {
    expect(pruneCrashDumps(join(directory.path, 'absent'), 14, NOW)).toEqual([]);
  });

  it('starts Crashpad without upload and prunes at once', () => {
    writeAged(directory.path, 'completed/old.dmp', 30);
    const app = { setPath: vi.fn() };
    const crashReporter = { start: vi.fn() };

    const reports = startLocalCrashReports({ app, crashReporter, directory: directory.path, retentionDays: 7, now: () => NOW });
    reports.stop();

    expect(app.setPath).toHaveBeenCalledWith('crashDumps', directory.path);
    expect(crashReporter.start).toHaveBeenCalledWith(expect.objectContaining({ uploadToServer: false, ignoreSystemCrashHandler: true }));
    expect(crashReporter.start.mock.calls[0]?.[0]).not.toHaveProperty('submitURL');
    expect(listCrashDumps(directory.path)).toEqual([]);
  });
});
