import type { ApiTransport } from './build-api.js';
import type { ApiResult } from './errors.js';
import type { CallMessage } from './websocket-transport.js';
import { serverMessage } from './websocket-transport.js';

/**
 * The Electron host's transport: calls and events over a MessagePort to the core's utility
 * process, with the same call, result and event messages as the browser host's WebSocket. Main
 * sends the port on `CORE_PORT_CHANNEL` when the page has loaded and sends a new one whenever the
 * core restarts.
 */
export const CORE_PORT_CHANNEL = 'hms:core-port';

/** The part of a DOM MessagePort the transport uses. */
export interface PortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  start(): void;
  close(): void;
}

export interface MessagePortTransportOptions {
  /** How long a call made before any port arrived waits for one, in milliseconds. */
  connectTimeoutMs?: number;
  /** How long a call waits for its result, in milliseconds. */
  callTimeoutMs?: number;
}

interface PendingCall {
  resolve: (result: ApiResult<unknown>) => void;
  timer: ReturnType<typeof setTimeout>;
}

function unavailable(message: string): ApiResult<unknown> {
  return { ok: false, error: { code: 'unavailable', message } };
}

export class MessagePortTransport implements ApiTransport {
  readonly #listeners = new Map<string, Set<(payload: unknown) => void>>();
  readonly #pending = new Map<number, PendingCall>();
  readonly #connectTimeoutMs: number;
  readonly #callTimeoutMs: number;
  #port: PortLike | undefined;
  #waitingForPort: (() => void)[] = [];
  #nextId = 1;

  constructor(options: MessagePortTransportOptions = {}) {
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
    this.#callTimeoutMs = options.callTimeoutMs ?? 60_000;
  }

  /** Switches to a new port to the core; calls still waiting on the old one fail as unavailable. */
  usePort(port: PortLike): void {
    this.#port?.close();
    for (const [id, call] of this.#pending) {
      clearTimeout(call.timer);
      call.resolve(unavailable('The workstation core restarted before answering; try again'));
      this.#pending.delete(id);
    }
    this.#port = port;
    port.addEventListener('message', (event) => this.#receive(event.data));
    port.start();
    const waiting = this.#waitingForPort;
    this.#waitingForPort = [];
    for (const resume of waiting) resume();
  }

  async invoke(channel: string, input: unknown): Promise<ApiResult<unknown>> {
    const port = this.#port ?? (await this.#awaitPort());
    if (!port) return unavailable('The workstation core is not reachable; wait a moment and try again');

    const id = this.#nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve(unavailable(`${channel} timed out after ${this.#callTimeoutMs / 1000} s`));
      }, this.#callTimeoutMs);
      this.#pending.set(id, { resolve, timer });
      const message: CallMessage = { type: 'call', id, channel, input };
      port.postMessage(message);
    });
  }

  subscribe(channel: string, listener: (payload: unknown) => void): () => void {
    const listeners = this.#listeners.get(channel) ?? new Set();
    listeners.add(listener);
    this.#listeners.set(channel, listeners);
    return () => listeners.delete(listener);
  }

  #awaitPort(): Promise<PortLike | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), this.#connectTimeoutMs);
      this.#waitingForPort.push(() => {
        clearTimeout(timer);
        resolve(this.#port);
      });
    });
  }

  #receive(data: unknown): void {
    const parsed = serverMessage.safeParse(data);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.type === 'event') {
      for (const listener of this.#listeners.get(message.channel) ?? []) listener(message.payload);
      return;
    }
    const call = this.#pending.get(message.id);
    if (!call) return;
    clearTimeout(call.timer);
    this.#pending.delete(message.id);
    call.resolve(message.result as ApiResult<unknown>);
  }
}
