import { DEFAULT_MAX_FRAME_BYTES } from './frame-reader.js';

/** Schedules the link's timeouts; tests pass a manual timer so that 30 s pass instantly. */
export interface LinkTimer {
  setTimeout(callback: () => void, milliseconds: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimer: LinkTimer = {
  setTimeout: (callback, milliseconds) => setTimeout(callback, milliseconds),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * The side the workstation plays. In link contention (both sides send ENQ at once) the
 * instrument wins, so the host ACKs the instrument's next ENQ and waits longer before retrying.
 */
export type LinkRole = 'host' | 'instrument';

export interface AstmLinkOptions {
  /** `host` (the default) for the workstation; `instrument` for a simulator playing an analyzer. */
  role?: LinkRole;
  timer?: LinkTimer;
  /**
   * Accept frames longer than the 247 bytes E1381 allows, with an `oversized-frame` warning.
   * Many analyzers send a whole message in one long frame. When false, such frames are NAKed.
   * Default true.
   */
  acceptOversizedFrames?: boolean;
  /** Frames longer than this many bytes are NAKed even when oversized frames are accepted. Default 65,536. */
  maxFrameBytes?: number;
  /** A transfer whose text grows beyond this many bytes has its further frames NAKed. Default 16 MiB. */
  maxMessageBytes?: number;
  /** Wait for the reply to our ENQ or frame, in ms. E1381: 15 s. */
  replyTimeoutMs?: number;
  /** Wait for the next frame or EOT while receiving, in ms, restarted by every byte. E1381: 30 s. */
  receiveTimeoutMs?: number;
  /** Wait after the receiver NAKs our ENQ (it is busy) before the next ENQ, in ms. E1381: 10 s. */
  busyRetryDelayMs?: number;
  /** Wait after link contention before our next ENQ, in ms. E1381: 20 s for the host, 1 s for the instrument. */
  contentionRetryDelayMs?: number;
  /** Transmissions of one frame before the sender gives up, and NAKs in a row before the receiver does. E1381: 6. */
  maxFrameAttempts?: number;
  /**
   * ENQs sent for one message that get a NAK or no reply before the message is reported as not
   * delivered. E1381 sets no limit, so the default of 6 follows its rule for frames.
   */
  maxEstablishmentAttempts?: number;
  /**
   * Wait for the LF (or CR LF) after a frame's checksum before accepting the frame without it, in ms.
   * Some analyzers end frames with the checksum and CR only and then wait for the reply. Default 250.
   */
  lineFeedWaitMs?: number;
}

export type ResolvedLinkOptions = Required<AstmLinkOptions>;

export const E1381_TIMEOUTS = {
  replyTimeoutMs: 15_000,
  receiveTimeoutMs: 30_000,
  busyRetryDelayMs: 10_000,
  hostContentionRetryDelayMs: 20_000,
  instrumentContentionRetryDelayMs: 1_000,
  maxFrameAttempts: 6,
} as const;

/** Fills in the defaults; throws RangeError for a timeout below 0 or an attempt count below 1. */
export function resolveLinkOptions(options: AstmLinkOptions): ResolvedLinkOptions {
  validateNumbers(options);
  const role = options.role ?? 'host';
  const contentionDefault =
    role === 'host' ? E1381_TIMEOUTS.hostContentionRetryDelayMs : E1381_TIMEOUTS.instrumentContentionRetryDelayMs;

  return {
    role,
    timer: options.timer ?? systemTimer,
    acceptOversizedFrames: options.acceptOversizedFrames ?? true,
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    maxMessageBytes: options.maxMessageBytes ?? 16 * 1024 * 1024,
    replyTimeoutMs: options.replyTimeoutMs ?? E1381_TIMEOUTS.replyTimeoutMs,
    receiveTimeoutMs: options.receiveTimeoutMs ?? E1381_TIMEOUTS.receiveTimeoutMs,
    busyRetryDelayMs: options.busyRetryDelayMs ?? E1381_TIMEOUTS.busyRetryDelayMs,
    contentionRetryDelayMs: options.contentionRetryDelayMs ?? contentionDefault,
    maxFrameAttempts: options.maxFrameAttempts ?? E1381_TIMEOUTS.maxFrameAttempts,
    maxEstablishmentAttempts: options.maxEstablishmentAttempts ?? 6,
    lineFeedWaitMs: options.lineFeedWaitMs ?? 250,
  };
}

function validateNumbers(options: AstmLinkOptions): void {
  const counts = ['maxFrameAttempts', 'maxEstablishmentAttempts', 'maxFrameBytes', 'maxMessageBytes'] as const;
  const durations = ['replyTimeoutMs', 'receiveTimeoutMs', 'busyRetryDelayMs', 'contentionRetryDelayMs', 'lineFeedWaitMs'] as const;

  for (const name of counts) {
    const value = options[name];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      throw new RangeError(`ASTM link option ${name} is ${value}: set a whole number of at least 1`);
    }
  }
  for (const name of durations) {
    const value = options[name];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`ASTM link option ${name} is ${value}: set a number of milliseconds of at least 0`);
    }
  }
}

/** One timeout at a time, restartable; the link keeps one per concern. */
export class TimerSlot {
  #handle: unknown = undefined;
  #active = false;

  constructor(private readonly timer: LinkTimer) {}

  get active(): boolean {
    return this.#active;
  }

  start(milliseconds: number, callback: () => void): void {
    this.stop();
    this.#active = true;
    this.#handle = this.timer.setTimeout(() => {
      this.#active = false;
      this.#handle = undefined;
      callback();
    }, milliseconds);
  }

  stop(): void {
    if (!this.#active) return;
    this.timer.clearTimeout(this.#handle);
    this.#active = false;
    this.#handle = undefined;
  }
}
