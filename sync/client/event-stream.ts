import { createParser } from 'eventsource-parser';
import { BehaviorSubject } from 'rxjs';

import type { CollectionName } from '../protocol/collections.js';
import { COLLECTION_NAMES } from '../protocol/collections.js';
import { HEARTBEAT_INTERVAL_MS, resyncEvent, USER_DISABLED_ERROR } from '../protocol/wire.js';
import type { ConnectivityMonitor } from './connectivity.js';
import type { Logger } from './logger.js';
import { retryDelay } from './retry-delay.js';
import { describeFetchError, ServerAuthError, ServerUnreachableError, ServerUserDisabledError } from './server-client.js';
import type { SyncAuthorization } from './sync-authorization.js';

export interface EventStreamOptions {
  url: string;
  authorization: SyncAuthorization;
  connectivity: ConnectivityMonitor;
  logger: Logger;
  /** Called with the collections to pull again: all of them on every (re)connect. */
  onResync: (collections: CollectionName[]) => void;
  /**
   * Called on every connect, after the resync request. The stream counts as live only once the
   * returned promise resolves: the catch-up pull has then brought what was missed.
   */
  onConnected: () => Promise<void>;
  /** A stream silent for this long is treated as dead and reopened (default 2.5 heartbeats). */
  silenceTimeoutMs?: number;
  /** First wait before reopening a failed stream; it doubles, with jitter, up to `maxReconnectDelayMs`. */
  minReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  now: () => Date;
}

/** Whether changes made elsewhere reach this workstation as they happen. */
export interface LiveUpdates {
  /** Connected and caught up since the last connect. */
  flowing: boolean;
  /** When live updates last stopped, or when the stream was first started; null while flowing. */
  interruptedSince: string | null;
}

/**
 * The server's live change stream (server-sent events on `/sync/stream`). Every connect and
 * reconnect requests a full resync, because changes made while the stream was down were never
 * announced; a stream that stops sending heartbeats is reopened rather than trusted. Reopening
 * backs off exponentially with jitter, so a ward's workstations do not reconnect in step when
 * the server comes back.
 */
export class SyncEventStream {
  readonly live$: BehaviorSubject<LiveUpdates>;
  readonly #options: EventStreamOptions;
  readonly #silenceTimeoutMs: number;
  #controller: AbortController | undefined;
  #stopped = false;
  #failures = 0;
  /** Increases on every connect, so that a catch-up of an older connection cannot mark a newer one live. */
  #connection = 0;
  #wakeUp: (() => void) | undefined;

  constructor(options: EventStreamOptions) {
    this.#options = options;
    this.#silenceTimeoutMs = options.silenceTimeoutMs ?? HEARTBEAT_INTERVAL_MS * 2.5;
    this.live$ = new BehaviorSubject<LiveUpdates>({ flowing: false, interruptedSince: options.now().toISOString() });
  }

  get connected(): boolean {
    return this.live$.getValue().flowing;
  }

  start(): void {
    void this.#run();
  }

  stop(): void {
    this.#stopped = true;
    this.#controller?.abort();
    this.#wakeUp?.();
    this.live$.complete();
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      await this.#options.connectivity.whenOnline();
      if (this.#stopped) return;
      try {
        await this.#connectOnce();
        if (!this.#stopped) this.#options.logger.info('event stream closed by the server; reconnecting');
      } catch (error) {
        if (this.#stopped) return;
        this.#reportFailure(error);
      } finally {
        this.#markInterrupted();
      }
      if (this.#stopped) return;
      await this.#sleep(retryDelay(this.#failures, this.#options.minReconnectDelayMs ?? 1_000, this.#options.maxReconnectDelayMs ?? 30_000));
      this.#failures += 1;
    }
  }

  #reportFailure(error: unknown): void {
    if (error instanceof ServerUnreachableError) {
      this.#options.logger.warn({ reason: error.message }, 'event stream failed');
      this.#options.connectivity.markOffline(`Live updates stopped: ${error.message}`);
      return;
    }
    // A dead stream (no heartbeat) or an error status: the server may still answer pulls and
    // pushes, so only the live updates are marked as interrupted.
    const reason = error instanceof Error ? error.message : String(error);
    this.#options.logger.warn({ reason }, 'event stream failed; reconnecting after a pause');
  }

  async #connectOnce(): Promise<void> {
    const controller = new AbortController();
    this.#controller = controller;

    let watchdog: NodeJS.Timeout | undefined;
    const feedWatchdog = () => {
      if (watchdog) clearTimeout(watchdog);
      watchdog = setTimeout(() => controller.abort(new Error(`no heartbeat for ${this.#silenceTimeoutMs} ms`)), this.#silenceTimeoutMs);
      watchdog.unref();
    };

    try {
      // The watchdog runs from the moment the request goes out: a stream request lost in a black
      // hole or held half-open never gets its headers, and would otherwise wait for ever.
      const response = await this.#options.authorization.request(
        (token) => {
          feedWatchdog();
          return this.#open(token, controller);
        },
        { waitForSignIn: true },
      );
      if (!response.body) throw new Error('the event stream response has no body');

      const connection = ++this.#connection;
      this.#options.logger.info('event stream connected');
      this.#options.onResync([...COLLECTION_NAMES]);
      this.#options.onConnected().then(
        () => {
          if (connection === this.#connection && !controller.signal.aborted && !this.#stopped) this.#markFlowing();
        },
        (error: unknown) => this.#options.logger.warn({ reason: error instanceof Error ? error.message : String(error) }, 'catch-up after connecting failed; live updates stay marked as interrupted'),
      );
      feedWatchdog();

      const parser = createParser({
        onEvent: (event) => {
          feedWatchdog();
          // The server answered with an event: the stream works, so the next failure starts the back-off afresh.
          this.#failures = 0;
          if (event.event === 'resync') this.#handleResync(event.data);
        },
        onComment: feedWatchdog,
      });
      const decoder = new TextDecoder();
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch (error) {
      // An abort by the watchdog carries its reason; an abort by stop() ends quietly.
      if (controller.signal.aborted && !this.#stopped) throw controller.signal.reason instanceof Error ? controller.signal.reason : error;
      if (!this.#stopped) throw error;
    } finally {
      if (watchdog) clearTimeout(watchdog);
    }
  }

  /** Opens the stream with `token`; a refused token becomes ServerAuthError so that the caller renews it. */
  async #open(token: string, controller: AbortController): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(this.#options.url, {
        headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
        signal: controller.signal,
      });
    } catch (error) {
      if (controller.signal.aborted) throw error;
      throw new ServerUnreachableError(`central server unreachable (${describeFetchError(error)})`, { cause: error });
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    if (response.status === 401) throw new ServerAuthError('The central server refused the token of the event stream');
    if (response.status === 403 && text.includes(USER_DISABLED_ERROR)) throw new ServerUserDisabledError('The account is disabled on the central server');
    throw new Error(`HTTP ${response.status} from the event stream`);
  }

  #markFlowing(): void {
    if (this.live$.closed) return;
    if (!this.live$.getValue().flowing) this.live$.next({ flowing: true, interruptedSince: null });
  }

  #markInterrupted(): void {
    if (this.live$.closed || !this.live$.getValue().flowing) return;
    this.live$.next({ flowing: false, interruptedSince: this.#options.now().toISOString() });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      this.#wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  #handleResync(data: string): void {
    let parsed;
    try {
      parsed = resyncEvent.safeParse(JSON.parse(data));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      this.#options.logger.warn('malformed resync event; resyncing every collection');
      this.#options.onResync([...COLLECTION_NAMES]);
      return;
    }
    this.#options.onResync(parsed.data.collections);
  }
}
