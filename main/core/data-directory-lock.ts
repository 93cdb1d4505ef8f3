import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'workstation.lock';

/**
 * Claims a data folder for this process, so that two workstations never open one replica. The lock
 * file holds the owner's process id; a lock whose process has ended is taken over.
 */
export function lockDataDirectory(directory: string): { release(): void } {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const path = join(directory, LOCK_FILE);
  try {
    writeFileSync(path, String(process.pid), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = Number(readFileSync(path, 'utf8'));
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processExists(owner)) {
      throw new Error(`Another HMS Workstation (process ${owner}) is using the data folder ${directory}; stop it, or use another folder`, { cause: error });
    }
    writeFileSync(path, String(process.pid), { mode: 0o600 });
  }
  return {
    release() {
      rmSync(path, { force: true });
    },
  };
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
