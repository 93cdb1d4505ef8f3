import { connect, type Socket } from 'node:net';

import type { TcpClientSettings } from './settings.js';
import { writeToStream } from './stream-write.js';
import type { AttemptOutcome, ErrorVerdict, TransportOptions } from './transport-base.js';
import { TransportBase } from './transport-base.js';

/** A TCP connection from the workstation to an analyzer that listens, reconnected with backoff. */
export class TcpClientTransport extends TransportBase {
  readonly #settings: TcpClientSettings;
  #socket: Socket | undefined;
  /** The socket of a connection attempt in progress, destroyed by `release()` to abort it. */
  #connecting: Socket | undefined;

  constructor(settings: TcpClientSettings, options: TransportOptions) {
    super(options, 'tcp-client', `${settings.host}:${settings.port}`, settings.reconnect);
    this.#settings = settings;
  }

  protected async attempt(): Promise<AttemptOutcome> {
    const socket = await this.#connect();

    this.#socket = socket;
    // Link-layer replies are single bytes (ACK, NAK); Nagle's delay would hold each one back.
    socket.setNoDelay(true);
    socket.setKeepAlive(true, this.#settings.keepAliveMs);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => this.#socketLost(socket, error));
    socket.on('close', () => this.#socketLost(socket, new Error('the analyzer closed the connection')));
    return { open: true, reason: `connected to ${this.endpoint} from ${socket.localAddress ?? '?'}:${socket.localPort ?? '?'}` };
  }

  protected async release(): Promise<void> {
    this.#connecting?.destroy(new Error('connection attempt aborted by close'));
    const socket = this.#socket;
    this.#socket = undefined;
    if (!socket) return;

    socket.removeAllListeners('data');
    socket.removeAllListeners('close');
    socket.removeAllListeners('error');
    socket.on('error', () => undefined);
    await closeSocket(socket);
  }

  protected send(chunk: Buffer): Promise<void> {
    if (!this.#socket) return Promise.reject(new Error(`Connection to ${this.endpoint} closed before ${chunk.length} bytes were sent`));
    return writeToStream(this.#socket, chunk);
  }

  protected judgeError(error: Error): ErrorVerdict {
    const code = (error as NodeJS.ErrnoException).code;
    const hints: Record<string, string> = {
      ECONNREFUSED: 'the analyzer refused the connection: check that it is on and its LIS port is enabled',
      ETIMEDOUT: 'the connection timed out: check the network cable and the analyzer address',
      EHOSTUNREACH: 'the analyzer is unreachable: check the network and the address',
      ENETUNREACH: 'the network is unreachable from this workstation',
      ENOTFOUND: 'the host name does not resolve: check the analyzer address',
      ECONNRESET: 'the analyzer reset the connection',
    };
    const hint = code ? hints[code] : undefined;
    return { reason: `${this.endpoint}: ${hint ?? error.message}`, permanent: false };
  }

  #connect(): Promise<Socket> {
    return new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host: this.#settings.host, port: this.#settings.port });
      this.#connecting = socket;
      const fail = (error: Error): void => {
        this.#connecting = undefined;
        socket.destroy();
        reject(error);
      };
      socket.setTimeout(this.#settings.connectTimeoutMs, () => {
        const error: NodeJS.ErrnoException = new Error(`connection timed out after ${this.#settings.connectTimeoutMs} ms`);
        error.code = 'ETIMEDOUT';
        fail(error);
      });
      socket.once('error', fail);
      socket.once('connect', () => {
        this.#connecting = undefined;
        socket.setTimeout(0);
        socket.off('error', fail);
        resolve(socket);
      });
    });
  }

  #socketLost(socket: Socket, error: Error): void {
    if (socket !== this.#socket) return;
    this.connectionLost(error);
  }
}

/** Ends the socket gracefully and waits for it to close; destroys it if the peer does not close its end in time. */
export function closeSocket(socket: Socket, graceMs = 1_000): Promise<void> {
  if (socket.destroyed) return Promise.resolve();

  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => socket.destroy(), graceMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.end();
  });
}
