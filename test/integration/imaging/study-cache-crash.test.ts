import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { STUDY_CACHE_FOLDER, StudyCache } from '../../../main/core/imaging/study-cache.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const WRITER = join(ROOT, 'test', 'support', 'cache-crash-writer.ts');
const KEY = 'c3'.repeat(32);
const KILLS = 5;
const INSTANCE_BYTES = 1024 * 1024;

let dataDirectory: string;

beforeEach(async () => {
  dataDirectory = await mkdtemp(join(tmpdir(), 'hms-cache-crash-'));
});

afterEach(async () => {
  await rm(dataDirectory, { recursive: true, force: true });
});

/**
 * Runs the writer until it has acknowledged `afterAcknowledged` instances, then kills it with
 * SIGKILL a few milliseconds later, in the middle of the next write. Returns the acknowledged numbers.
 */
async function writeUntilKilled(firstInstance: number, afterAcknowledged: number, extraDelayMs: number): Promise<number[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDirectory, String(firstInstance), String(INSTANCE_BYTES), KEY], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const acknowledged: number[] = [];
  let errors = '';
  let pending = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    acknowledged.push(...lines.map(Number));
    if (acknowledged.length === afterAcknowledged && child.pid !== undefined) {
      const pid = child.pid;
      setTimeout(() => process.kill(pid, 'SIGKILL'), extraDelayMs);
    }
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal])));
  if (signal !== 'SIGKILL') throw new Error(`The cache writer exited with ${code ?? signal} before it was killed: ${errors}`);
  return acknowledged;
}

describe('study cache under SIGKILL', () => {
  it('keeps every acknowledged instance and shows no partial one', async () => {
    const acknowledged: number[] = [];
    let interruptedWrites = 0;
    let next = 1;

    for (let kill = 0; kill < KILLS; kill += 1) {
      const written = await writeUntilKilled(next, 2, 3 + kill * 4);
      acknowledged.push(...written);
      // The instance in flight at the kill may or may not have been stored: go on after it.
      next = (written.at(-1) ?? next) + 2;
      interruptedWrites += (await readdir(join(dataDirectory, STUDY_CACHE_FOLDER, 'incoming'))).length;

      const cache = await StudyCache.open({
        dataDirectory,
        replicaFile: join(dataDirectory, 'replica.sqlite'),
        replicaKey: KEY,
        maxBytes: 1024 * 1024 * 1024,
        pinnedPatientIds: () => new Set(),
        logger: pino({ level: 'silent' }),
      });
      try {
        expect(await readdir(join(dataDirectory, STUDY_CACHE_FOLDER, 'incoming')), `incoming files after kill ${kill}`).toEqual([]);
        for (const instance of acknowledged) {
          expect(cache.has(`1.2.826.0.1.3680043.77.${instance}.2`), `acknowledged instance ${instance} after kill ${kill}`).toBe(true);
        }
        for (const study of cache.studies()) {
          for (const stored of cache.instancesOfStudy(study.studyInstanceUid)) {
            const instance = Number(stored.sopInstanceUid.split('.').at(-2));
            const bytes = Buffer.from((await cache.readInstance(stored.sopInstanceUid)) ?? []);
            expect(bytes.length, `instance ${instance} after kill ${kill} is whole`).toBe(INSTANCE_BYTES);
            expect(bytes.every((byte) => byte === (instance & 0xff)), `instance ${instance} after kill ${kill} has its bytes`).toBe(true);
          }
        }
      } finally {
        cache.close();
      }
    }

    expect(acknowledged.length).toBeGreaterThanOrEqual(KILLS * 2);
    // Proves that kills landed in the middle of writes, which the checks above are about.
    expect(interruptedWrites).toBeGreaterThan(0);
  });
});
