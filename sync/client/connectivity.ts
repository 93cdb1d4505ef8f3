import { BehaviorSubject } from 'rxjs';

import type { ServerClient } from './server-client.js';

export type Connectivity = 'unknown' | 'online' | 'offline';

export interface ConnectivityOptions {
  /** First wait between health probes while offline, in milliseconds; it doubles up to `maxProbeIntervalMs`. */
  minProbeIntervalMs?: number;
  maxProbeIntervalMs?: number;
}

/**
 * Whether the central server responds. Requests report their outcome here; while the server is
 * unreachable, this monitor alone probes `/health/`, backing off exponentially, and releases
 * every waiting request at once when the server responds again. Sync requests therefore do not each
 * hammer a server that is down, and resume within one probe interval after it comes back.
 */
export class ConnectivityMonitor {
  readonly state$ = new BehaviorSubject<Connectivity>('unknown');
  readonly #server: ServerClient;
  readonly #minInterval: number;
  readonly #maxInterval: number;
  #probeTimer: NodeJS.Timeout | undefined;
  #interval: number;
  #waiters: (() => void)[] = [];
  #stopped = false;
  lastError: string | null = null;

  constructor(server: ServerClient, options: ConnectivityOptions = {}) {
    this.#server = server;
    this.#minInterval = options.minProbeIntervalMs ?? 1_000;
    this.#maxInterval = options.maxProbeIntervalMs ?? 30_000;
    this.#interval = this.#minInterval;
  }

  get state(): Connectivity {
    return this.state$.getValue();
  }

  markOnline(): void {
    if (this.#stopped) return;
    this.#clearProbe();
    this.#interval = this.#minInterval;
    this.lastError = null;
    if (this.state !== 'online') this.state$.next('online');
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }

  markOffline(reason: string): void {
    if (this.#stopped) return;
    this.lastError = reason;
    if (this.state !== 'offline') this.state$.next('offline');
    this.#scheduleProbe();
  }

  /** Resolves at once while the server is not known to be down, else when it responds again. */
  whenOnline(): Promise<void> {
    if (this.state !== 'offline' || this.#stopped) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  stop(): void {
    this.#stopped = true;
    this.#clearProbe();
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
    this.state$.complete();
  }

  #scheduleProbe(): void {
    if (this.#probeTimer || this.#stopped) return;
    const delay = this.#interval;
    this.#interval = Math.min(this.#interval * 2, this.#maxInterval);
    this.#probeTimer = setTimeout(() => {
      this.#probeTimer = undefined;
      void this.#probe();
    }, delay);
    this.#probeTimer.unref();
  }

  async #probe(): Promise<void> {
    if (this.#stopped || this.state !== 'offline') return;
    if (await this.#server.health()) {
      this.markOnline();
    } else {
      this.#scheduleProbe();
    }
  }

  #clearProbe(): void {
    if (this.#probeTimer) clearTimeout(this.#probeTimer);
    this.#probeTimer = undefined;
  }
}
