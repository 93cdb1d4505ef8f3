import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { LOCK_FILE, lockDataDirectory } from '../../../main/core/data-directory-lock.js';

describe('lockDataDirectory', () => {
  const directories: string[] = [];
  const newDirectory = () => {
    const directory = mkdtempSync(join(tmpdir(), 'hms-lock-'));
    directories.push(directory);
    return directory;
  };

  afterEach(() => {
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });

  it('refuses a second claim and names the owner', () => {
    const directory = newDirectory();
    const lock = lockDataDirectory(directory);
    expect(readFileSync(join(directory, LOCK_FILE), 'utf8')).toBe(String(process.pid));

    expect(() => lockDataDirectory(directory)).toThrow(`Another HMS Workstation (process ${process.pid}) is using the data folder ${directory}`);
    lock.release();
  });

  it('can be claimed again after release', () => {
    const directory = newDirectory();
    lockDataDirectory(directory).release();
    expect(existsSync(join(directory, LOCK_FILE))).toBe(false);

    const again = lockDataDirectory(directory);
    again.release();
  });

  it('ignores a process id file left by a process that ended', () => {
    const directory = newDirectory();
    // A killed workstation leaves its id behind; a reused id must not block the folder either.
    writeFileSync(join(directory, LOCK_FILE), '1');
    const lock = lockDataDirectory(directory);
    lock.release();
  });

  it('is free again once the owning process is killed', () => {
    const directory = newDirectory();
    const script = `import('${join(import.meta.dirname, '../../../main/core/data-directory-lock.ts').replaceAll('\\\\', '/')}').then((m) => { m.lockDataDirectory(${JSON.stringify(directory)}); process.kill(process.pid, 'SIGKILL'); })`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.signal).toBe('SIGKILL');

    const lock = lockDataDirectory(directory);
    lock.release();
  });
});
