import type { EventEmitter } from 'node:events';

/**
 * - `closed`: not started, or stopped by `close()`.
 * - `opening`: the first attempt to open the port, connect or listen is running; a TCP server
 *   stays here, listening, until the analyzer connects.
 * - `open`: bytes can flow both ways.
 * - `reconnecting`: the connection was lost or an attempt failed; another attempt follows after
 *   `retryInMs` (a TCP server waits for the analyzer to connect again).
 * - `failed`: stopped retrying after an error that retrying cannot fix (permission denied, a
 *   setting the driver rejects). Once the cause is fixed, `open()` starts again.
 */
export type TransportState = 'closed' | 'opening' | 'open' | 'reconnecting' | 'failed';

export type TransportKind = 'serial' | 'tcp-client' | 'tcp-server';

export interface TransportStateChange {
  readonly state: TransportState;
  readonly previous: TransportState;
  /** Reason for the change, in words an operator can act on. */
  readonly reason: string;
  /** The error behind a `reconnecting` or `failed` state. */
  readonly error?: Error;
  /** Losses and failed attempts in a row since the connection was last open; 0 while it is open. */
  readonly attempt: number;
  /** Wait before the next attempt, for `reconnecting` states that schedule one. */
  readonly retryInMs?: number;
}

export interface TransportEvents {
  /** Bytes as they arrived, in chunks of any size: a frame or message may span several chunks. */
  data: [chunk: Buffer];
  state: [change: TransportStateChange];
}

/**
 * A byte stream to one analyzer that reopens itself after the port or connection is lost. The
 * protocol layers (ASTM E1381, MLLP) run on top of it and never see which transport carries them.
 */
export interface Transport extends Pick<EventEmitter<TransportEvents>, 'on' | 'once' | 'off'> {
  /** The connection's id (the analyzer profile's id), carried by every log line. */
  readonly id: string;
  readonly kind: TransportKind;
  readonly state: TransportState;
  /** Port path or host:port of the connection, for logs and the status screen. */
  readonly endpoint: string;

  /**
   * Starts the transport. Resolves after the first attempt, whether or not a connection is open
   * yet, because an analyzer may be switched off for hours: watch the `state` event for `open`.
   * Rejects only when the first attempt fails in a way retrying cannot fix (state `failed`).
   */
  open(): Promise<void>;

  /** Stops reconnecting and closes the port, connection or listener. Safe to call in any state. */
  close(): Promise<void>;

  /**
   * Sends bytes. Resolves when they have been handed to the operating system (for a serial port,
   * when the driver has transmitted them), so a caller that awaits each write never buffers more
   * than one chunk. Rejects with TransportNotOpenError unless the state is `open`, and with the
   * connection's error if it is lost before the bytes are sent.
   */
  write(chunk: Buffer): Promise<void>;
}

export class TransportNotOpenError extends Error {
  constructor(
    readonly transportId: string,
    readonly state: TransportState,
  ) {
    super(`Connection ${transportId} is ${state}, not open: wait for its state to become open before writing`);
    this.name = 'TransportNotOpenError';
  }
}
