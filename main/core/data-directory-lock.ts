import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3-multiple-ciphers';

/** Holds the owner's process id, for the message a second instance shows. */
export const LOCK_FILE = 'workstation.lock';
/** SQLite file whose exclusive lock is the data folder's lock. */
export const LOCK_DATABASE = 'workstation.lock.db';

/** Locks held by this process; kept here so that no lock is lost to garbage collection. */
const held = new Set<Database.Database>();

/**
 * Claims a data folder for this process, so that two workstations never open one replica. The claim
 * is an exclusive SQLite lock (an OS file lock) on LOCK_DATABASE, held until `release` or the end of
 * the process, whichever way it ends. A process id file could be read half written, taken over by
 * two starters at once, or point at a reused process id; the OS lock has none of these races.
 */
export function lockDataDirectory(directory: string): { release(): void } {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const pidPath = join(directory, LOCK_FILE);
  const database = new Database(join(directory, LOCK_DATABASE), { timeout: 0 });
  try {
    // In exclusive locking mode SQLite keeps the lock of the first write transaction after it commits.
    database.pragma('locking_mode = EXCLUSIVE');
    database.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS lock_owner (pid INTEGER); COMMIT;');
  } catch (error) {
    database.close();
    if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
    throw new Error(`Another HMS Workstation (${describeOwner(pidPath)}) is using the data folder ${directory}; stop it, or use another folder`, { cause: error });
  }
  held.add(database);
  writeFileSync(pidPath, String(process.pid), { mode: 0o600 });
  return {
    release() {
      if (!held.delete(database)) return;
      rmSync(pidPath, { force: true });
      database.close();
    },
  };
}

function describeOwner(pidPath: string): string {
  try {
    const owner = Number(readFileSync(pidPath, 'utf8'));
    return Number.isInteger(owner) && owner > 0 ? `process ${owner}` : 'a process starting up';
  } catch {
    return 'a process starting up';
  }
}
