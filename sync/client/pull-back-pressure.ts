import type { RxReplicationState } from 'rxdb/plugins/replication';
import type { Subscription } from 'rxjs';
import { filter } from 'rxjs';

import type { Checkpoint } from '../protocol/wire.js';
import type { Logger } from './logger.js';

/** Pulled pages that may wait for the replica's write before the next pull waits too. */
export const DEFAULT_MAX_UNWRITTEN_PAGES = 2;
/** Time without a written page after which a held pull goes ahead anyway. */
export const DEFAULT_STALL_TIMEOUT_MS = 60_000;

/** RxDB's context of the meta instance's checkpoint writes (rxdb 17.6, replication-protocol/checkpoint.ts). */
const CHECKPOINT_WRITE_CONTEXT = 'replication-set-checkpoint';

/** The parts of RxDB's replication state of one collection that the back-pressure follows. */
export type FollowedReplication = Pick<RxReplicationState<unknown, Checkpoint>, 'metaInstance' | 'error$' | 'canceled$'>;

export interface PullBackPressureOptions {
  collection: string;
  logger: Logger;
  /** Pages returned to RxDB and not yet written to the replica beyond which the next pull waits. */
  maxUnwrittenPages?: number;
  /** Time without a written page after which a held pull goes ahead, with a warning. */
  stallTimeoutMs?: number;
}

interface CheckpointDocument {
  isCheckpoint?: string;
  itemId?: string;
  checkpointData?: Checkpoint;
}

function keyOf(checkpoint: Checkpoint): string {
  return `${checkpoint.txid}\u0000${checkpoint.id}`;
}

/**
 * Holds a collection's pull handler back while the replica has not yet written the pages that the
 * handler already returned. RxDB's downstream (rxdb 17.6, `downstreamResyncOnce`) requests the next
 * page as soon as the handler returns one and queues the writes, so a server faster than the
 * replica would fill the heap with pulled documents during an initial sync.
 *
 * The bound also keeps RxDB's upstream pass short. Each RESYNC starts a pass that reads the
 * collection back from the upstream checkpoint, one push batch at a time, until a read comes back
 * empty, and compares each document with its assumed master state. While the downstream wrote
 * merged batches of thousands of pulled documents, that pass only reached the end with the sync.
 *
 * A page counts as written once RxDB stores the downstream checkpoint of that page or of a later
 * one: its downstream writes a batch's documents, then their meta rows, then the checkpoint of the
 * newest page in the batch. A failed write stores no checkpoint, so an error of the replication
 * releases every held pull, and so does cancelling it.
 */
export class PullBackPressure {
  readonly #options: PullBackPressureOptions;
  readonly #maxUnwrittenPages: number;
  /** Checkpoint keys of the pages returned to RxDB and not yet written, oldest first. */
  #unwritten: string[] = [];
  #wake: (() => void)[] = [];
  #replication: FollowedReplication | undefined;
  #checkpointSubscription: Subscription | undefined;
  readonly #subscriptions: Subscription[] = [];
  #stopped = false;

  constructor(options: PullBackPressureOptions) {
    this.#options = options;
    this.#maxUnwrittenPages = options.maxUnwrittenPages ?? DEFAULT_MAX_UNWRITTEN_PAGES;
    if (!Number.isInteger(this.#maxUnwrittenPages) || this.#maxUnwrittenPages < 0) {
      throw new Error(`Invalid maxUnwrittenPages ${String(options.maxUnwrittenPages)}: expected an integer of 0 or more (0 pulls only once the last page is written)`);
    }
  }

  /** Pages returned to RxDB that the replica has not written yet. */
  get unwrittenPages(): number {
    return this.#unwritten.length;
  }

  /** Follows `replication`'s errors and cancellation. Its checkpoint writes are followed from the first pull on. */
  follow(replication: FollowedReplication): void {
    this.#replication = replication;
    this.#subscriptions.push(
      replication.error$.subscribe(() => this.#releaseAll()),
      replication.canceled$.pipe(filter((canceled: unknown) => canceled === true)).subscribe(() => this.stop()),
    );
  }

  /** Resolves once no more than the bound of pulled pages waits for the replica. */
  async beforePull(): Promise<void> {
    if (!this.#watchCheckpoints()) return;
    while (this.#unwritten.length > this.#maxUnwrittenPages && !this.#stopped) {
      if (!(await this.#nextWrite())) {
        this.#options.logger.warn(
          { collection: this.#options.collection, unwrittenPages: this.#unwritten.length, waitedMs: this.#stallTimeoutMs },
          'the replica wrote no pulled page in time; pulling the next page anyway',
        );
        this.#releaseAll();
      }
    }
  }

  /** Records the page that the pull handler is about to return to RxDB. */
  afterPull(from: Checkpoint | undefined, to: Checkpoint | undefined, documents: number): void {
    // RxDB writes nothing for an empty page, and no checkpoint equal to the one it has.
    if (documents === 0 || !to || this.#stopped) return;
    if (from && keyOf(from) === keyOf(to)) return;
    this.#unwritten.push(keyOf(to));
  }

  /** Releases every held pull and stops following the replication. */
  stop(): void {
    this.#stopped = true;
    this.#checkpointSubscription?.unsubscribe();
    for (const subscription of this.#subscriptions) subscription.unsubscribe();
    this.#releaseAll();
  }

  get #stallTimeoutMs(): number {
    return this.#options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  }

  /**
   * Subscribes to the checkpoint writes of RxDB's meta instance, which exists once the replication
   * has started, that is before its first pull. Returns false when there is nothing to follow.
   */
  #watchCheckpoints(): boolean {
    if (this.#checkpointSubscription) return true;
    const metaInstance = this.#replication?.metaInstance;
    if (!metaInstance || this.#stopped) return false;
    this.#checkpointSubscription = metaInstance.changeStream().subscribe((bulk) => {
      if (bulk.context !== CHECKPOINT_WRITE_CONTEXT) return;
      for (const event of bulk.events) {
        const document = event.documentData as CheckpointDocument | undefined;
        if (document?.isCheckpoint === '1' && document.itemId === 'down' && document.checkpointData) this.#written(keyOf(document.checkpointData));
      }
    });
    return true;
  }

  /** The page with checkpoint `key` is written, and with it every earlier page. */
  #written(key: string): void {
    const index = this.#unwritten.indexOf(key);
    if (index < 0) return;
    this.#unwritten.splice(0, index + 1);
    this.#wakeAll();
  }

  /** Resolves true at the next written page or release, false after the stall timeout. */
  #nextWrite(): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), this.#stallTimeoutMs);
      timer.unref();
      this.#wake.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  #releaseAll(): void {
    this.#unwritten = [];
    this.#wakeAll();
  }

  #wakeAll(): void {
    const wake = this.#wake;
    this.#wake = [];
    for (const resolve of wake) resolve();
  }
}
