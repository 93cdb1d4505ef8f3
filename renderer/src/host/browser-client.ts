import type { ApiErrorBody, ApiErrorCode, ApiResult, ApiTransport, HmsApi } from '../../../preload/api/index.js';
import {
  API_ERROR_CODES,
  TOKEN_PROTOCOL_PREFIX,
  WEBSOCKET_PATH,
  WEBSOCKET_PROTOCOL,
  buildHmsApi,
  listEvents,
  serverMessage,
} from '../../../preload/api/index.js';
import type { ConnectionMonitor } from './connection.js';
import { ConnectionTracker } from './connection.js';
import type { HistoryLike, LocationLike, StorageLike } from './token.js';
import { takeToken } from './token.js';

/**
 * `window.hms` for the browser host: the API contract carried over one WebSocket to the host on
 * 127.0.0.1. Calls are `call` frames with increasing ids, matched by the `result` frames with the
 * same id, and `event` frames go to the subscribers of their channel. When the socket closes, calls
 * still waiting for a result fail with `unavailable` and the client reconnects with backoff.
 */

/** The part of the DOM WebSocket this client uses, so tests can pass a fake. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
  addEventListener(type: 'close', listener: (event: { code: number }) => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export type WebSocketConstructor = new (url: string, protocols: string[]) => WebSocketLike;

export interface TransportOptions {
  url: string;
  token: string;
  WebSocket: WebSocketConstructor;
  /** First reconnect delay; each further attempt doubles it up to `maxReconnectDelayMs`. */
  initialReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** How long a call made while disconnected waits for the connection before it fails. */
  connectTimeoutMs?: number;
  /** How long a sent call waits for its result before it fails. */
  resultTimeoutMs?: number;
}

const OPEN = 1;

interface PendingCall {
  resolve(result: ApiResult<unknown>): void;
  timer: ReturnType<typeof setTimeout>;
}

interface WaitingCall {
  send(): void;
  fail(result: ApiResult<unknown>): void;
}

function unavailable(message: string): ApiResult<unknown> {
  return { ok: false, error: { code: 'unavailable', message } };
}

function toErrorCode(code: string): ApiErrorCode {
  return (API_ERROR_CODES as readonly string[]).includes(code) ? (code as ApiErrorCode) : 'internal';
}

export class WebSocketTransport implements ApiTransport {
  readonly #options: Required<TransportOptions>;
  readonly #pending = new Map<number, PendingCall>();
  readonly #waiting = new Set<WaitingCall>();
  readonly #listeners = new Map<string, Set<(payload: unknown) => void>>();
  readonly #eventSchemas = new Map(listEvents().map((definition) => [definition.channel, definition.payload]));
  readonly #tracker = new ConnectionTracker();
  #socket: WebSocketLike | null = null;
  #nextId = 1;
  #reconnectDelayMs: number;
  #reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  constructor(options: TransportOptions) {
    this.#options = {
      initialReconnectDelayMs: 500,
      maxReconnectDelayMs: 10_000,
      connectTimeoutMs: 15_000,
      resultTimeoutMs: 60_000,
      ...options,
    };
    this.#reconnectDelayMs = this.#options.initialReconnectDelayMs;
    this.#connect();
  }

  invoke(channel: string, input: unknown): Promise<ApiResult<unknown>> {
    if (this.#closed) return Promise.resolve(unavailable('The connection to the workstation was closed.'));

    return new Promise((resolve) => {
      const id = this.#nextId++;
      const send = () => this.#send(id, channel, input, resolve);
      if (this.#socket?.readyState === OPEN) {
        send();
        return;
      }

      const waiting: WaitingCall = {
        send: () => {
          clearTimeout(timer);
          send();
        },
        fail: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
      };
      const timer = setTimeout(() => {
        this.#waiting.delete(waiting);
        resolve(unavailable('Timed out waiting for the connection to the workstation.'));
      }, this.#options.connectTimeoutMs);
      this.#waiting.add(waiting);
    });
  }

  /** The state of the connection to the host, for the screens that show it. */
  get connection(): ConnectionMonitor {
    return this.#tracker;
  }

  subscribe(channel: string, listener: (payload: unknown) => void): () => void {
    let channelListeners = this.#listeners.get(channel);
    if (channelListeners === undefined) {
      channelListeners = new Set();
      this.#listeners.set(channel, channelListeners);
    }
    channelListeners.add(listener);
    return () => {
      channelListeners.delete(listener);
    };
  }

  /** Closes the socket for good: no reconnect, and every waiting or pending call fails. */
  close(): void {
    this.#closed = true;
    if (this.#reconnectTimer !== null) clearTimeout(this.#reconnectTimer);
    this.#socket?.close(1000, 'client closed');
    this.#failAll('The connection to the workstation was closed.');
  }

  #connect(): void {
    const protocols = [WEBSOCKET_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${this.#options.token}`];
    const socket = new this.#options.WebSocket(this.#options.url, protocols);
    this.#socket = socket;
    let opened = false;

    socket.addEventListener('open', () => {
      if (this.#socket !== socket) return;
      opened = true;
      console.info('browser client: connected');
      this.#reconnectDelayMs = this.#options.initialReconnectDelayMs;
      this.#tracker.opened();
      const waiting = [...this.#waiting];
      this.#waiting.clear();
      for (const call of waiting) call.send();
    });
    socket.addEventListener('message', (event) => {
      if (this.#socket === socket) this.#receive(event.data);
    });
    socket.addEventListener('close', (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#failPending('The connection to the workstation was lost before it returned a result.');
      if (!this.#closed) this.#scheduleReconnect(event.code, opened);
      this.#tracker.closed(event.code, opened);
    });
  }

  #scheduleReconnect(code: number, opened: boolean): void {
    const delay = this.#reconnectDelayMs;
    this.#reconnectDelayMs = Math.min(delay * 2, this.#options.maxReconnectDelayMs);
    const outcome = opened ? 'connection closed' : 'connection not opened';
    console.warn(`browser client: ${outcome} (code ${code}), reconnecting in ${delay} ms`);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      this.#connect();
    }, delay);
  }

  #send(id: number, channel: string, input: unknown, resolve: (result: ApiResult<unknown>) => void): void {
    const socket = this.#socket;
    if (socket === null || socket.readyState !== OPEN) {
      resolve(unavailable('The connection to the workstation was lost.'));
      return;
    }

    const timer = setTimeout(() => {
      this.#pending.delete(id);
      console.warn(`browser client: call ${id} on ${channel} timed out`);
      resolve(unavailable('Timed out waiting for the workstation to return a result.'));
    }, this.#options.resultTimeoutMs);
    this.#pending.set(id, { resolve, timer });
    socket.send(JSON.stringify({ type: 'call', id, channel, input }));
  }

  #receive(data: unknown): void {
    let json: unknown;
    try {
      json = typeof data === 'string' ? JSON.parse(data) : undefined;
    } catch {
      json = undefined;
    }
    const parsed = serverMessage.safeParse(json);
    if (!parsed.success) {
      console.warn('browser client: ignoring a malformed frame from the host');
      return;
    }

    const message = parsed.data;
    if (message.type === 'result') {
      const call = this.#pending.get(message.id);
      if (call === undefined) {
        console.warn(`browser client: ignoring a result for unknown call ${message.id}`);
        return;
      }
      this.#pending.delete(message.id);
      clearTimeout(call.timer);
      call.resolve(
        message.result.ok
          ? { ok: true, value: message.result.value }
          : { ok: false, error: { ...message.result.error, code: toErrorCode(message.result.error.code) } as ApiErrorBody },
      );
      return;
    }

    this.#dispatch(message.channel, message.payload);
  }

  #dispatch(channel: string, payload: unknown): void {
    const schema = this.#eventSchemas.get(channel);
    if (schema === undefined) {
      console.warn(`browser client: ignoring an event on undeclared channel ${channel}`);
      return;
    }
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      console.warn(`browser client: ignoring a malformed ${channel} event`);
      return;
    }

    for (const listener of this.#listeners.get(channel) ?? []) {
      try {
        listener(parsed.data);
      } catch (error) {
        console.error(`browser client: a ${channel} listener failed`, error);
      }
    }
  }

  #failPending(message: string): void {
    const calls = [...this.#pending.values()];
    this.#pending.clear();
    for (const call of calls) {
      clearTimeout(call.timer);
      call.resolve(unavailable(message));
    }
  }

  #failAll(message: string): void {
    this.#failPending(message);
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (const call of waiting) call.fail(unavailable(message));
  }
}

export interface BrowserEnvironment {
  location: LocationLike;
  sessionStorage: StorageLike;
  history: HistoryLike;
  WebSocket: WebSocketConstructor;
}

export type BrowserClient =
  | { kind: 'connected'; api: HmsApi; transport: WebSocketTransport; token: string }
  | { kind: 'missing-token' };

/** Reads the token and opens the transport to the host that served this page. */
export function startBrowserClient(
  environment: BrowserEnvironment,
  options: Omit<TransportOptions, 'url' | 'token' | 'WebSocket'> = {},
): BrowserClient {
  const token = takeToken(environment.location, environment.sessionStorage, environment.history);
  if (token === null) return { kind: 'missing-token' };

  const transport = new WebSocketTransport({
    ...options,
    url: `ws://${environment.location.host}${WEBSOCKET_PATH}`,
    token,
    WebSocket: environment.WebSocket,
  });
  return { kind: 'connected', api: buildHmsApi(transport), transport, token };
}
