import type { Logger } from 'pino';

import type { CollectionName } from '../protocol/collections.js';
import { COLLECTION_NAMES } from '../protocol/collections.js';
import { resyncEvent } from '../protocol/wire.js';
import type { Database, Queryable, Unsubscribe } from './database/index.js';
import { describeErrorForLog } from './errors.js';

/**
 * Change notifications between server instances: a push that wrote documents sends NOTIFY on
 * `hms_changes` with the collection names, and every instance LISTENs and notifies its event streams.
 */

export const CHANGES_CHANNEL = 'hms_changes';

/** Queues a notification that PostgreSQL delivers when the transaction commits, and never if it rolls back. */
export async function notifyChanges(transaction: Queryable, collections: Iterable<CollectionName>): Promise<void> {
  const payload = JSON.stringify({ collections: [...new Set(collections)].sort() });
  await transaction.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, payload]);
}

export type ChangeListener = (collections: ReadonlySet<CollectionName>) => void;

/** How often to check whether a notified change is visible to pulls yet. */
const VISIBILITY_POLL_FAST_MS = 25;
const VISIBILITY_POLL_SLOW_MS = 500;
/** After this, tell the streams anyway: they pull what is visible, and hear again once the rest is. */
const EARLY_RESYNC_AFTER_MS = 1_000;
/** Give up on a change after this: its early resync was sent, and only a stuck transaction is this old. */
const STOP_WAITING_AFTER_MS = 10 * 60 * 1000;

interface PendingChange {
  /** All transactions with a lower xid must have ended before a pull can see this change. */
  visibleFromXmin: bigint;
  collections: Set<CollectionName>;
  receivedAt: number;
  earlyResyncSent: boolean;
}

function parseCollections(payload: string): CollectionName[] {
  try {
    return resyncEvent.parse(JSON.parse(payload)).collections;
  } catch {
    return [...COLLECTION_NAMES];
  }
}

/**
 * Hands change notifications to this instance's listeners once a pull can see the change.
 *
 * A pull only returns rows written below the oldest transaction still running (see routes/pull.ts).
 * When a transaction commits while an older one is still open, its rows stay hidden until the
 * older one ends, and the older one may never notify (a rollback, or a write to another database
 * of the cluster). So each notification waits until every transaction that started before it was
 * received has ended: until `pg_snapshot_xmin` reaches the `pg_snapshot_xmax` read on receipt.
 */
export class ChangeFeed {
  readonly #listeners = new Set<ChangeListener>();
  readonly #pending: PendingChange[] = [];
  #pollTimer: NodeJS.Timeout | undefined;
  #unsubscribe: Unsubscribe | undefined;
  #closed = false;

  private constructor(
    private readonly database: Database,
    private readonly logger: Logger,
  ) {}

  static async start(database: Database, logger: Logger): Promise<ChangeFeed> {
    const feed = new ChangeFeed(database, logger);
    feed.#unsubscribe = await database.listen(CHANGES_CHANNEL, {
      onNotification: (payload) => feed.#onNotification(payload),
      onReconnect: () => feed.#emit(new Set(COLLECTION_NAMES)),
    });
    return feed;
  }

  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#pollTimer);
    this.#listeners.clear();
    await this.#unsubscribe?.();
  }

  #emit(collections: ReadonlySet<CollectionName>): void {
    for (const listener of this.#listeners) listener(collections);
  }

  #onNotification(payload: string): void {
    const collections = new Set(parseCollections(payload));
    this.database
      .query<{ xmax: string }>('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax')
      .then(({ rows }) => {
        this.#pending.push({ visibleFromXmin: BigInt(rows[0]?.xmax ?? '0'), collections, receivedAt: Date.now(), earlyResyncSent: false });
        this.#schedulePoll(0);
      })
      .catch((error: unknown) => {
        if (this.#closed) return;
        this.logger.error({ err: describeErrorForLog(error) }, 'reading the snapshot for a change notification failed; sending resync at once');
        this.#emit(collections);
      });
  }

  #schedulePoll(delayMs: number): void {
    if (this.#closed || this.#pollTimer !== undefined) return;
    this.#pollTimer = setTimeout(() => {
      this.#pollTimer = undefined;
      this.#poll().catch((error: unknown) => {
        if (this.#closed) return;
        this.logger.error({ err: describeErrorForLog(error) }, 'reading the snapshot xmin failed; retrying');
        this.#schedulePoll(VISIBILITY_POLL_SLOW_MS);
      });
    }, delayMs);
  }

  async #poll(): Promise<void> {
    if (this.#pending.length === 0) return;
    const { rows } = await this.database.query<{ xmin: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin');
    const xmin = BigInt(rows[0]?.xmin ?? '0');
    const now = Date.now();
    const ready = new Set<CollectionName>();

    for (let index = this.#pending.length - 1; index >= 0; index--) {
      const change = this.#pending[index] as PendingChange;
      const waitedMs = now - change.receivedAt;
      if (change.visibleFromXmin <= xmin || waitedMs >= STOP_WAITING_AFTER_MS) {
        if (waitedMs >= STOP_WAITING_AFTER_MS) this.logger.warn({ waitedMs, xmin: xmin.toString() }, 'a transaction older than a change is still open; stopped waiting for it');
        for (const collection of change.collections) ready.add(collection);
        this.#pending.splice(index, 1);
      } else if (!change.earlyResyncSent && waitedMs >= EARLY_RESYNC_AFTER_MS) {
        change.earlyResyncSent = true;
        for (const collection of change.collections) ready.add(collection);
      }
    }

    if (ready.size > 0) this.#emit(ready);
    if (this.#pending.length > 0) {
      const oldestWaitMs = Math.max(...this.#pending.map((change) => now - change.receivedAt));
      this.#schedulePoll(oldestWaitMs < EARLY_RESYNC_AFTER_MS ? VISIBILITY_POLL_FAST_MS : VISIBILITY_POLL_SLOW_MS);
    }
  }
}
