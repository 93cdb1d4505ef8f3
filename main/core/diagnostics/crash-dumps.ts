import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface CrashDumpFile {
  /** Path relative to the crash dump folder, such as `completed/1a2b….dmp`. */
  name: string;
  bytes: number;
  modifiedAt: Date;
}

/**
 * Lists the files under the crash dump folder. Crashpad keeps minidumps in subfolders
 * (`pending`, `completed`) next to its own bookkeeping files, so every regular file counts.
 */
export function listCrashDumps(directory: string): CrashDumpFile[] {
  const files: CrashDumpFile[] = [];
  const visit = (folder: string) => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        visit(path);
      } else if (entry.isFile()) {
        const stats = statSync(path);
        files.push({ name: relative(directory, path), bytes: stats.size, modifiedAt: stats.mtime });
      }
    }
  };
  visit(directory);
  return files.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Deletes minidumps (`*.dmp`) last written more than `retentionDays` days before `now`, because
 * they hold process memory and so may hold patient data. Crashpad's settings and database files
 * stay. Returns the names of the deleted files.
 */
export function pruneCrashDumps(directory: string, retentionDays: number, now: Date): string[] {
  const cutoff = now.getTime() - retentionDays * DAY_MS;
  const removed: string[] = [];
  for (const dump of listCrashDumps(directory)) {
    if (!dump.name.endsWith('.dmp') || dump.modifiedAt.getTime() >= cutoff) continue;
    rmSync(join(directory, dump.name), { force: true });
    removed.push(dump.name);
  }
  return removed;
}
