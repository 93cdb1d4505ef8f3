import type { WebSocketLike } from '../../../renderer/src/host/browser-client.js';

/** The fields of DOM events that the client reads: `data` of a message, `code` of a close. */
type FakeEvent = { data?: unknown; code?: number };
type Listener = (event: never) => void;

/** A WebSocket stand-in that records what the client sends and lets a test play the host. */
export class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = [];

  readyState = 0;
  readonly sent: unknown[] = [];
  readonly #listeners = new Map<string, ((event: FakeEvent) => void)[]>();

  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    FakeWebSocket.instances.push(this);
  }

  static latest(): FakeWebSocket {
    const socket = FakeWebSocket.instances.at(-1);
    if (socket === undefined) throw new Error('no FakeWebSocket was created');
    return socket;
  }

  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener as (event: FakeEvent) => void]);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  close(): void {
    this.serverClose();
  }

  /** Accepts the connection as the host would. */
  open(): void {
    this.readyState = 1;
    this.#fire('open', {});
  }

  /** Delivers a frame from the host, encoding an object as JSON text. */
  receive(frame: unknown): void {
    this.#fire('message', { data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }

  /** Closes the connection from the host's side; 1006 is what a browser reports when the network drops. */
  serverClose(code = 1006): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.#fire('close', { code });
  }

  /** Rejects the handshake as the host does for a wrong token: an error, then close code 1006 without an open. */
  rejectHandshake(): void {
    this.readyState = 3;
    this.#fire('error', {});
    this.#fire('close', { code: 1006 });
  }

  #fire(type: string, event: FakeEvent): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(event);
  }
}
