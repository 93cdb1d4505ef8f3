import type { RxReplicationPullStreamItem } from 'rxdb';
import type { RxReplicationState } from 'rxdb/plugins/replication';
import { replicateRxCollection } from 'rxdb/plugins/replication';
import type { Subscription } from 'rxjs';
import { BehaviorSubject, Subject } from 'rxjs';

import type { SyncStatus } from '../../preload/api/schemas.js';
import type { CollectionName } from '../protocol/collections.js';
import { COLLECTION_NAMES } from '../protocol/collections.js';
import type { Checkpoint, PushRow, WireDocument } from '../protocol/wire.js';
import type { ReplicaDatabase } from '../replica/replica.js';
import type { ConnectivityOptions } from './connectivity.js';
import { ConnectivityMonitor } from './connectivity.js';
import { SyncEventStream } from './event-stream.js';
import type { Logger } from './logger.js';
import type { Outbox } from './outbox.js';
import type { ServerClient } from './server-client.js';
import { ServerAuthError, ServerProtocolError, ServerUnreachableError, ServerUserDisabledError } from './server-client.js';

/** A 4xx answer other than 401 (sign in again) and 409: retrying the same document cannot succeed. */
function isPermanentRejection(error: unknown): error is ServerProtocolError {
  return error instanceof ServerProtocolError && error.status >= 400 && error.status < 500 && error.status !== 409;
}

export interface WorkstationReplicationOptions {
  replica: ReplicaDatabase;
  server: ServerClient;
  outbox: Outbox;
  logger: Logger;
  /** Distinguishes the replication checkpoints of one server and ward from another's. */
  scopeKey: string;
  connectivity?: ConnectivityOptions;
  /** Heartbeat silence after which the event stream is reopened. */
  streamSilenceTimeoutMs?: number;
  pullBatchSize?: number;
  pushBatchSize?: number;
  now?: () => Date;
}

/** The reference collection is server-owned master data: the workstation never pushes it. */
const PUSHED_COLLECTIONS: ReadonlySet<CollectionName> = new Set(['records', 'entries']);

/**
 * Live replication of the replica's collections with the central server, on RxDB's replication
 * protocol: checkpointed pull, push with the assumed master state, and a resync whenever the
 * server's event stream (re)connects or announces changes. While the server is unreachable, every
 * request waits on one connectivity monitor that probes the server with exponential backoff.
 */
export class WorkstationReplication {
  readonly status$: BehaviorSubject<SyncStatus>;
  /** Ids of documents whose push met a newer server state (the server's state then wins). */
  readonly conflicts$ = new Subject<{ collection: CollectionName; documentIds: string[] }>();
  readonly #options: WorkstationReplicationOptions;
  readonly #connectivity: ConnectivityMonitor;
  readonly #pullStreams = new Map<CollectionName, Subject<RxReplicationPullStreamItem<WireDocument, Checkpoint>>>();
  readonly #states = new Map<CollectionName, RxReplicationState<WireDocument, Checkpoint>>();
  readonly #active = new Map<CollectionName, boolean>();
  readonly #subscriptions: Subscription[] = [];
  #stream: SyncEventStream | undefined;
  #token: string | undefined;
  #lastSuccessfulSyncAt: string | null = null;
  #lastError: string | null = null;
  #lastPersistedSyncAt = 0;
  #stopped = false;

  constructor(options: WorkstationReplicationOptions) {
    this.#options = options;
    this.#lastSuccessfulSyncAt = options.outbox.lastSuccessfulSync();
    this.#connectivity = new ConnectivityMonitor(options.server, options.connectivity);
    this.status$ = new BehaviorSubject<SyncStatus>(this.#computeStatus());
    this.#subscriptions.push(
      this.#connectivity.state$.subscribe(() => this.#publishStatus()),
      options.outbox.changed$.subscribe(() => this.#publishStatus()),
    );
  }

  /** The sync token in use, for the few calls the core makes to the server itself. */
  get token(): string | undefined {
    return this.#token;
  }

  get running(): boolean {
    return this.#states.size > 0;
  }

  /** Starts replicating with `token`, or hands a fresh token to a running replication. */
  async start(token: string): Promise<void> {
    this.#token = token;
    this.#lastError = null;
    if (this.running) {
      this.#resync([...COLLECTION_NAMES]);
      return;
    }
    for (const collection of COLLECTION_NAMES) this.#states.set(collection, this.#replicate(collection));
    this.#stream = new SyncEventStream({
      url: this.#options.server.streamUrl(),
      token: () => this.#token,
      connectivity: this.#connectivity,
      logger: this.#options.logger,
      onResync: (collections) => this.#resync(collections),
      ...(this.#options.streamSilenceTimeoutMs ? { silenceTimeoutMs: this.#options.streamSilenceTimeoutMs } : {}),
    });
    this.#stream.start();
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
    this.#connectivity.stop();
    await Promise.all([...this.#states.values()].map((state) => state.cancel()));
    for (const subscription of this.#subscriptions) subscription.unsubscribe();
    for (const stream of this.#pullStreams.values()) stream.complete();
    this.#states.clear();
    this.#publishStatus();
    this.status$.complete();
    this.conflicts$.complete();
    this.#options.logger.info('replication stopped');
  }

  #replicate(collection: CollectionName): RxReplicationState<WireDocument, Checkpoint> {
    const pullStream = new Subject<RxReplicationPullStreamItem<WireDocument, Checkpoint>>();
    this.#pullStreams.set(collection, pullStream);

    const state = replicateRxCollection<WireDocument, Checkpoint>({
      collection: this.#options.replica[collection] as never,
      replicationIdentifier: `hms-sync-${collection}-${this.#options.scopeKey}`,
      live: true,
      // Waiting between attempts is the connectivity monitor's job; RxDB's own retry only
      // re-enters the handler, which then waits for the server.
      retryTime: 1_000,
      waitForLeadership: false,
      autoStart: true,
      pull: {
        batchSize: this.#options.pullBatchSize ?? 200,
        handler: (checkpoint, batchSize) => this.#pull(collection, checkpoint, batchSize),
        stream$: pullStream.asObservable(),
        // A patient readmitted after retention removed their local copy: their documents are ours again.
        modifier: (document: WireDocument) => {
          if (!document._deleted && this.#options.outbox.isPurged(collection, document.id)) this.#options.outbox.clearPurged(collection, document.id);
          return document;
        },
      },
      ...(PUSHED_COLLECTIONS.has(collection)
        ? {
            push: {
              batchSize: this.#options.pushBatchSize ?? 100,
              handler: (rows: PushRow[]) => this.#push(collection, rows),
              // A deletion made only here by retention stays here.
              modifier: (document: WireDocument) => (document._deleted && this.#options.outbox.isPurged(collection, document.id) ? null : document),
            },
          }
        : {}),
    });

    this.#subscriptions.push(
      state.active$.subscribe((active) => {
        this.#active.set(collection, active);
        this.#publishStatus();
      }),
      state.error$.subscribe((error) => {
        // RxDB's replication errors carry the documents of the failed request: log only the code.
        this.#options.logger.warn({ collection, code: (error as { code?: string }).code }, 'replication request failed; retrying');
      }),
    );
    return state;
  }

  async #pull(collection: CollectionName, checkpoint: Checkpoint | undefined, batchSize: number) {
    const token = await this.#readyToken();
    try {
      const response = await this.#options.server.pull(token, collection, checkpoint, batchSize);
      this.#recordSuccess();
      this.#options.logger.debug({ collection, documents: response.documents.length }, 'pulled');
      return { documents: response.documents, checkpoint: response.checkpoint ?? checkpoint };
    } catch (error) {
      throw this.#recordFailure(error);
    }
  }

  async #push(collection: CollectionName, rows: PushRow[]): Promise<WireDocument[]> {
    const token = await this.#readyToken();
    try {
      return await this.#pushBatch(token, collection, rows);
    } catch (error) {
      if (!isPermanentRejection(error)) throw error;
    }
    // The server refused the batch for good. Push the rows one by one, so that one document it
    // will never accept cannot hold back every later entry of the ward.
    const conflicts: WireDocument[] = [];
    for (const row of rows) {
      try {
        conflicts.push(...(await this.#pushBatch(token, collection, [row])));
      } catch (error) {
        if (!isPermanentRejection(error)) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        this.#options.outbox.reject(collection, row.newDocumentState.id, reason, this.#options.now?.() ?? new Date());
        this.#options.logger.error({ collection, documentId: row.newDocumentState.id, status: (error as ServerProtocolError).status }, 'the central server refused a document; it stays on this workstation, listed as rejected');
      }
    }
    return conflicts;
  }

  async #pushBatch(token: string, collection: CollectionName, rows: PushRow[]): Promise<WireDocument[]> {
    const ids = rows.map((row) => row.newDocumentState.id);
    const sequences = this.#options.outbox.sequences(collection, ids);
    try {
      const conflicts = await this.#options.server.push(token, collection, rows);
      const conflicted = new Set(conflicts.map((document) => document.id));
      for (const id of conflicted) sequences.delete(id);
      this.#options.outbox.confirm(collection, sequences);
      if (conflicted.size > 0) {
        // TODO: resolve editable records by documented rules and keep the local version for
        // review; RxDB's default conflict handler keeps the server's state, dropping the local edit.
        this.#options.logger.warn({ collection, documentIds: [...conflicted] }, 'push conflicts; the server state wins');
        this.conflicts$.next({ collection, documentIds: [...conflicted] });
      }
      this.#recordSuccess();
      this.#options.logger.info({ collection, documents: rows.length, conflicts: conflicted.size }, 'pushed');
      return conflicts;
    } catch (error) {
      throw this.#recordFailure(error);
    }
  }

  async #readyToken(): Promise<string> {
    await this.#connectivity.whenOnline();
    if (!this.#token) throw new ServerAuthError('No sync token: a user must sign in while the server is reachable');
    return this.#token;
  }

  #recordSuccess(): void {
    const now = this.#options.now?.() ?? new Date();
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

  #recordFailure(error: unknown): unknown {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof ServerUnreachableError) {
      this.#connectivity.markOffline(message);
    } else if (error instanceof ServerAuthError) {
      this.#lastError = 'The central server rejected the sync token; sign in again while online';
    } else if (error instanceof ServerUserDisabledError) {
      this.#lastError = 'The account whose sign-in this workstation syncs with is disabled; another user must sign in while online';
    } else {
      this.#lastError = message;
    }
    this.#publishStatus();
    return error;
  }

  #resync(collections: CollectionName[]): void {
    for (const collection of collections) this.#pullStreams.get(collection)?.next('RESYNC');
  }

  #computeStatus(): SyncStatus {
    const pendingChanges = this.#options.outbox.count();
    const connectivity = this.#connectivity.state;
    const anyActive = [...this.#active.values()].some(Boolean);
    let state: SyncStatus['state'];
    if (!this.running || this.#stopped) state = 'stopped';
    else if (connectivity === 'offline') state = 'offline';
    else if (anyActive || connectivity === 'unknown') state = 'syncing';
    else state = 'online';
    return {
      state,
      pendingChanges,
      rejectedChanges: this.#options.outbox.rejectedCount(),
      lastSuccessfulSyncAt: this.#lastSuccessfulSyncAt,
      lastError: this.#lastError ?? (connectivity === 'offline' ? this.#connectivity.lastError : null),
    };
  }

  #publishStatus(): void {
    if (this.status$.closed) return;
    const next = this.#computeStatus();
    const previous = this.status$.getValue();
    if (JSON.stringify(next) !== JSON.stringify(previous)) this.status$.next(next);
  }
}
