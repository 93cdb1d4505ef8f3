import { createParser } from 'eventsource-parser';

import type { CollectionName } from '../protocol/collections.js';
import { COLLECTION_NAMES } from '../protocol/collections.js';
import { HEARTBEAT_INTERVAL_MS, resyncEvent } from '../protocol/wire.js';
import type { ConnectivityMonitor } from './connectivity.js';
import type { Logger } from './logger.js';
import { describeFetchError } from './server-client.js';

export interface EventStreamOptions {
  url: string;
  token: () => string | undefined;
  connectivity: ConnectivityMonitor;
  logger: Logger;
  /** Called with the collections to pull again: all of them on every (re)connect. */
  onResync: (collections: CollectionName[]) => void;
  /** A stream silent for this long is treated as dead and reopened (default 2.5 heartbeats). */
  silenceTimeoutMs?: number;
}

/**
 * The server's live change stream (server-sent events on `/sync/stream`). Every connect and
 * reconnect requests a full resync, because changes made while the stream was down were never
 * announced; a stream that stops sending heartbeats is reopened rather than trusted.
 */
export class SyncEventStream {
  readonly #options: EventStreamOptions;
  readonly #silenceTimeoutMs: number;
  #controller: AbortController | undefined;
  #stopped = false;
  #connected = false;

  constructor(options: EventStreamOptions) {
    this.#options = options;
    this.#silenceTimeoutMs = options.silenceTimeoutMs ?? HEARTBEAT_INTERVAL_MS * 2.5;
  }

  get connected(): boolean {
    return this.#connected;
  }

  start(): void {
    void this.#run();
  }

  stop(): void {
    this.#stopped = true;
    this.#controller?.abort();
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
        const reason = error instanceof TypeError ? `central server unreachable (${describeFetchError(error)})` : describeFetchError(error);
        this.#options.logger.warn({ reason }, 'event stream failed');
        this.#options.connectivity.markOffline(`Live updates stopped: ${reason}`);
      } finally {
        this.#connected = false;
      }
    }
  }

  async #connectOnce(): Promise<void> {
    const token = this.#options.token();
    if (!token) throw new Error('no sync token; sign in first');
    const controller = new AbortController();
    this.#controller = controller;

    let watchdog: NodeJS.Timeout | undefined;
    const feedWatchdog = () => {
      if (watchdog) clearTimeout(watchdog);
      watchdog = setTimeout(() => controller.abort(new Error(`no heartbeat for ${this.#silenceTimeoutMs} ms`)), this.#silenceTimeoutMs);
      watchdog.unref();
    };

    try {
      const response = await fetch(this.#options.url, {
        headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
        signal: controller.signal,
      });
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} from the event stream`);

      this.#connected = true;
      this.#options.connectivity.markOnline();
      this.#options.logger.info('event stream connected');
      this.#options.onResync([...COLLECTION_NAMES]);
      feedWatchdog();

      const parser = createParser({
        onEvent: (event) => {
          feedWatchdog();
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
