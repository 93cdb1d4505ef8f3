import type { WebSocketLike } from '../../../renderer/src/host/browser-client.js';

type Listener = (event: { data: unknown }) => void;

/** A WebSocket stand-in that records what the client sends and lets a test play the host. */
export class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = [];

  readyState = 0;
  readonly sent: unknown[] = [];
  readonly #listeners = new Map<string, Listener[]>();

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
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
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
    this.#fire('open', { data: undefined });
  }

  /** Delivers a frame from the host, encoding an object as JSON text. */
  receive(frame: unknown): void {
    this.#fire('message', { data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }

  /** Closes the connection from the host's side, as when the network drops. */
  serverClose(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.#fire('close', { data: undefined });
  }

  #fire(type: string, event: { data: unknown }): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(event);
  }
}
