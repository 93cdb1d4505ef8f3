import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { pino } from 'pino';
import pinoRoll from 'pino-roll';

import type { Logger } from './logger.js';
import { loggerOptions } from './logger.js';

/** Log files are kept this many days, as the central HMS keeps its own logs. */
export const LOG_RETENTION_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface FileLoggerOptions {
  directory: string;
  /** File name stem: `<name>.<yyyy-MM-dd>.<n>.log`. */
  name: string;
  level?: string;
  now?: () => Date;
}

/**
 * A logger that writes JSON lines to a file rotated daily (and at 50 MB), readable by the user the
 * app runs as only, and deletes its files older than 90 days at start and once a day. Writes are
 * synchronous so that the line logged before a fatal exit reaches the disk.
 */
export async function createFileLogger(options: FileLoggerOptions): Promise<Logger> {
  const now = options.now ?? (() => new Date());
  mkdirSync(options.directory, { recursive: true, mode: 0o700 });
  removeExpiredLogs(options.directory, options.name, now());

  const stream = await pinoRoll({
    file: join(options.directory, options.name),
    extension: '.log',
    frequency: 'daily',
    dateFormat: 'yyyy-MM-dd',
    size: '50m',
    mkdir: true,
    sync: true,
    mode: 0o600,
  });
  const sweep = setInterval(() => removeExpiredLogs(options.directory, options.name, now()), DAY_MS);
  sweep.unref();
  return pino(loggerOptions(options.level), stream);
}

/** Deletes this logger's files last written more than LOG_RETENTION_DAYS ago; returns how many. */
export function removeExpiredLogs(directory: string, name: string, now: Date): number {
  const cutoff = now.getTime() - LOG_RETENTION_DAYS * DAY_MS;
  let removed = 0;
  for (const file of readdirSync(directory)) {
    if (!file.startsWith(`${name}.`) || !file.endsWith('.log')) continue;
    const path = join(directory, file);
    if (statSync(path).mtimeMs < cutoff) {
      rmSync(path, { force: true });
      removed += 1;
    }
  }
  return removed;
}
