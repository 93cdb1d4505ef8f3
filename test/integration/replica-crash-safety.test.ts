import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { openReplica } from '../../sync/replica/replica.js';
import { acquireConnection, releaseConnection } from '../../sync/replica/sqlite/connection-pool.js';
import { makeTempDirectory } from '../support/replica.js';

const ROOT = join(import.meta.dirname, '..', '..');
const WRITER = join(ROOT, 'test', 'support', 'crash-writer.ts');
const KEY = 'c3'.repeat(32);
const BATCH_SIZE = 100;
const KILLS = 20;
const TARGET_DOCUMENTS = 10_000;

/** A small deterministic generator, so a failing run can be repeated exactly. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/**
 * SIGKILL ends the process, not the machine: the page cache survives, so this test proves that an
 * acknowledged write is committed and that no bulk write is half applied, while durability through
 * a power cut rests on `synchronous = FULL` (see connection-pool.ts).
 *
 * Runs the writer until `afterAcknowledged` batches are acknowledged plus a random extra delay,
 * then kills it with SIGKILL, the nearest thing to a power cut a test can cause. Returns the
 * batches it acknowledged.
 */
function writeUntilKilled(directory: string, firstBatch: number, afterAcknowledged: number, extraDelayMs: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, directory, String(firstBatch), String(BATCH_SIZE), KEY], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const acknowledged: number[] = [];
    let buffered = '';
    let killScheduled = false;
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line) acknowledged.push(Number(line));
      if (!killScheduled && acknowledged.length >= afterAcknowledged) {
        killScheduled = true;
        setTimeout(() => child.kill('SIGKILL'), extraDelayMs);
      }
    });
    child.once('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acknowledged);
      else reject(new Error(`The writer exited by itself (${code ?? signal}): ${errors}`));
    });
  });
}

describe('replica crash safety', () => {
  const directory = makeTempDirectory('crash');

  afterAll(() => directory.remove());

  it('keeps every acknowledged write and no half batch through 20 kills', async () => {
    const random = seededRandom(20261204);
    const acknowledged = new Set<number>();
    let nextBatch = 0;

    for (let kill = 0; kill < KILLS; kill += 1) {
      const batchesThisRun = Math.ceil(TARGET_DOCUMENTS / BATCH_SIZE / KILLS);
      // Killed at a random moment after this run's share of batches: often inside the next bulk write.
      const written = await writeUntilKilled(directory.path, nextBatch, batchesThisRun, Math.floor(random() * 60));
      for (const batch of written) acknowledged.add(batch);
      // The batch in flight at the kill may or may not have committed: start the next run after it.
      nextBatch = Math.max(nextBatch, ...written) + 2;

      const replica = await openReplica({ directory: directory.path, name: 'crash', key: KEY });
      const documents = await replica.entries.find().exec();
      await replica.close();
      const countsByBatch = new Map<number, number>();
      for (const document of documents) {
        const batch = Number(/^Observation\/b(\d+)-/.exec(document.id)?.[1]);
        countsByBatch.set(batch, (countsByBatch.get(batch) ?? 0) + 1);
      }

      for (const batch of acknowledged) expect(countsByBatch.get(batch), `acknowledged batch ${batch} after kill ${kill}`).toBe(BATCH_SIZE);
      for (const [batch, count] of countsByBatch) expect(count, `batch ${batch} after kill ${kill} is whole`).toBe(BATCH_SIZE);

      const file = join(directory.path, 'crash.sqlite');
      const database = acquireConnection(file, KEY);
      expect(database.pragma('integrity_check', { simple: true })).toBe('ok');
      releaseConnection(file);
    }

    expect(acknowledged.size * BATCH_SIZE).toBeGreaterThanOrEqual(TARGET_DOCUMENTS);
  });
});
