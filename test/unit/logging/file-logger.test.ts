import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createFileLogger, LOG_RETENTION_DAYS, removeExpiredLogs } from '../../../main/core/logging/file-logger.js';
import { makeTempDirectory } from '../../support/replica.js';

const DAY = 24 * 60 * 60 * 1000;

describe('file logger', () => {
  let directory: ReturnType<typeof makeTempDirectory>;

  beforeEach(() => {
    directory = makeTempDirectory('logs');
  });

  afterEach(() => directory.remove());

  it('writes JSON lines to a dated file readable by its owner only', async () => {
    const logger = await createFileLogger({ directory: directory.path, name: 'core' });

    logger.child({ component: 'vitals' }).info({ observationId: 'obs-1' }, 'vital signs recorded');

    const [file] = readdirSync(directory.path);
    expect(file).toMatch(/^core\.\d{4}-\d{2}-\d{2}\.1\.log$/);
    const line = JSON.parse(readFileSync(join(directory.path, file as string), 'utf8').trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, component: 'vitals', observationId: 'obs-1', msg: 'vital signs recorded' });
    expect(statSync(join(directory.path, file as string)).mode & 0o777).toBe(0o600);
  });

  it('redacts resources, names and passwords whatever the call site passes', async () => {
    const logger = await createFileLogger({ directory: directory.path, name: 'core' });

    logger.info({ resource: { name: [{ family: 'Müller' }] }, password: 'nurse-demo', input: { patientId: 'p-1' } }, 'careless call');

    const text = readdirSync(directory.path).map((file) => readFileSync(join(directory.path, file), 'utf8')).join('');
    expect(text).not.toContain('Müller');
    expect(text).not.toContain('nurse-demo');
    expect(text).toContain('[redacted]');
  });

  it(`deletes its files older than ${LOG_RETENTION_DAYS} days and nothing else`, () => {
    const now = new Date('2026-12-04T10:00:00Z');
    const files = {
      'core.2026-08-01.1.log': now.getTime() - (LOG_RETENTION_DAYS + 5) * DAY,
      'core.2026-10-01.1.log': now.getTime() - 60 * DAY,
      'main.2026-08-01.1.log': now.getTime() - (LOG_RETENTION_DAYS + 5) * DAY,
      'core-notes.txt': now.getTime() - (LOG_RETENTION_DAYS + 5) * DAY,
    };
    for (const [name, mtime] of Object.entries(files)) {
      writeFileSync(join(directory.path, name), '{}\n');
      utimesSync(join(directory.path, name), new Date(mtime), new Date(mtime));
    }

    expect(removeExpiredLogs(directory.path, 'core', now)).toBe(1);

    expect(existsSync(join(directory.path, 'core.2026-08-01.1.log'))).toBe(false);
    expect(readdirSync(directory.path).sort()).toEqual(['core-notes.txt', 'core.2026-10-01.1.log', 'main.2026-08-01.1.log']);
  });
});
