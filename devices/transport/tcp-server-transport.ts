import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

import type { TcpServerSettings } from './settings.js';
import { writeToStream } from './stream-write.js';
import { closeSocket } from './tcp-client-transport.js';
import type { AttemptOutcome, ErrorVerdict, TransportOptions } from './transport-base.js';
import { TransportBase } from './transport-base.js';

/**
 * A TCP listener for analyzers that connect to the host. It carries one connection at a time,
 * because a link-layer conversation (ASTM, MLLP) has exactly two ends; `whenBusy` decides what a
 * second connection does. The state is `open` while the analyzer is connected and `reconnecting`
 * while the listener waits for it to connect again.
 */
export class TcpServerTransport extends TransportBase {
  readonly #settings: TcpServerSettings;
  #server: Server | undefined;
  #peer: Socket | undefined;

  constructor(settings: TcpServerSettings, options: TransportOptions) {
    super(options, 'tcp-server', `${settings.host}:${settings.port}`, settings.reconnect);
    this.#settings = settings;
  }

  /** The bound address; with port 0 in the settings, the port the system picked. Undefined until listening. */
  get address(): AddressInfo | undefined {
    const address = this.#server?.address();
    return address && typeof address === 'object' ? address : undefined;
  }

  protected async attempt(): Promise<AttemptOutcome> {
    const server = createServer({ noDelay: true, keepAlive: true, keepAliveInitialDelay: this.#settings.keepAliveMs });
    server.on('connection', (socket) => this.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.#settings.host, port: this.#settings.port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });

    this.#server = server;
    server.on('error', (error) => this.#listenerLost(server, error));
    const { address, port } = server.address() as AddressInfo;
    return { open: false, reason: `listening on ${address}:${port}; waiting for the analyzer to connect` };
  }

  protected async release(): Promise<void> {
    const server = this.#server;
    const peer = this.#peer;
    this.#server = undefined;
    this.#peer = undefined;

    if (peer) await this.#dropPeer(peer);
    if (server) {
      server.removeAllListeners('connection');
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  protected send(chunk: Buffer): Promise<void> {
    if (!this.#peer) return Promise.reject(new Error(`The analyzer on ${this.endpoint} disconnected before ${chunk.length} bytes were sent`));
    return writeToStream(this.#peer, chunk);
  }

  protected judgeError(error: Error): ErrorVerdict {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES') {
      return { reason: `not allowed to listen on ${this.endpoint}: ports below 1024 need administrator rights; choose a port above 1024`, permanent: true };
    }
    if (code === 'EADDRNOTAVAIL') {
      return { reason: `${this.#settings.host} is not an address of this workstation: set host to one of its addresses or "0.0.0.0"`, permanent: true };
    }
    if (code === 'EADDRINUSE') {
      return { reason: `port ${this.#settings.port} is in use by another program (or another analyzer connection); retrying`, permanent: false };
    }
    return { reason: `listener on ${this.endpoint} failed: ${error.message}`, permanent: false };
  }

  #accept(socket: Socket): void {
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    if (this.stopped) {
      socket.destroy();
      return;
    }
    if (!this.#isAllowed(socket.remoteAddress)) {
      this.log.warn({ remote }, 'rejected a connection from an address not in allowedAddresses');
      socket.destroy();
      return;
    }
    if (this.#peer && this.#settings.whenBusy === 'reject-new') {
      this.log.warn({ remote }, 'rejected a second connection while the analyzer is connected (whenBusy is reject-new)');
      socket.destroy();
      return;
    }
    if (this.#peer) {
      this.log.warn({ remote }, 'a new connection replaces the current one (whenBusy is replace-old)');
      void this.#dropPeer(this.#peer);
    }

    this.#peer = socket;
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => this.log.warn({ err: error, remote }, 'analyzer connection error'));
    socket.on('close', () => this.#peerClosed(socket, remote));
    this.markOpen(`analyzer connected from ${remote}`);
  }

  #isAllowed(remoteAddress: string | undefined): boolean {
    const allowed = this.#settings.allowedAddresses;
    if (allowed.length === 0) return true;
    if (!remoteAddress) return false;
    // An IPv4 peer of a dual-stack listener appears as ::ffff:a.b.c.d.
    const plain = remoteAddress.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress;
    return allowed.includes(remoteAddress) || allowed.includes(plain);
  }

  #peerClosed(socket: Socket, remote: string): void {
    if (socket !== this.#peer) return;
    this.#peer = undefined;
    if (this.stopped) return;
    this.changeState('reconnecting', `analyzer at ${remote} disconnected; waiting for it to connect again`);
  }

  async #dropPeer(peer: Socket): Promise<void> {
    peer.removeAllListeners('data');
    peer.removeAllListeners('close');
    peer.removeAllListeners('error');
    peer.on('error', () => undefined);
    await closeSocket(peer);
  }

  #listenerLost(server: Server, error: Error): void {
    if (server !== this.#server) return;
    this.connectionLost(error);
  }
}
