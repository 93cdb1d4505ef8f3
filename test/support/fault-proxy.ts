import type { AddressInfo, Server, Socket } from 'node:net';
import { createConnection, createServer } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 between workstations and the sync server. It injects network faults
 * that a test switches while it runs: refused connections, black holes, half-open connections,
 * latency, resets part-way through a request, and responses cut after the server committed.
 *
 * Request framing: the proxy reads each HTTP/1.1 request whole (request line, headers, then a body
 * framed by Content-Length or chunked transfer coding) before forwarding it, so that a rule can
 * match on the request line or the body and cut at an exact byte. Keep-alive connections carry
 * several requests, and each one is matched on its own. Responses are forwarded as they arrive,
 * without parsing, so endless responses such as server-sent events pass through.
 *
 * NOTE: response bytes are credited to the last request forwarded on the connection. That holds
 * for clients that wait for a response before sending the next request on the same connection, as
 * Node's fetch (undici, pipelining 1 by default) does. A pipelining client would see faults meant
 * for one response applied to another.
 */

export interface RequestMatch {
  /** HTTP method, such as `POST`; any method when absent. */
  method?: string;
  /** Exact path without the query string, or a pattern tested against the whole request target. */
  path?: string | RegExp;
  /** Text that the request body must contain, such as one document id. */
  bodyIncludes?: string;
}

export type FaultAction =
  /** Forwards the request and delays the whole response by `ms` milliseconds. */
  | { kind: 'delay-response'; ms: number }
  /**
   * Forwards the first `afterBytes` bytes of the request (headers included), then resets both
   * connections. A function receives the request's length and returns the cut point.
   */
  | { kind: 'reset-request'; afterBytes: number | ((requestLength: number) => number) }
  /**
   * Forwards the whole request, waits `afterMs` milliseconds (0 by default), then resets both
   * connections before any response: the server may or may not have committed by then.
   */
  | { kind: 'reset-after-request'; afterMs?: number }
  /**
   * Forwards the whole request, waits for the first bytes of the response (the server sends them
   * only after it committed), drops them and resets the client's connection.
   */
  | { kind: 'cut-response' }
  /** Responds with this status and a JSON error body, without forwarding the request. */
  | { kind: 'status'; status: number }
  /**
   * Half-open: reads and drops the request, and from then on drops everything in both directions
   * on this connection, without FIN or RST, until the client closes it.
   */
  | { kind: 'stall' };

export interface FaultRuleOptions {
  match?: RequestMatch;
  action: FaultAction;
  /** Applies to at most this many matching requests, then stops applying. */
  times?: number;
  /** Chance from 0 to 1 that a matching request gets the fault, drawn from the proxy's `random`. */
  probability?: number;
}

export interface FaultRule {
  readonly options: FaultRuleOptions;
  /** Requests this rule has applied its fault to. */
  readonly hits: number;
  remove(): void;
}

export interface FaultProxyOptions {
  /** Port of the server on 127.0.0.1 that the proxy forwards to. */
  targetPort: number;
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Source of randomness for rules with a probability; pass a seeded one for repeatable runs. */
  random?: () => number;
}

export interface FaultProxyStats {
  connectionsAccepted: number;
  connectionsOpen: number;
  requestsForwarded: number;
  /** Requests that a rule applied a fault to. */
  requestsFaulted: number;
}

const LOOPBACK = '127.0.0.1';
/** Largest request head the proxy parses; the sync server's requests have heads of a few hundred bytes. */
const MAX_HEAD_BYTES = 64 * 1024;

class Rule implements FaultRule {
  hits = 0;

  constructor(
    readonly options: FaultRuleOptions,
    private readonly removeFromProxy: (rule: Rule) => void,
  ) {}

  get exhausted(): boolean {
    return this.options.times !== undefined && this.hits >= this.options.times;
  }

  remove(): void {
    this.removeFromProxy(this);
  }
}

/** One request read whole from the client. */
interface ParsedRequest {
  method: string;
  target: string;
  /** Request line, headers and body, exactly as received. */
  bytes: Buffer;
  body: Buffer;
}

/**
 * Splits a byte stream into whole HTTP/1.1 requests. Returns the requests complete so far and
 * keeps the rest for the next call.
 */
export class RequestFramer {
  #buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): ParsedRequest[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const requests: ParsedRequest[] = [];
    for (;;) {
      const request = this.#next();
      if (!request) return requests;
      requests.push(request);
    }
  }

  #next(): ParsedRequest | undefined {
    const headEnd = this.#buffer.indexOf('\r\n\r\n');
    if (headEnd < 0) {
      if (this.#buffer.length > MAX_HEAD_BYTES) throw new Error(`Request head longer than ${MAX_HEAD_BYTES} bytes`);
      return undefined;
    }
    const head = this.#buffer.subarray(0, headEnd).toString('latin1');
    const [requestLine = '', ...headerLines] = head.split('\r\n');
    const [method = '', target = ''] = requestLine.split(' ');
    const headers = new Map<string, string>();
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }

    const bodyStart = headEnd + 4;
    let bodyEnd: number | undefined;
    let body: Buffer;
    if (/\bchunked\b/i.test(headers.get('transfer-encoding') ?? '')) {
      const chunked = readChunkedBody(this.#buffer, bodyStart);
      if (!chunked) return undefined;
      bodyEnd = chunked.end;
      body = chunked.body;
    } else {
      const length = Number(headers.get('content-length') ?? '0');
      if (!Number.isSafeInteger(length) || length < 0) throw new Error(`Invalid Content-Length ${headers.get('content-length')}`);
      if (this.#buffer.length < bodyStart + length) return undefined;
      bodyEnd = bodyStart + length;
      body = this.#buffer.subarray(bodyStart, bodyEnd);
    }

    const bytes = this.#buffer.subarray(0, bodyEnd);
    this.#buffer = this.#buffer.subarray(bodyEnd);
    return { method, target, bytes, body };
  }
}

/** Reads a chunked body starting at `start`; undefined until its last chunk and trailers are in. */
function readChunkedBody(buffer: Buffer, start: number): { end: number; body: Buffer } | undefined {
  const parts: Buffer[] = [];
  let position = start;
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', position);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(buffer.subarray(position, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isSafeInteger(size) || size < 0) throw new Error('Invalid chunk size in a chunked request body');
    position = lineEnd + 2;
    if (size === 0) break;
    if (buffer.length < position + size + 2) return undefined;
    parts.push(buffer.subarray(position, position + size));
    position += size + 2;
  }
  // Trailer fields, if any, end with an empty line.
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', position);
    if (lineEnd < 0) return undefined;
    const empty = lineEnd === position;
    position = lineEnd + 2;
    if (empty) return { end: position, body: Buffer.concat(parts) };
  }
}

function pathOf(target: string): string {
  const query = target.indexOf('?');
  return query < 0 ? target : target.slice(0, query);
}

function matches(match: RequestMatch | undefined, request: ParsedRequest): boolean {
  if (!match) return true;
  if (match.method !== undefined && match.method.toUpperCase() !== request.method.toUpperCase()) return false;
  if (typeof match.path === 'string' && match.path !== pathOf(request.target)) return false;
  if (match.path instanceof RegExp && !match.path.test(request.target)) return false;
  if (match.bodyIncludes !== undefined && !request.body.includes(match.bodyIncludes)) return false;
  return true;
}

/**
 * Writes chunks to a socket after a latency, keeping their order even when the latency changes
 * between chunks. An `end` queued behind data ends the socket after that data.
 */
class DelayedWriter {
  readonly #queue: { due: number; chunk: Buffer | 'end' }[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly latencyMs: () => number,
  ) {}

  write(chunk: Buffer | 'end'): void {
    const latency = this.latencyMs();
    if (latency <= 0 && this.#queue.length === 0) {
      this.#deliver(chunk);
      return;
    }
    const previousDue = this.#queue.at(-1)?.due ?? 0;
    this.#queue.push({ due: Math.max(Date.now() + latency, previousDue), chunk });
    this.#schedule();
  }

  /** Delays everything written from now on until `until` (a Date.now() value), on top of the latency. */
  holdUntil(until: number): void {
    this.#queue.push({ due: until, chunk: Buffer.alloc(0) });
    this.#schedule();
  }

  clear(): void {
    this.#queue.length = 0;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const head = this.#queue[0];
    if (!head) return;
    this.#timer = setTimeout(() => this.#flush(), Math.max(0, head.due - Date.now()));
  }

  #flush(): void {
    this.#timer = undefined;
    const now = Date.now();
    // Items behind a hold wait for it even when their own time has come.
    while (this.#queue[0] && this.#queue[0].due <= now) {
      const item = this.#queue.shift() as { chunk: Buffer | 'end' };
      this.#deliver(item.chunk);
    }
    this.#schedule();
  }

  #deliver(chunk: Buffer | 'end'): void {
    if (this.socket.destroyed) return;
    if (chunk === 'end') this.socket.end();
    else if (chunk.length > 0) this.socket.write(chunk);
  }
}

type ResponseMode = { kind: 'forward' } | { kind: 'delay'; ms: number } | { kind: 'cut' };

/** One client connection and its connection to the server. */
class ProxiedConnection {
  readonly #upstream: Socket | undefined;
  readonly #framer = new RequestFramer();
  readonly #toServer: DelayedWriter | undefined;
  readonly #toClient: DelayedWriter;
  /** What to do with the response to the last request forwarded. */
  #responseMode: ResponseMode = { kind: 'forward' };
  #responseStarted = false;
  /** The request line of the last request read, for stalling the connections of one path. */
  lastRequest: ParsedRequest | undefined;
  stalled = false;
  #closed = false;

  constructor(
    private readonly client: Socket,
    private readonly proxy: FaultProxy,
    blackHole: boolean,
  ) {
    this.#toClient = new DelayedWriter(client, () => proxy.latencyMs);
    client.on('error', () => this.destroy());
    client.on('close', () => this.destroy());

    if (blackHole) {
      // Accepted and read, but nothing is ever sent back: the client waits until its own timeout.
      this.stalled = true;
      client.on('data', () => undefined);
      return;
    }

    const upstream = createConnection({ host: LOOPBACK, port: proxy.targetPort });
    this.#upstream = upstream;
    this.#toServer = new DelayedWriter(upstream, () => proxy.latencyMs);
    // The server is down: the client sees its connection reset, as it would at a dead port.
    upstream.on('error', () => this.reset());
    let upstreamEnded = false;
    // After a clean end, the client still gets the delayed bytes and the FIN queued behind them.
    upstream.on('close', () => {
      if (!this.stalled && !upstreamEnded) this.destroy();
    });
    upstream.on('data', (chunk: Buffer) => this.#fromServer(chunk));
    upstream.on('end', () => {
      upstreamEnded = true;
      if (!this.stalled) this.#toClient.write('end');
    });
    client.on('data', (chunk: Buffer) => this.#fromClient(chunk));
    client.on('end', () => {
      if (!this.stalled) this.#toServer?.write('end');
    });
  }

  /** Stops forwarding in both directions, sending neither FIN nor RST. */
  stall(): void {
    this.stalled = true;
    this.#toClient.clear();
    this.#toServer?.clear();
  }

  /** Resets both connections (RST to the client). */
  reset(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#toClient.clear();
    this.#toServer?.clear();
    if (!this.client.destroyed) this.client.resetAndDestroy();
    if (this.#upstream && !this.#upstream.destroyed) this.#upstream.resetAndDestroy();
    this.proxy.forget(this);
  }

  destroy(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#toClient.clear();
    this.#toServer?.clear();
    this.client.destroy();
    this.#upstream?.destroy();
    this.proxy.forget(this);
  }

  #fromClient(chunk: Buffer): void {
    if (this.stalled || this.#closed) return;
    let requests: ParsedRequest[];
    try {
      requests = this.#framer.push(chunk);
    } catch {
      // Not HTTP the proxy can frame: pass nothing on and close, as a strict proxy would.
      this.destroy();
      return;
    }
    for (const request of requests) {
      if (this.stalled || this.#closed) return;
      this.lastRequest = request;
      this.#handleRequest(request);
    }
  }

  #handleRequest(request: ParsedRequest): void {
    const rule = this.proxy.ruleFor(request);
    const action = rule?.options.action;
    this.#responseStarted = false;
    this.#responseMode = { kind: 'forward' };
    if (!action) {
      this.#forward(request.bytes);
      return;
    }

    switch (action.kind) {
      case 'delay-response':
        this.#responseMode = { kind: 'delay', ms: action.ms };
        this.#forward(request.bytes);
        return;
      case 'cut-response':
        this.#responseMode = { kind: 'cut' };
        this.#forward(request.bytes);
        return;
      case 'reset-request': {
        const requested = typeof action.afterBytes === 'function' ? action.afterBytes(request.bytes.length) : action.afterBytes;
        const cut = Math.max(0, Math.min(request.bytes.length - 1, Math.floor(requested)));
        if (cut > 0) this.#forward(request.bytes.subarray(0, cut));
        // Resetting at once could discard the partial request still in the socket's buffer: wait
        // until it has left, so the server receives the start of the request and then a reset.
        setTimeout(() => this.reset(), this.proxy.latencyMs + 20);
        return;
      }
      case 'reset-after-request':
        // A response that comes before the reset is not passed on either.
        this.#responseMode = { kind: 'cut' };
        this.#forward(request.bytes);
        setTimeout(() => this.reset(), this.proxy.latencyMs + (action.afterMs ?? 0));
        return;
      case 'status':
        this.#answer(action.status);
        return;
      case 'stall':
        this.stall();
        return;
    }
  }

  #forward(bytes: Buffer): void {
    this.proxy.countForwarded();
    this.#toServer?.write(bytes);
  }

  #answer(status: number): void {
    const body = JSON.stringify({ error: 'injected-fault', message: `Fault proxy answered HTTP ${status} instead of forwarding the request` });
    const head = [`HTTP/1.1 ${status} Injected Fault`, 'Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close', '', ''].join('\r\n');
    this.#toClient.write(Buffer.from(head + body));
    this.#toClient.write('end');
    this.stalled = true;
  }

  #fromServer(chunk: Buffer): void {
    if (this.stalled || this.#closed) return;
    const mode = this.#responseMode;
    if (mode.kind === 'cut') {
      this.reset();
      return;
    }
    if (mode.kind === 'delay' && !this.#responseStarted) {
      this.#toClient.holdUntil(Date.now() + mode.ms);
    }
    this.#responseStarted = true;
    this.#toClient.write(chunk);
  }
}

/** The fault-injecting proxy; see the file header for how it frames requests. */
export class FaultProxy {
  readonly targetPort: number;
  latencyMs = 0;
  #server: Server | undefined;
  readonly #random: () => number;
  readonly #connections = new Set<ProxiedConnection>();
  readonly #rules: Rule[] = [];
  #port = 0;
  #blackHole = false;
  #stats = { connectionsAccepted: 0, requestsForwarded: 0, requestsFaulted: 0 };

  private constructor(options: FaultProxyOptions) {
    this.targetPort = options.targetPort;
    this.#random = options.random ?? Math.random;
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const proxy = new FaultProxy(options);
    await proxy.#listen(options.port ?? 0);
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  /** Base URL for the workstations, such as `http://127.0.0.1:40123`. */
  get url(): string {
    return `http://${LOOPBACK}:${this.#port}`;
  }

  get stats(): FaultProxyStats {
    return { ...this.#stats, connectionsOpen: this.#connections.size };
  }

  /**
   * Stops listening, so new connections are refused (ECONNREFUSED). With `resetOpen`, the open
   * connections are reset too; otherwise they go on working.
   */
  async refuse(options: { resetOpen?: boolean } = {}): Promise<void> {
    if (options.resetOpen) this.resetAll();
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    // close() stops accepting at once, but its callback waits for every open connection to end.
    server.close();
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Listens again on the same port after `refuse`. */
  async accept(): Promise<void> {
    if (!this.#server) await this.#listen(this.#port);
  }

  /** Accepts new connections but never forwards anything on them or responds. */
  blackHole(on = true): void {
    this.#blackHole = on;
  }

  /**
   * Turns open connections half-open: nothing more passes in either direction and neither side
   * gets FIN or RST. With `match`, only connections whose last request matches are stalled.
   * Returns the number of connections stalled.
   */
  stallOpen(match?: RequestMatch): number {
    let stalled = 0;
    for (const connection of this.#connections) {
      if (connection.stalled) continue;
      if (match && !(connection.lastRequest && matches(match, connection.lastRequest))) continue;
      connection.stall();
      stalled++;
    }
    return stalled;
  }

  /** Resets every open connection. */
  resetAll(): void {
    for (const connection of [...this.#connections]) connection.reset();
  }

  addRule(options: FaultRuleOptions): FaultRule {
    const rule = new Rule(options, (removed) => {
      const index = this.#rules.indexOf(removed);
      if (index >= 0) this.#rules.splice(index, 1);
    });
    this.#rules.push(rule);
    return rule;
  }

  /**
   * Ends every fault: removes the rules, the latency and the black hole, and listens again if
   * refused. Connections already stalled stay dead, as a TCP connection whose peer vanished does;
   * their clients must notice and reconnect.
   */
  async heal(): Promise<void> {
    this.#rules.length = 0;
    this.latencyMs = 0;
    this.#blackHole = false;
    await this.accept();
  }

  async close(): Promise<void> {
    this.#rules.length = 0;
    for (const connection of [...this.#connections]) connection.destroy();
    await this.refuse();
  }

  /** Finds the first active rule that matches `request` and counts the hit. */
  ruleFor(request: ParsedRequest): Rule | undefined {
    for (const rule of this.#rules) {
      if (rule.exhausted || !matches(rule.options.match, request)) continue;
      if (rule.options.probability !== undefined && this.#random() >= rule.options.probability) continue;
      rule.hits++;
      this.#stats.requestsFaulted++;
      return rule;
    }
    return undefined;
  }

  countForwarded(): void {
    this.#stats.requestsForwarded++;
  }

  forget(connection: ProxiedConnection): void {
    this.#connections.delete(connection);
  }

  /** Listens with a new server each time, because a closed one stays closing while its connections live. */
  async #listen(port: number): Promise<void> {
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      this.#stats.connectionsAccepted++;
      socket.setNoDelay(true);
      this.#connections.add(new ProxiedConnection(socket, this, this.#blackHole));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: LOOPBACK }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
  }
}
