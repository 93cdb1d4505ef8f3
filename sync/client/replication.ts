import type { RxReplicationPullStreamItem } from 'rxdb';
import type { RxReplicationState } from 'rxdb/plugins/replication';
import { replicateRxCollection } from 'rxdb/plugins/replication';
import type { ReplicationPullOptions, ReplicationPushOptions } from 'rxdb';
import type { Subscription } from 'rxjs';
import { BehaviorSubject, Subject } from 'rxjs';

import type { SyncStatus } from '../../preload/api/schemas.js';
import type { CollectionName } from '../protocol/collections.js';
import { COLLECTION_NAMES } from '../protocol/collections.js';
import type { ConflictDocument } from '../protocol/conflict-rules.js';
import { resolveConflict, sameDocument } from '../protocol/conflict-rules.js';
import type { Checkpoint, ConflictAuthor, PullResponse, PushRow, WireDocument } from '../protocol/wire.js';
import type { ReplicaDatabase } from '../replica/replica.js';
import type { ConflictLog, ConflictRecord } from './conflict-log.js';
import type { DatasetState, DatasetStateStore } from './dataset-state.js';
import type { DeferredPushes } from './deferred-pushes.js';
import type { InitialLoadPage } from './initial-load.js';
import { runInitialLoad } from './initial-load.js';
import { dropRowsWithNothingToSend } from './unsent-rows.js';
import type { ConnectivityOptions } from './connectivity.js';
import { ConnectivityMonitor } from './connectivity.js';
import type { LiveUpdates } from './event-stream.js';
import { SyncEventStream } from './event-stream.js';
import type { Logger } from './logger.js';
import type { Outbox } from './outbox.js';
import { PullBackPressure } from './pull-back-pressure.js';
import { splitByBytes } from './push-batches.js';
import { retryDelay } from './retry-delay.js';
import type { PushRejection, ServerClient } from './server-client.js';
import { ServerAuthError, ServerProtocolError, ServerUnreachableError, ServerUserDisabledError } from './server-client.js';
import type { SyncCredentials } from './sync-authorization.js';
import { SignInRequiredError, SyncAuthorization } from './sync-authorization.js';

/** A 4xx status other than 401 (sign in again), 408, 409 and 429: retrying the same document cannot succeed. */
export function isPermanentRejection(error: unknown): error is ServerProtocolError {
  return error instanceof ServerProtocolError && error.status >= 400 && error.status < 500 && error.status !== 409 && error.status !== 408 && error.status !== 429;
}

/** The server's dataset epoch changed: its database was restored, so this replica re-sends and re-pulls everything. */
export class DatasetChangedError extends Error {
  override name = 'DatasetChangedError';
}

/**
 * Returns whether the server failed on what it received (HTTP 500). A 502, 503 or 504 means the
 * server or its gateway was unavailable, and splitting the batch would only add load.
 */
function isServerFailure(error: unknown): error is ServerProtocolError {
  return error instanceof ServerProtocolError && error.status === 500;
}

/** Settled rows of a push, and the rows the server failed on even when sent alone. */
interface PushResult {
  conflicts: WireDocument[];
  conflictAuthors?: ConflictAuthor[];
  rejected: PushRejection[];
  failed: PushRow[];
}

/** What became of one pushed document, so that the UI and tests can tell accepted from overridden. */
export interface PushOutcome {
  collection: CollectionName;
  documentId: string;
  outcome: 'accepted' | 'conflict' | 'rejected';
  /** The server's reason for a rejection. */
  reason?: string;
}

export interface WorkstationReplicationOptions {
  replica: ReplicaDatabase;
  server: ServerClient;
  outbox: Outbox;
  conflicts: ConflictLog;
  /**
   * Keeps rows the server fails on alone (HTTP 500) to send again by themselves, so that they do
   * not hold back the rest of the queue. Without it such a batch is retried whole.
   */
  deferred?: DeferredPushes;
  /**
   * Keeps the server's dataset epoch and this replica's generation (see DatasetStateStore).
   * Without it a restored server database goes unnoticed.
   */
  dataset?: DatasetStateStore;
  logger: Logger;
  /** This workstation's id, recorded as the author's workstation of a local version in a conflict. */
  workstationId?: string;
  /** Distinguishes the replication checkpoints of one server and ward from another's. */
  scopeKey: string;
  connectivity?: ConnectivityOptions;
  /** Heartbeat silence after which the event stream is reopened. */
  streamSilenceTimeoutMs?: number;
  /**
   * While live updates are interrupted, pull every collection this often (10 s by default), so
   * that changes still arrive when the event stream cannot get through but requests can.
   */
  pollIntervalMs?: number;
  /** Back-off of retried requests and of reopening the event stream. */
  retry?: { minDelayMs?: number; maxDelayMs?: number };
  pullBatchSize?: number;
  /**
   * Page size of the initial load into an empty collection (1,000 by default, the server's
   * maximum; see initial-load.ts). 0 turns the initial load off: RxDB's replication then pulls
   * every page itself.
   */
  initialLoadPageSize?: number;
  /**
   * Pulled pages that may wait for the replica's write before the next pull waits too (2 by
   * default, see PullBackPressure).
   */
  maxUnwrittenPullPages?: number;
  pushBatchSize?: number;
  now?: () => Date;
  /** Saves renewed sync credentials (see SyncAuthorization). */
  onCredentialsRenewed?: (credentials: SyncCredentials) => void;
  /** The sync credentials are spent: the saved copy must go. */
  onCredentialsSpent?: () => void;
}

const SIGN_IN_NEEDED = 'The sync sign-in has ended: sign in while the central server is reachable to send the changes waiting here';

/** The reference collection is server-owned master data: the workstation never pushes it. */
const PUSHED_COLLECTIONS: ReadonlySet<CollectionName> = new Set(['records', 'entries']);
/** Documents per page of an initial load: the pull route's maximum. */
const INITIAL_LOAD_PAGE_SIZE = 1000;

/**
 * Live replication of the replica's collections with the central server, on RxDB's replication
 * protocol: checkpointed pull, push with the assumed master state, and a resync whenever the
 * server's event stream (re)connects or announces changes. While the server is unreachable, every
 * request waits on one connectivity monitor that probes the server with exponential backoff;
 * other failed requests are retried with their own backoff, without waiting for a new write.
 */
export class WorkstationReplication {
  readonly status$: BehaviorSubject<SyncStatus>;
  readonly authorization: SyncAuthorization;
  /** Every pushed document's outcome, as each push completes. */
  readonly outcomes$ = new Subject<PushOutcome[]>();
  /** Conflicts recorded in the conflict log, as the replication settles them. */
  readonly conflicts$ = new Subject<ConflictRecord>();
  readonly #options: WorkstationReplicationOptions;
  readonly #now: () => Date;
  readonly #connectivity: ConnectivityMonitor;
  readonly #pullStreams = new Map<CollectionName, Subject<RxReplicationPullStreamItem<WireDocument, Checkpoint>>>();
  readonly #states = new Map<CollectionName, RxReplicationState<WireDocument, Checkpoint>>();
  readonly #active = new Map<CollectionName, boolean>();
  /** Consecutive failed requests per collection and direction, for the retry back-off. */
  readonly #failures = new Map<string, number>();
  readonly #subscriptions: Subscription[] = [];
  #stream: SyncEventStream | undefined;
  #liveUpdates: LiveUpdates;
  #lastSuccessfulSyncAt: string | null = null;
  #lastError: string | null = null;
  #lastPersistedSyncAt = 0;
  #stopped = false;
  #deferredTimer: NodeJS.Timeout | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  /** The server's author of each conflicting document of the last pushes, until its conflict is recorded. */
  readonly #conflictAuthors = new Map<string, ConflictAuthor>();
  #dataset: DatasetState;
  /**
   * Download progress of the collections that pulled from no checkpoint. A collection whose feed
   * ran out stays listed as done, so the counts never go back, until every one of them is done.
   */
  readonly #initialSync = new Map<CollectionName, { received: number; total: number | null; done: boolean }>();
  #changingDataset = false;
  /**
   * Starts of RxDB replications still running. RxDB's cancel() does not wait for a start, and a
   * start that resumes after a cancel subscribes to the completed subjects, which rejects.
   */
  readonly #starting = new Set<Promise<void>>();
  #deferredRunning = false;
  /** Pending outbox rows of the pushed collections at this process's start, checked once (see unsent-rows.ts). */
  readonly #earlierRows = new Map<CollectionName, ReadonlyMap<string, number>>();

  constructor(options: WorkstationReplicationOptions) {
    this.#options = options;
    for (const collection of PUSHED_COLLECTIONS) this.#earlierRows.set(collection, options.outbox.pendingIn(collection));
    this.#now = options.now ?? (() => new Date());
    this.#lastSuccessfulSyncAt = options.outbox.lastSuccessfulSync();
    this.#liveUpdates = { flowing: false, interruptedSince: null };
    this.#dataset = options.dataset?.read() ?? { epoch: null, generation: 0, reconciling: false };
    options.server.reconciling = this.#dataset.reconciling;
    this.#connectivity = new ConnectivityMonitor(options.server, options.connectivity);
    this.authorization = new SyncAuthorization({
      server: options.server,
      logger: options.logger,
      now: this.#now,
      onRenewed: (credentials) => options.onCredentialsRenewed?.(credentials),
      onSpent: () => options.onCredentialsSpent?.(),
    });
    this.status$ = new BehaviorSubject<SyncStatus>(this.#computeStatus());
    this.#subscriptions.push(
      this.#connectivity.state$.subscribe(() => this.#publishStatus()),
      options.outbox.changed$.subscribe(() => this.#publishStatus()),
      options.conflicts.changed$.subscribe(() => this.#publishStatus()),
      this.authorization.signInRequired$.subscribe(() => this.#publishStatus()),
    );
  }

  /** The access token in use, for the few calls the core makes to the server itself. */
  get token(): string | undefined {
    return this.authorization.token;
  }

  get running(): boolean {
    return this.#states.size > 0;
  }

  /** Starts replicating with the credentials of a sign-in, or hands fresh ones to a running replication. */
  async start(credentials: SyncCredentials): Promise<void> {
    this.authorization.set(credentials);
    this.#lastError = null;
    if (this.running) {
      this.#resync([...COLLECTION_NAMES]);
      this.#publishStatus();
      return;
    }
    for (const collection of COLLECTION_NAMES) this.#states.set(collection, this.#replicate(collection));
    this.#stream = new SyncEventStream({
      url: this.#options.server.streamUrl(),
      authorization: this.authorization,
      connectivity: this.#connectivity,
      logger: this.#options.logger,
      now: this.#now,
      onResync: (collections) => this.#resync(collections),
      onConnected: () => this.awaitInSync(),
      ...(this.#options.streamSilenceTimeoutMs ? { silenceTimeoutMs: this.#options.streamSilenceTimeoutMs } : {}),
      ...(this.#options.retry?.minDelayMs !== undefined ? { minReconnectDelayMs: this.#options.retry.minDelayMs } : {}),
      ...(this.#options.retry?.maxDelayMs !== undefined ? { maxReconnectDelayMs: this.#options.retry.maxDelayMs } : {}),
    });
    this.#subscriptions.push(
      this.#stream.live$.subscribe((live) => {
        this.#liveUpdates = live;
        this.#updatePolling(live.flowing);
        this.#publishStatus();
      }),
    );
    this.#stream.start();
    // Rows deferred before a restart are sent again; RxDB took them as pushed.
    this.#scheduleDeferred();
    if (this.#dataset.reconciling) void this.#finishReconcile(this.#dataset.generation);
    this.#options.logger.info({ collections: COLLECTION_NAMES.length }, 'replication started');
    this.#publishStatus();
  }

  /** Resolves when every collection has pulled and pushed every change it has. */
  async awaitInSync(): Promise<void> {
    await Promise.all([...this.#states.values()].map((state) => state.awaitInSync()));
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stream?.stop();
    if (this.#deferredTimer) clearTimeout(this.#deferredTimer);
    this.#updatePolling(true);
    this.#connectivity.stop();
    this.authorization.stop();
    await this.#startsSettled();
    await Promise.all([...this.#states.values()].map((state) => state.cancel()));
    for (const subscription of this.#subscriptions) subscription.unsubscribe();
    for (const stream of this.#pullStreams.values()) stream.complete();
    this.#states.clear();
    this.#publishStatus();
    this.status$.complete();
    this.outcomes$.complete();
    this.conflicts$.complete();
    this.#options.logger.info('replication stopped');
  }

  #replicate(collection: CollectionName): RxReplicationState<WireDocument, Checkpoint> {
    const pullStream = new Subject<RxReplicationPullStreamItem<WireDocument, Checkpoint>>();
    this.#pullStreams.get(collection)?.complete();
    this.#pullStreams.set(collection, pullStream);
    const backPressure = new PullBackPressure({
      collection,
      logger: this.#options.logger,
      ...(this.#options.maxUnwrittenPullPages !== undefined ? { maxUnwrittenPages: this.#options.maxUnwrittenPullPages } : {}),
    });

    // A new generation after a dataset change starts from no checkpoint and no assumed master
    // states: RxDB then pushes every local document and pulls every server document again.
    const replicationIdentifier = `hms-sync-${collection}-${this.#options.scopeKey}${this.#dataset.generation > 0 ? `-d${this.#dataset.generation}` : ''}`;
    // A patient readmitted after retention removed their local copy: their documents are ours again.
    const pullModifier = (document: WireDocument) => {
      if (!document._deleted && this.#options.outbox.isPurged(collection, document.id)) this.#options.outbox.clearPurged(collection, document.id);
      return document;
    };
    const pull: ReplicationPullOptions<WireDocument, Checkpoint> = {
      batchSize: this.#options.pullBatchSize ?? 200,
      handler: (checkpoint, batchSize) => this.#pull(collection, checkpoint, batchSize, backPressure),
      stream$: pullStream.asObservable(),
      modifier: pullModifier,
    };
    const push: ReplicationPushOptions<WireDocument> | undefined = PUSHED_COLLECTIONS.has(collection)
      ? {
          batchSize: this.#options.pushBatchSize ?? 100,
          handler: (rows: PushRow[]) => this.#push(collection, rows),
          // A deletion made only here by retention stays here.
          modifier: (document: WireDocument) => (document._deleted && this.#options.outbox.isPurged(collection, document.id) ? null : document),
        }
      : undefined;
    const initialLoadPageSize = this.#options.initialLoadPageSize ?? INITIAL_LOAD_PAGE_SIZE;
    const state = replicateRxCollection<WireDocument, Checkpoint>({
      collection: this.#options.replica[collection] as never,
      replicationIdentifier,
      live: true,
      // The handlers wait for the server and back off themselves; RxDB's own pause between
      // attempts only needs to be short.
      retryTime: 250,
      waitForLeadership: false,
      autoStart: initialLoadPageSize === 0,
      pull,
      ...(push ? { push } : {}),
    });
    backPressure.follow(state);

    this.#subscriptions.push(
      state.active$.subscribe((active) => {
        this.#active.set(collection, active);
        this.#publishStatus();
      }),
      state.error$.subscribe((error) => {
        // RxDB's replication errors carry the documents of the failed request: log only the code.
        this.#options.logger.warn({ collection, code: (error as { code?: string }).code }, 'replication request failed; retrying');
      }),
      state.conflict$.subscribe(({ input }) => this.#recordConflict(collection, input)),
    );
    if (initialLoadPageSize > 0) {
      void this.#loadThenStart(collection, state, {
        replicationIdentifier,
        pageSize: initialLoadPageSize,
        modifier: (documents) => (this.#options.outbox.hasPurged(collection) ? documents.map(pullModifier) : documents),
      });
    } else {
      void this.#dropEarlierRows(collection, state);
    }
    return state;
  }

  /**
   * Drops the outbox rows that an earlier process left for writes with nothing to send, once per
   * process and collection, so that the pending count comes back down (see unsent-rows.ts).
   */
  async #dropEarlierRows(collection: CollectionName, state: RxReplicationState<WireDocument, Checkpoint>): Promise<void> {
    const rows = this.#earlierRows.get(collection);
    this.#earlierRows.delete(collection);
    if (!rows || rows.size === 0) return;
    try {
      const dropped = await dropRowsWithNothingToSend({
        replica: this.#options.replica,
        collection,
        meta: await state.metaInfoPromise,
        outbox: this.#options.outbox,
        rows,
        deferred: this.#options.deferred?.documentIds(collection) ?? new Set(),
      });
      if (dropped > 0) this.#options.logger.warn({ collection, rows: dropped }, 'dropped unsent-change rows of writes that left nothing to send');
    } catch (error) {
      // The rows stay: the count may be too high, never too low.
      this.#options.logger.warn({ collection, error: error instanceof Error ? error.message : String(error) }, 'checking the unsent-change rows of an earlier run failed');
    }
  }

  /**
   * Runs the collection's initial load, when it has one to run (see initial-load.ts), then starts
   * RxDB's replication from where the load ended.
   */
  async #loadThenStart(
    collection: CollectionName,
    state: RxReplicationState<WireDocument, Checkpoint>,
    load: {
      replicationIdentifier: string;
      pageSize: number;
      modifier: (documents: WireDocument[]) => WireDocument[];
    },
  ): Promise<void> {
    const stopped = () => this.#stopped || state.isStopped();
    try {
      this.#active.set(collection, true);
      this.#publishStatus();
      await runInitialLoad({
        replica: this.#options.replica,
        collection,
        replicationIdentifier: load.replicationIdentifier,
        meta: state.metaInfoPromise,
        pageSize: load.pageSize,
        fetchPage: (checkpoint, first) => this.#fetchInitialLoadPage(collection, checkpoint, first, load.pageSize, stopped),
        modifier: load.modifier,
        stopped,
        logger: this.#options.logger,
      });
    } catch (error) {
      if (stopped() || error instanceof DatasetChangedError) return;
      // RxDB's replication pulls everything again page by page and pushes what came after the loaded documents.
      this.#options.logger.error({ collection, error: error instanceof Error ? error.message : String(error) }, 'initial load failed; the replication pulls page by page instead');
    } finally {
      this.#active.set(collection, false);
    }
    if (stopped()) return;
    // Before RxDB's upstream starts, while the meta rows are as the earlier process left them.
    await this.#dropEarlierRows(collection, state);
    if (stopped()) return;
    const starting = state.start();
    this.#starting.add(starting);
    try {
      await starting;
    } finally {
      this.#starting.delete(starting);
    }
  }

  async #startsSettled(): Promise<void> {
    await Promise.allSettled([...this.#starting]);
  }

  /** One page of an initial load, retried with the replication's back-off until it arrives or the replication stops. */
  async #fetchInitialLoadPage(collection: CollectionName, checkpoint: Checkpoint | undefined, first: boolean, pageSize: number, stopped: () => boolean): Promise<InitialLoadPage> {
    for (;;) {
      if (stopped()) throw new Error(`The replication of ${collection} stopped during its initial load`);
      try {
        const response = await this.#requestPage(collection, checkpoint, pageSize, first, 'pulled for the initial load', true);
        return { documents: response.documents, texts: response.texts, checkpoint: response.checkpoint ?? checkpoint ?? null };
      } catch (error) {
        if (error instanceof DatasetChangedError) throw error;
      }
    }
  }

  async #pull(collection: CollectionName, checkpoint: Checkpoint | undefined, batchSize: number, backPressure: PullBackPressure) {
    await backPressure.beforePull();
    // A pull from no checkpoint starts an initial sync: ask once how much is coming, for the progress bar.
    const response = await this.#requestPage(collection, checkpoint, batchSize, checkpoint === undefined, 'pulled');
    const next = response.checkpoint ?? checkpoint;
    backPressure.afterPull(checkpoint, next, response.documents.length);
    return { documents: response.documents, checkpoint: next };
  }

  /**
   * Requests the page of the server's feed after `checkpoint`, after the back-off of earlier
   * failures. With `initial` it also requests the count of documents to come, for the progress
   * bar. With `lines` the page comes as lines, with each document's text. Records the outcome
   * for the status and the back-off, and raises what failed.
   */
  async #requestPage(collection: CollectionName, checkpoint: Checkpoint | undefined, limit: number, initial: boolean, logMessage: string, lines = false): Promise<PullResponse & { texts?: string[] }> {
    await this.#beforeRequest(collection, 'pull');
    try {
      const { server } = this.#options;
      const response = await this.authorization.request(
        (token) => (lines ? server.pullLines(token, collection, checkpoint, limit, { total: initial }) : server.pull(token, collection, checkpoint, limit, { total: initial })),
        { waitForSignIn: true },
      );
      this.#checkDataset();
      this.#trackInitialSync(collection, initial, response.documents.length, response.total, limit);
      this.#recordSuccess(collection, 'pull');
      this.#options.logger.debug({ collection, documents: response.documents.length }, logMessage);
      return response;
    } catch (error) {
      throw this.#recordFailure(collection, 'pull', error);
    }
  }

  /** Pushes RxDB's batch in requests bounded in bytes, one after the other. */
  async #push(collection: CollectionName, rows: PushRow[]): Promise<WireDocument[]> {
    const conflicts: WireDocument[] = [];
    for (const run of splitByBytes(rows)) conflicts.push(...(await this.#pushRun(collection, run)));
    return conflicts;
  }

  async #pushRun(collection: CollectionName, rows: PushRow[]): Promise<WireDocument[]> {
    const failuresBefore = this.#failures.get(`${collection}:push`) ?? 0;
    await this.#beforeRequest(collection, 'push');
    const sequences = this.#options.outbox.sequences(
      collection,
      rows.map((row) => row.newDocumentState.id),
    );
    let result: PushResult;
    try {
      const answer = await this.authorization.request((token) => this.#options.server.push(token, collection, rows), { waitForSignIn: true });
      this.#checkDataset();
      result = { ...answer, failed: [] };
    } catch (error) {
      if (error instanceof DatasetChangedError) throw this.#recordFailure(collection, 'push', error);
      if (isPermanentRejection(error) && rows.length === 1) {
        result = { conflicts: [], rejected: [{ id: (rows[0] as PushRow).newDocumentState.id, status: error.status, reason: error.message }], failed: [] };
      } else if (isPermanentRejection(error)) {
        // A server that fails a whole batch for one document it will never accept: push the rows
        // one by one, so that one document cannot hold back every later entry of the ward.
        result = await this.#pushOneByOne(collection, rows);
      } else if (isServerFailure(error) && failuresBefore > 0 && this.#options.deferred) {
        // The same batch failed with a 500 again: find the rows the server fails on by halving it.
        result = await this.#pushHalves(collection, rows);
      } else {
        throw this.#recordFailure(collection, 'push', error);
      }
    }
    this.#recordSuccess(collection, 'push');
    if (result.failed.length > 0) this.#defer(collection, result.failed, sequences);
    return this.#settlePush(collection, rows, sequences, result);
  }

  async #pushOneByOne(collection: CollectionName, rows: PushRow[]): Promise<PushResult> {
    const result: PushResult = { conflicts: [], rejected: [], failed: [] };
    for (const row of rows) {
      try {
        const single = await this.authorization.request((token) => this.#options.server.push(token, collection, [row]), { waitForSignIn: true });
        result.conflicts.push(...single.conflicts);
        result.rejected.push(...single.rejected);
      } catch (error) {
        if (!isPermanentRejection(error)) throw this.#recordFailure(collection, 'push', error);
        result.rejected.push({ id: row.newDocumentState.id, status: error.status, reason: error.message });
      }
    }
    return result;
  }

  /**
   * Pushes each half of `rows` on its own, and halves again whatever still fails with a 500, down
   * to single rows: about 2·log2(n) requests find one bad row among n. Any other failure ends the
   * search and the whole batch is retried later, as usual.
   */
  async #pushHalves(collection: CollectionName, rows: PushRow[]): Promise<PushResult> {
    const result: PushResult = { conflicts: [], rejected: [], failed: [] };
    const middle = Math.ceil(rows.length / 2);
    for (const half of [rows.slice(0, middle), rows.slice(middle)]) {
      if (half.length === 0) continue;
      try {
        const answer = await this.authorization.request((token) => this.#options.server.push(token, collection, half), { waitForSignIn: true });
        result.conflicts.push(...answer.conflicts);
        result.rejected.push(...answer.rejected);
      } catch (error) {
        if (isPermanentRejection(error) && half.length === 1) {
          result.rejected.push({ id: (half[0] as PushRow).newDocumentState.id, status: error.status, reason: error.message });
        } else if (isServerFailure(error) && half.length === 1) {
          result.failed.push(half[0] as PushRow);
        } else if (isServerFailure(error) || isPermanentRejection(error)) {
          const inner = await this.#pushHalves(collection, half);
          result.conflicts.push(...inner.conflicts);
          result.rejected.push(...inner.rejected);
          result.failed.push(...inner.failed);
        } else {
          throw this.#recordFailure(collection, 'push', error);
        }
      }
    }
    return result;
  }

  /**
   * Keeps rows the server failed on alone to send again by themselves (see DeferredPushes); they
   * stay pending in the outbox until the server takes them.
   */
  #defer(collection: CollectionName, rows: PushRow[], sequences: Map<string, number>): void {
    const deferred = this.#options.deferred as DeferredPushes;
    // Retry times run on the machine's clock: the injected clock may stand still in tests.
    const at = Date.now();
    for (const row of rows) {
      deferred.defer(collection, row, 1, new Date(at + this.#retryDelay(0)));
      sequences.delete(row.newDocumentState.id);
      this.#options.logger.warn({ collection, documentId: row.newDocumentState.id }, 'the central server fails on this document alone; it stays pending and is sent again by itself');
    }
    this.#scheduleDeferred();
  }

  #retryDelay(failures: number): number {
    return retryDelay(failures, this.#options.retry?.minDelayMs ?? 1_000, this.#options.retry?.maxDelayMs ?? 30_000);
  }

  /** Arms one timer for the earliest deferred row. */
  #scheduleDeferred(): void {
    const deferred = this.#options.deferred;
    if (!deferred || this.#stopped || this.#deferredRunning) return;
    const next = deferred.nextDueAt();
    if (this.#deferredTimer) clearTimeout(this.#deferredTimer);
    this.#deferredTimer = undefined;
    if (next === null) return;
    const wait = Math.max(0, Date.parse(next) - Date.now());
    this.#deferredTimer = setTimeout(() => void this.#sendDeferred(), wait);
    this.#deferredTimer.unref();
  }

  /** Sends each due deferred row by itself and settles it by the server's response. */
  async #sendDeferred(): Promise<void> {
    const deferred = this.#options.deferred;
    if (!deferred || this.#stopped) return;
    this.#deferredRunning = true;
    try {
      for (const { collection: name, row, failures } of deferred.due(new Date())) {
        if (this.#stopped) return;
        const collection = name as CollectionName;
        const id = row.newDocumentState.id;
        const local = await this.#options.replica[collection].findOne(id).exec();
        if (!local || !sameDocument(local.toJSON(true) as unknown as ConflictDocument, row.newDocumentState as ConflictDocument)) {
          // Written again here since: RxDB pushes the newer version, which supersedes this row.
          deferred.remove(collection, id);
          continue;
        }
        await this.#connectivity.whenOnline();
        const sequences = this.#options.outbox.sequences(collection, [id]);
        try {
          const answer = await this.authorization.request((token) => this.#options.server.push(token, collection, [row]), { waitForSignIn: true });
          deferred.remove(collection, id);
          this.#recordSuccess(collection, 'push');
          this.#settlePush(collection, [row], sequences, { ...answer, failed: [] });
          const [master] = answer.conflicts;
          if (master) await this.#settleDeferredConflict(collection, row, master);
        } catch (error) {
          if (isPermanentRejection(error)) {
            deferred.remove(collection, id);
            this.#settlePush(collection, [row], sequences, { conflicts: [], rejected: [{ id, status: error.status, reason: error.message }], failed: [] });
          } else {
            if (!(error instanceof ServerUnreachableError) && !(error instanceof SignInRequiredError)) deferred.defer(collection, row, failures + 1, new Date(Date.now() + this.#retryDelay(failures)));
            this.#recordFailure(collection, 'push', error);
            if (error instanceof ServerUnreachableError || error instanceof SignInRequiredError) break;
          }
        }
      }
    } catch (error) {
      this.#options.logger.warn({ reason: error instanceof Error ? error.message : String(error) }, 'sending a deferred document failed; trying again later');
    } finally {
      this.#deferredRunning = false;
      this.#scheduleDeferred();
    }
  }

  /**
   * A deferred row met a newer server version. RxDB already took the row as pushed, so its own
   * conflict handling will not run for it: settle the conflict by rule here, log it, and write the
   * settled version into the replica, from where RxDB pushes it as usual.
   */
  async #settleDeferredConflict(collection: CollectionName, row: PushRow, master: WireDocument): Promise<void> {
    this.#recordConflict(collection, { newDocumentState: row.newDocumentState, realMasterState: master, assumedMasterState: row.assumedMasterState });
    const resolution = resolveConflict<ConflictDocument>({ local: row.newDocumentState as ConflictDocument, master: master as ConflictDocument, base: row.assumedMasterState as ConflictDocument | undefined });
    const local = await this.#options.replica[collection].findOne(row.newDocumentState.id).exec();
    if (!local) return;
    const { _meta: _m, _rev: _r, _attachments: _a, ...settled } = resolution.document as ConflictDocument & { _meta?: unknown; _rev?: unknown; _attachments?: unknown };
    await local.incrementalModify(() => settled as never);
  }

  /** Confirms the accepted documents, sets the refused ones aside, and reports every outcome. */
  #settlePush(collection: CollectionName, rows: PushRow[], sequences: Map<string, number>, result: PushResult): WireDocument[] {
    const { outbox, logger } = this.#options;
    const conflicted = new Set(result.conflicts.map((document) => document.id));
    for (const author of result.conflictAuthors ?? []) this.#conflictAuthors.set(`${collection}:${author.id}`, author);
    const rejected = new Map(result.rejected.map((rejection) => [rejection.id, rejection]));
    const at = this.#now();
    for (const rejection of rejected.values()) {
      outbox.reject(collection, rejection.id, rejection.reason, at);
      sequences.delete(rejection.id);
      logger.error({ collection, documentId: rejection.id, status: rejection.status }, 'the central server refused a document; it stays on this workstation, listed as rejected');
    }
    for (const id of conflicted) sequences.delete(id);
    outbox.confirm(collection, sequences);

    const failed = new Set(result.failed.map((row) => row.newDocumentState.id));
    const outcomes: PushOutcome[] = rows.filter((row) => !failed.has(row.newDocumentState.id)).map(({ newDocumentState: { id } }) => {
      const rejection = rejected.get(id);
      if (rejection) return { collection, documentId: id, outcome: 'rejected', reason: rejection.reason };
      return { collection, documentId: id, outcome: conflicted.has(id) ? 'conflict' : 'accepted' };
    });
    if (!this.outcomes$.closed) this.outcomes$.next(outcomes);
    logger.info({ collection, documents: rows.length, conflicts: conflicted.size, rejected: rejected.size }, 'pushed');
    // The conflict handler settles each conflict from its master state; the outbox entry of a
    // conflicted document goes once the settled version has been pushed, or at once when the
    // server's version stands (see #recordConflict).
    return result.conflicts;
  }

  /** Logs a settled conflict; when the server's version stands, nothing of it is left to send. */
  #recordConflict(collection: CollectionName, input: { newDocumentState: WireDocument; realMasterState: WireDocument; assumedMasterState?: WireDocument | undefined }): void {
    const local = input.newDocumentState as ConflictDocument;
    const server = input.realMasterState as ConflictDocument;
    const resolution = resolveConflict<ConflictDocument>({ local, master: server, base: input.assumedMasterState as ConflictDocument | undefined });
    if (sameDocument(resolution.document, server)) {
      // Nothing of the local version will be pushed: it is no longer pending, and the log keeps it.
      // Otherwise the settled version goes up next and its push confirms the pending write.
      const sequences = this.#options.outbox.sequences(collection, [server.id]);
      this.#options.outbox.confirm(collection, sequences);
    }
    const authorKey = `${collection}:${server.id}`;
    const authors = {
      local: { userId: this.authorization.userId ?? null, workstationId: this.#options.workstationId ?? null },
      server: this.#conflictAuthors.get(authorKey) ?? null,
    };
    this.#conflictAuthors.delete(authorKey);
    const record = this.#options.conflicts.record({ collection, local, server, resolution, detectedAt: this.#now(), authors });
    if (!record) return;
    const level = record.status === 'open' ? 'warn' : 'info';
    this.#options.logger[level]({ collection, documentId: record.documentId, conflictId: record.id, outcome: record.outcome, rule: record.rule }, 'push conflict settled by rule');
    if (!this.conflicts$.closed) this.conflicts$.next(record);
  }

  /** Waits for the server, then for the back-off of the last failures of this request. */
  async #beforeRequest(collection: CollectionName, direction: 'pull' | 'push'): Promise<void> {
    await this.#connectivity.whenOnline();
    const failures = this.#failures.get(`${collection}:${direction}`) ?? 0;
    if (failures === 0) return;
    const delay = this.#retryDelay(failures - 1);
    await new Promise((resolve) => setTimeout(resolve, delay).unref());
  }

  /** Counts the documents of an initial sync; a page shorter than the batch ends the collection's. */
  #trackInitialSync(collection: CollectionName, initial: boolean, received: number, total: number | undefined, batchSize: number): void {
    const progress = initial ? { received: 0, total: total ?? null, done: false } : this.#initialSync.get(collection);
    if (!progress || progress.done) return;
    this.#initialSync.set(collection, { ...progress, received: progress.received + received, done: received < batchSize });
    if ([...this.#initialSync.values()].every((entry) => entry.done)) this.#initialSync.clear();
  }

  /**
   * Compares the dataset epoch of the last response with the one this replica synced with. The
   * first epoch seen is adopted. A different one starts the re-send and re-pull, and this method
   * throws so that the response at hand is discarded, because its checkpoint belongs to the old dataset.
   */
  #checkDataset(): void {
    const seen = this.#options.server.datasetEpoch;
    const store = this.#options.dataset;
    if (!seen || !store || seen === this.#dataset.epoch) return;
    if (this.#dataset.epoch === null) {
      this.#dataset = { ...this.#dataset, epoch: seen };
      store.write(this.#dataset);
      return;
    }
    void this.#changeDataset(seen);
    throw new DatasetChangedError('The central server dataset changed, as after a restore from a backup: sending every local document again and pulling everything');
  }

  /** Restarts every collection's replication under a new generation (see `#checkDataset`). */
  async #changeDataset(epoch: string): Promise<void> {
    const store = this.#options.dataset;
    if (this.#changingDataset || !store || this.#stopped) return;
    this.#changingDataset = true;
    try {
      this.#dataset = { epoch, generation: this.#dataset.generation + 1, reconciling: true };
      store.write(this.#dataset);
      this.#options.server.reconciling = true;
      this.#options.logger.warn({ generation: this.#dataset.generation }, 'the central server dataset changed, as after a restore from a backup; re-sending every local document and pulling again');
      const previous = [...this.#states.values()];
      await this.#startsSettled();
      await Promise.all(previous.map((state) => state.cancel()));
      if (this.#stopped) return;
      for (const collection of COLLECTION_NAMES) this.#states.set(collection, this.#replicate(collection));
      void this.#finishReconcile(this.#dataset.generation);
    } finally {
      this.#changingDataset = false;
    }
  }

  /** Ends the re-send once every collection of `generation` has pushed and pulled everything once. */
  async #finishReconcile(generation: number): Promise<void> {
    await Promise.all([...this.#states.values()].map((state) => state.awaitInitialReplication()));
    if (this.#stopped || generation !== this.#dataset.generation) return;
    this.#dataset = { ...this.#dataset, reconciling: false };
    this.#options.dataset?.write(this.#dataset);
    this.#options.server.reconciling = false;
    this.#options.logger.info({ generation }, 'every local document was sent back to the central server after the dataset change');
    this.#publishStatus();
  }

  #recordSuccess(collection: CollectionName, direction: 'pull' | 'push'): void {
    this.#failures.delete(`${collection}:${direction}`);
    const now = this.#now();
    this.#lastSuccessfulSyncAt = now.toISOString();
    // One durable write every few seconds is enough for "data as of" and spares the disk a sync
    // per request.
    if (now.getTime() - this.#lastPersistedSyncAt >= 5_000) {
      this.#options.outbox.recordSuccessfulSync(now);
      this.#lastPersistedSyncAt = now.getTime();
    }
    this.#lastError = null;
    this.#connectivity.markOnline();
    this.#publishStatus();
  }

  #recordFailure(collection: CollectionName, direction: 'pull' | 'push', error: unknown): unknown {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof ServerUnreachableError) {
      // The connectivity monitor paces the retries while the server is down.
      this.#connectivity.markOffline(message);
    } else {
      const key = `${collection}:${direction}`;
      this.#failures.set(key, (this.#failures.get(key) ?? 0) + 1);
      if (error instanceof SignInRequiredError) this.#lastError = SIGN_IN_NEEDED;
      else if (error instanceof ServerAuthError) this.#lastError = 'The central server rejected the sync token; sign in again while online';
      else if (error instanceof ServerUserDisabledError) this.#lastError = 'The account whose sign-in this workstation syncs with is disabled; another user must sign in while online';
      else this.#lastError = message;
    }
    this.#publishStatus();
    return error;
  }

  /**
   * Pulls on a timer while the event stream is down, and stops once it flows again. A stream that a
   * proxy blocks while ordinary requests pass would otherwise leave the replica without changes.
   */
  #updatePolling(flowing: boolean): void {
    if (flowing || this.#stopped) {
      if (this.#pollTimer) clearInterval(this.#pollTimer);
      this.#pollTimer = undefined;
      return;
    }
    if (this.#pollTimer) return;
    this.#pollTimer = setInterval(() => {
      if (this.#connectivity.state !== 'offline') this.#resync([...COLLECTION_NAMES]);
    }, this.#options.pollIntervalMs ?? 10_000);
    this.#pollTimer.unref();
  }

  #resync(collections: CollectionName[]): void {
    for (const collection of collections) this.#pullStreams.get(collection)?.next('RESYNC');
  }

  #computeStatus(): SyncStatus {
    const { outbox, conflicts } = this.#options;
    const connectivity = this.#connectivity.state;
    const anyActive = [...this.#active.values()].some(Boolean);
    let state: SyncStatus['state'];
    if (!this.running || this.#stopped) state = 'stopped';
    else if (this.authorization.signInRequired$.getValue()) state = 'sign-in-needed';
    else if (connectivity === 'offline') state = 'offline';
    else if (anyActive || connectivity === 'unknown') state = 'syncing';
    else state = 'online';
    return {
      state,
      pendingChanges: outbox.count(),
      oldestPendingAt: outbox.oldestPendingAt(),
      rejectedChanges: outbox.rejectedCount(),
      openConflicts: conflicts.openCount(),
      liveUpdates: this.running && !this.#stopped ? this.#liveUpdates : { flowing: false, interruptedSince: null },
      initialSync: this.#initialSyncStatus(),
      lastSuccessfulSyncAt: this.#lastSuccessfulSyncAt,
      lastError: state === 'sign-in-needed' ? SIGN_IN_NEEDED : (this.#lastError ?? (connectivity === 'offline' ? this.#connectivity.lastError : null)),
    };
  }

  /** Sums the progress of the collections in their initial sync. The total is known once the server has returned it for every one of them. */
  #initialSyncStatus(): SyncStatus['initialSync'] {
    if (this.#initialSync.size === 0) return null;
    const progress = [...this.#initialSync.values()];
    const received = progress.reduce((sum, entry) => sum + entry.received, 0);
    const total = progress.every((entry) => entry.total !== null) ? progress.reduce((sum, entry) => sum + (entry.total ?? 0), 0) : null;
    return { received, total };
  }

  #publishStatus(): void {
    if (this.status$?.closed ?? true) return;
    const next = this.#computeStatus();
    const previous = this.status$.getValue();
    if (JSON.stringify(next) !== JSON.stringify(previous)) this.status$.next(next);
  }
}
