import type { RxCollection, RxDatabase, RxJsonSchema } from 'rxdb';
import { createRxDatabase, randomToken } from 'rxdb';
import type { RxReplicationState } from 'rxdb/plugins/replication';
import { replicateRxCollection } from 'rxdb/plugins/replication';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { afterEach, describe, expect, it } from 'vitest';

import type { Logger } from '../../../sync/client/logger.js';
import { PullBackPressure } from '../../../sync/client/pull-back-pressure.js';
import type { Checkpoint } from '../../../sync/protocol/wire.js';

interface Item {
  id: string;
  value: number;
}

const SCHEMA: RxJsonSchema<Item> = {
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: { id: { type: 'string', maxLength: 20 }, value: { type: 'number' } },
  required: ['id', 'value'],
};

const BATCH_SIZE = 5;
const PAGES = 12;
const BOUND = 2;

/** The server's feed: `PAGES` full pages, each document's position its index. */
const FEED: Item[] = Array.from({ length: BATCH_SIZE * PAGES }, (_, index) => ({ id: `item-${String(index).padStart(3, '0')}`, value: index }));

interface Warning {
  fields: unknown;
  message: string;
}

function recordingLogger(warnings: Warning[]): Logger {
  const ignore = () => undefined;
  return { debug: ignore, info: ignore, error: ignore, warn: ((fields: unknown, message: string) => warnings.push({ fields, message })) as never } as Logger;
}

/**
 * One RxDB collection replicating from `FEED` through a pull handler that uses PullBackPressure, as
 * the workstation's replication does. The downstream's writes to the collection wait while
 * `hold()` is in force, as on a replica slower than the server.
 */
class Harness {
  readonly warnings: Warning[] = [];
  /** Pull handler calls, returned pages and documents written by the downstream so far. */
  calls = 0;
  returnedDocuments = 0;
  writtenDocuments = 0;
  /** The most documents returned to RxDB and not yet written, seen as a pull request goes out. */
  maxDocumentsAhead = 0;
  /** The back-pressure's wait of the latest call. */
  lastWait: Promise<void> | undefined;
  database!: RxDatabase<{ items: RxCollection<Item> }>;
  replication!: RxReplicationState<Item, Checkpoint>;
  backPressure!: PullBackPressure;
  #holding = false;
  #held: { resolve: () => void; reject: (error: Error) => void }[] = [];
  #callWaiters: { calls: number; resolve: () => void }[] = [];

  async start(options: { stallTimeoutMs?: number } = {}): Promise<void> {
    this.database = await createRxDatabase({ name: `back-pressure-${randomToken(8)}`, storage: getRxStorageMemory(), multiInstance: false });
    await this.database.addCollections({ items: { schema: SCHEMA } });
    this.#holdDownstreamWrites(this.database.items);
    this.backPressure = new PullBackPressure({ collection: 'items', logger: recordingLogger(this.warnings), maxUnwrittenPages: BOUND, ...options });
    this.replication = replicateRxCollection<Item, Checkpoint>({
      collection: this.database.items,
      replicationIdentifier: 'back-pressure-test',
      live: true,
      retryTime: 10,
      waitForLeadership: false,
      pull: { batchSize: BATCH_SIZE, handler: (checkpoint, batchSize) => this.#pull(checkpoint, batchSize) },
      push: { handler: async () => [] },
    });
    this.backPressure.follow(this.replication as never);
  }

  hold(): void {
    this.#holding = true;
  }

  /** Lets the held writes and every later one go, or fails them with `error`. */
  release(error?: Error): void {
    this.#holding = false;
    for (const write of this.#held.splice(0)) {
      if (error) write.reject(error);
      else write.resolve();
    }
  }

  /** Resolves once the pull handler has been called `calls` times. */
  calledTimes(calls: number): Promise<void> {
    if (this.calls >= calls) return Promise.resolve();
    return new Promise((resolve) => this.#callWaiters.push({ calls, resolve }));
  }

  async close(): Promise<void> {
    this.release();
    await this.replication?.cancel();
    await this.database?.remove();
  }

  async #pull(checkpoint: Checkpoint | undefined, batchSize: number) {
    this.calls += 1;
    for (const waiter of this.#callWaiters.filter((entry) => entry.calls <= this.calls)) waiter.resolve();
    this.lastWait = this.backPressure.beforePull();
    await this.lastWait;
    this.maxDocumentsAhead = Math.max(this.maxDocumentsAhead, this.returnedDocuments - this.writtenDocuments);
    const start = checkpoint ? Number(checkpoint.txid) : 0;
    const documents = FEED.slice(start, start + batchSize).map((item) => ({ ...item, _deleted: false }));
    const last = documents.at(-1);
    const next = last ? { txid: String(start + documents.length), id: last.id } : checkpoint;
    this.backPressure.afterPull(checkpoint, next, documents.length);
    this.returnedDocuments += documents.length;
    return { documents, checkpoint: next };
  }

  #holdDownstreamWrites(collection: RxCollection<Item>): void {
    const instance = collection.storageInstance;
    const bulkWrite = instance.bulkWrite.bind(instance);
    instance.bulkWrite = async (rows, context) => {
      if (this.#holding && context.startsWith('replication-downstream')) {
        await new Promise<void>((resolve, reject) => this.#held.push({ resolve, reject }));
      }
      const result = await bulkWrite(rows, context);
      if (context.startsWith('replication-downstream')) this.writtenDocuments += rows.length - result.error.length;
      return result;
    };
  }
}

/** Lets every timer-free continuation run: the pending promise of a held pull stays pending. */
async function settle(): Promise<void> {
  for (let round = 0; round < 5; round += 1) await new Promise((resolve) => setImmediate(resolve));
}

async function isPending(promise: Promise<unknown> | undefined): Promise<boolean> {
  let settled = false;
  void promise?.then(
    () => (settled = true),
    () => (settled = true),
  );
  await settle();
  return !settled;
}

describe('PullBackPressure', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness.close();
  });

  it('holds the pull while pages wait', async () => {
    harness = new Harness();
    harness.hold();
    await harness.start();

    // Pages 1 to BOUND + 1 went out; the next call finds BOUND + 1 pages unwritten and waits.
    await harness.calledTimes(BOUND + 2);
    expect(await isPending(harness.lastWait)).toBe(true);
    expect(harness.returnedDocuments).toBe((BOUND + 1) * BATCH_SIZE);
    expect(harness.writtenDocuments).toBe(0);
    expect(harness.backPressure.unwrittenPages).toBe(BOUND + 1);

    harness.release();
    await harness.replication.awaitInSync();
    expect(await harness.database.items.count().exec()).toBe(FEED.length);
    expect(harness.backPressure.unwrittenPages).toBe(0);
  });

  it('bounds pulled documents ahead of the writes', async () => {
    harness = new Harness();
    await harness.start();
    await harness.replication.awaitInSync();

    expect(await harness.database.items.count().exec()).toBe(FEED.length);
    expect(harness.returnedDocuments).toBe(FEED.length);
    expect(harness.maxDocumentsAhead).toBeLessThanOrEqual(BOUND * BATCH_SIZE);
    expect(harness.warnings).toEqual([]);
  });

  it('releases a held pull when a write fails', async () => {
    harness = new Harness();
    harness.hold();
    await harness.start();
    await harness.calledTimes(BOUND + 2);
    expect(await isPending(harness.lastWait)).toBe(true);

    const errors: unknown[] = [];
    harness.replication.error$.subscribe((error) => errors.push(error));
    harness.release(new Error('disk full'));
    await harness.lastWait;
    expect(errors.length).toBeGreaterThan(0);
  });

  it('releases a held pull on cancel', async () => {
    harness = new Harness();
    harness.hold();
    await harness.start();
    await harness.calledTimes(BOUND + 2);
    const heldPull = harness.lastWait;
    expect(await isPending(heldPull)).toBe(true);

    await harness.replication.cancel();
    await heldPull;
    expect(harness.backPressure.unwrittenPages).toBe(0);
  });

  it('warns and pulls on after a stall', async () => {
    harness = new Harness();
    harness.hold();
    await harness.start({ stallTimeoutMs: 20 });
    await harness.calledTimes(BOUND + 2);
    await harness.lastWait;

    expect(harness.warnings.map((warning) => warning.message)).toContain('the replica wrote no pulled page in time; pulling the next page anyway');
  });

  it('rejects a negative bound', () => {
    harness = new Harness();
    expect(() => new PullBackPressure({ collection: 'items', logger: recordingLogger([]), maxUnwrittenPages: -1 })).toThrow(/Invalid maxUnwrittenPages -1/);
  });
});
