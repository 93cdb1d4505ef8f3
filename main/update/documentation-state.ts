import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { z } from 'zod';

import type { Clock } from '../core/clock.js';
import { LOCK_FILE } from '../core/data-directory-lock.js';
import type { DocumentationState } from './update-decision.js';

/**
 * File in the data folder through which the running core reports to other processes (`--busy`,
 * IT's deployment tools) whether documentation is open. A file needs no listening port or IPC
 * endpoint that another process could connect to, and its content is no patient data.
 */
export const DOCUMENTATION_STATE_FILE = 'documentation-state.json';

/** How often the core rewrites the file even without a change, so that a reader can tell a live core from a hung one. */
export const HEARTBEAT_MS = 30_000;
/** Age after which a reader no longer trusts the file: three missed heartbeats. */
export const STALE_AFTER_MS = 3 * HEARTBEAT_MS;

const stateRecord = z.object({
  pid: z.number().int().positive(),
  documentation: z.enum(['none-open', 'open', 'unknown']),
  updatedAt: z.iso.datetime(),
});
type StateRecord = z.infer<typeof stateRecord>;

export interface DocumentationStateFileOptions {
  dataDirectory: string;
  /** Reads the core's current state; called on every heartbeat. */
  documentation: () => DocumentationState;
  clock: Clock;
  pid?: number;
  heartbeatMs?: number;
}

/**
 * Starts writing the core's documentation state to the data folder, now and on every heartbeat.
 * Each write goes to a temporary file renamed over the old one, so a reader never sees half a
 * file. `stop` deletes the file, since a stopped core has nothing unsaved.
 */
export function startDocumentationStateFile(options: DocumentationStateFileOptions): { write(): void; stop(): void } {
  const path = join(options.dataDirectory, DOCUMENTATION_STATE_FILE);
  const write = () => {
    const record: StateRecord = { pid: options.pid ?? process.pid, documentation: options.documentation(), updatedAt: options.clock.now().toISOString() };
    writeFileSync(`${path}.tmp`, `${JSON.stringify(record)}\n`, { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
  };
  write();
  const timer = setInterval(write, options.heartbeatMs ?? HEARTBEAT_MS);
  timer.unref();
  return {
    write,
    stop() {
      clearInterval(timer);
      rmSync(path, { force: true });
    },
  };
}

export interface BusyCheckOptions {
  dataDirectory: string;
  now: Date;
  /** Tells whether a process id belongs to a running process. */
  isProcessAlive?: (pid: number) => boolean;
}

export interface BusyVerdict {
  safeToInstall: boolean;
  reason: string;
}

/**
 * Decides whether installing now would lose anyone's documentation. Safe only when no core runs
 * on the data folder, or when the running core reported no open documentation within the last
 * STALE_AFTER_MS. A missing, unreadable or stale state file from a running core counts as busy.
 */
export function checkBusy(options: BusyCheckOptions): BusyVerdict {
  const isAlive = options.isProcessAlive ?? isProcessAlive;
  const record = readStateRecord(join(options.dataDirectory, DOCUMENTATION_STATE_FILE));

  if (record !== undefined && isAlive(record.pid)) {
    const ageMs = options.now.getTime() - Date.parse(record.updatedAt);
    if (ageMs > STALE_AFTER_MS) return { safeToInstall: false, reason: `HMS Workstation (process ${record.pid}) has not updated its state for ${Math.round(ageMs / 1000)} s; it may hang` };
    if (record.documentation === 'open') return { safeToInstall: false, reason: `HMS Workstation (process ${record.pid}) has documentation open` };
    if (record.documentation === 'unknown') return { safeToInstall: false, reason: `HMS Workstation (process ${record.pid}) cannot tell whether documentation is open` };
    return { safeToInstall: true, reason: `HMS Workstation (process ${record.pid}) runs with no documentation open` };
  }

  const owner = readLockOwner(join(options.dataDirectory, LOCK_FILE));
  if (owner !== undefined && isAlive(owner)) return { safeToInstall: false, reason: `HMS Workstation (process ${owner}) runs but reports no documentation state` };
  return { safeToInstall: true, reason: `HMS Workstation is not running on ${options.dataDirectory}` };
}

function readStateRecord(path: string): StateRecord | undefined {
  try {
    const parsed = stateRecord.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function readLockOwner(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Signal 0 tests for a process without touching it; EPERM means it exists but belongs to another user. */
function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
