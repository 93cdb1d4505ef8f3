import { EventEmitter } from 'node:events';

import type { Logger } from '../../main/core/logging/logger.js';
import { retryDelay } from '../../sync/client/retry-delay.js';
import type { ReconnectSettings } from './settings.js';
import type { Transport, TransportEvents, TransportKind, TransportState, TransportStateChange } from './transport.js';
import { TransportNotOpenError } from './transport.js';

export interface TransportOptions {
  /** The connection's id, normally the analyzer profile's id. */
  id: string;
  /** A component logger; the transport adds the connection's id, kind and endpoint to each line. */
  logger: Logger;
}

/** Outcome of one attempt to open, connect or listen. */
export interface AttemptOutcome {
  /** True when bytes can flow; false when a server listens and waits for the analyzer. */
  open: boolean;
  reason: string;
}

/** An error in an operator's words, and whether another attempt could succeed. */
export interface ErrorVerdict {
  reason: string;
  permanent: boolean;
}

/** While reconnecting, one warning per this many failed attempts; the others log at debug. */
const WARN_EVERY_ATTEMPTS = 20;

/**
 * The state machine that the serial, TCP client and TCP server transports share: state events and
 * their log lines, retries with exponential backoff, and the rule that writes need an open
 * connection. Subclasses implement one attempt, the release of what it opened, and the write.
 */
export abstract class TransportBase extends EventEmitter<TransportEvents> implements Transport {
  readonly id: string;
  readonly kind: TransportKind;
  readonly endpoint: string;
  protected readonly log: Logger;
  readonly #reconnect: ReconnectSettings;
  #state: TransportState = 'closed';
  #attempt = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  /** Set while a lost connection is being released, so that its error and close events recover once. */
  #recovering = false;
  /** The attempt in progress, which `close()` waits for so that nothing it opens outlives the close. */
  #inFlight: Promise<unknown> = Promise.resolve();
  #stopped = true;
  #bytesReceived = 0;
  #bytesSent = 0;

  protected constructor(options: TransportOptions, kind: TransportKind, endpoint: string, reconnect: ReconnectSettings) {
    super();
    this.id = options.id;
    this.kind = kind;
    this.endpoint = endpoint;
    this.#reconnect = reconnect;
    this.log = options.logger.child({ connectionId: options.id, transport: kind, endpoint });
  }

  get state(): TransportState {
    return this.#state;
  }

  /** True between `open()` and `close()`: subclasses drop events that arrive after a close. */
  protected get stopped(): boolean {
    return this.#stopped;
  }

  async open(): Promise<void> {
    if (this.#state !== 'closed' && this.#state !== 'failed') return;

    this.#stopped = false;
    this.#attempt = 0;
    this.changeState('opening', `opening ${this.endpoint}`);
    const verdict = await this.#startAttempt();
    if (verdict?.permanent) throw new Error(`Connection ${this.id} failed: ${verdict.reason}`);
  }

  async close(): Promise<void> {
    if (this.#stopped && this.#state === 'closed') return;

    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    // Releasing first aborts a pending TCP connect; whatever an attempt still opens is released after it.
    await this.release();
    await this.#inFlight;
    await this.release();
    this.changeState('closed', 'closed by the application');
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.#state !== 'open') throw new TransportNotOpenError(this.id, this.#state);

    await this.send(chunk);
    this.#bytesSent += chunk.length;
  }

  /** Opens, connects or listens once. Rejects with the error of a failed attempt. */
  protected abstract attempt(): Promise<AttemptOutcome>;

  /** Closes whatever is open (port, socket, listener) and rejects pending writes. Never rejects. */
  protected abstract release(): Promise<void>;

  /** Writes to the open connection and resolves when the bytes have left the process. */
  protected abstract send(chunk: Buffer): Promise<void>;

  protected abstract judgeError(error: Error): ErrorVerdict;

  protected receive(chunk: Buffer): void {
    if (this.#stopped) return;
    this.#bytesReceived += chunk.length;
    this.emit('data', chunk);
  }

  /** Marks the connection open: a server calls it when the analyzer connects. */
  protected markOpen(reason: string): void {
    if (this.#stopped) return;
    this.#attempt = 0;
    this.changeState('open', reason);
  }

  /**
   * Reports a lost connection or listener: releases it and schedules the next attempt, or stops
   * for good when the error is one that retrying cannot fix.
   */
  protected connectionLost(error: Error): void {
    if (this.#stopped || this.#recovering || this.#retryTimer) return;

    this.#recovering = true;
    const verdict = this.judgeError(error);
    void this.release().then(() => {
      this.#recovering = false;
      if (this.#stopped) return;
      if (verdict.permanent) this.changeState('failed', verdict.reason, { error });
      else this.#scheduleRetry(verdict.reason, error);
    });
  }

  protected changeState(state: TransportState, reason: string, extra: { error?: Error; retryInMs?: number } = {}): void {
    const previous = this.#state;
    this.#state = state;
    const change: TransportStateChange = { state, previous, reason, attempt: this.#attempt, ...extra };
    this.#logChange(change);
    this.emit('state', change);
  }

  #startAttempt(): Promise<ErrorVerdict | undefined> {
    const running = this.#runAttempt();
    this.#inFlight = running;
    return running;
  }

  async #runAttempt(): Promise<ErrorVerdict | undefined> {
    try {
      const outcome = await this.attempt();
      if (this.#stopped) {
        await this.release();
        return undefined;
      }
      // The connection may already have been lost while the attempt finished (a port that vanished
      // right after opening); its recovery is under way, so the attempt's success no longer holds.
      if (this.#recovering || this.#retryTimer) return undefined;
      if (outcome.open) this.markOpen(outcome.reason);
      else this.changeState(this.#attempt === 0 && this.#state === 'opening' ? 'opening' : 'reconnecting', outcome.reason);
      return undefined;
    } catch (error) {
      const cause = error instanceof Error ? error : new Error(String(error));
      if (this.#stopped) return undefined;
      const verdict = this.judgeError(cause);
      await this.release();
      if (verdict.permanent) this.changeState('failed', verdict.reason, { error: cause });
      else this.#scheduleRetry(verdict.reason, cause);
      return verdict;
    }
  }

  #scheduleRetry(reason: string, error: Error): void {
    const { initialDelayMs, maxDelayMs } = this.#reconnect;
    const retryInMs = retryDelay(this.#attempt, initialDelayMs, maxDelayMs);
    this.#attempt += 1;
    this.changeState('reconnecting', reason, { error, retryInMs });
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (!this.#stopped) void this.#startAttempt();
    }, retryInMs);
  }

  #logChange(change: TransportStateChange): void {
    const fields = {
      state: change.state,
      previous: change.previous,
      attempt: change.attempt,
      ...(change.retryInMs === undefined ? {} : { retryInMs: change.retryInMs }),
      ...(change.error ? { err: change.error } : {}),
      bytesReceived: this.#bytesReceived,
      bytesSent: this.#bytesSent,
    };
    const message = `connection ${change.state}: ${change.reason}`;

    if (change.state === 'failed') this.log.error(fields, message);
    else if (change.state !== 'reconnecting') this.log.info(fields, message);
    else if (change.previous !== 'reconnecting' || change.attempt % WARN_EVERY_ATTEMPTS === 0) this.log.warn(fields, message);
    else this.log.debug(fields, message);
  }
}
