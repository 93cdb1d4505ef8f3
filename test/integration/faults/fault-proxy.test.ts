import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { FaultProxy, RequestFramer } from '../../support/fault-proxy.js';

/** What the tiny upstream server saw: each request whole, and which connection it came on. */
interface SeenRequest {
  method: string;
  url: string;
  body: string;
  connection: number;
  completed: boolean;
}

interface Upstream {
  server: Server;
  port: number;
  seen: SeenRequest[];
  /** Bytes received per connection number, counted from the raw socket. */
  bytesByConnection: Map<number, number>;
  /** Requests to POST /commit that the server finished handling (its "commits"). */
  commits: number;
}

async function startUpstream(): Promise<Upstream> {
  const upstream: Upstream = { server: undefined as unknown as Server, port: 0, seen: [], bytesByConnection: new Map(), commits: 0 };
  let connections = 0;
  const connectionIds = new WeakMap<Socket, number>();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const seen: SeenRequest = { method: request.method ?? '', url: request.url ?? '', body: '', connection: connectionIds.get(request.socket) ?? -1, completed: false };
    upstream.seen.push(seen);
    request.setEncoding('utf8');
    request.on('data', (text: string) => (seen.body += text));
    request.on('end', () => {
      seen.completed = true;
      if (request.url === '/stream') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        const timer = setInterval(() => response.write('event: heartbeat\ndata: {}\n\n'), 20);
        response.on('close', () => clearInterval(timer));
        return;
      }
      if (request.url === '/commit') upstream.commits++;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ url: request.url, received: seen.body.length }));
    });
  });
  server.on('connection', (socket: Socket) => {
    const id = connections++;
    connectionIds.set(socket, id);
    upstream.bytesByConnection.set(id, 0);
    socket.on('data', (chunk: Buffer) => upstream.bytesByConnection.set(id, (upstream.bytesByConnection.get(id) ?? 0) + chunk.length));
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, resolve));
  upstream.server = server;
  upstream.port = (server.address() as AddressInfo).port;
  return upstream;
}

interface Answer {
  status: number;
  body: string;
}

/** Sends one HTTP request through node:http; a failure carries the socket's error code, such as ECONNRESET. */
function send(port: number, options: { method?: string; path: string; body?: string; agent?: Agent; chunked?: boolean; timeoutMs?: number }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (options.body !== undefined && !options.chunked) headers['content-length'] = String(Buffer.byteLength(options.body));
    const request = httpRequest({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers, agent: options.agent ?? false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (text: string) => (body += text));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.setTimeout(options.timeoutMs ?? 5_000, () => request.destroy(Object.assign(new Error('timed out'), { code: 'TIMEOUT' })));
    if (options.body !== undefined && options.chunked) {
      // Two chunks, so the proxy must join them to match on the body.
      const middle = Math.floor(options.body.length / 2);
      request.write(options.body.slice(0, middle));
      request.end(options.body.slice(middle));
    } else {
      request.end(options.body);
    }
  });
}

async function errorCodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  return 'no error';
}

/** A small deterministic generator, so runs with a probability repeat exactly. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RequestFramer', () => {
  it('splits keep-alive requests and chunked bodies', () => {
    const framer = new RequestFramer();
    const first = 'POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello';
    const second = 'POST /b?q=1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: t\r\n\r\n';
    const third = 'GET /c HTTP/1.1\r\nHost: x\r\n\r\n';
    const bytes = Buffer.from(first + second + third);

    // Fed one byte at a time, nothing is emitted before a request is whole.
    const requests = [];
    for (let index = 0; index < bytes.length; index++) requests.push(...framer.push(bytes.subarray(index, index + 1)));

    expect(requests.map((request) => `${request.method} ${request.target}`)).toEqual(['POST /a', 'POST /b?q=1', 'GET /c']);
    expect(requests.map((request) => request.body.toString())).toEqual(['hello', 'abcde', '']);
    expect(requests.map((request) => request.bytes.length)).toEqual([first.length, second.length, third.length]);
  });

  it('rejects an invalid Content-Length', () => {
    const framer = new RequestFramer();
    expect(() => framer.push(Buffer.from('POST / HTTP/1.1\r\nContent-Length: -3\r\n\r\n'))).toThrow(/Content-Length/);
  });
});

describe('fault proxy', () => {
  let upstream: Upstream;
  let proxy: FaultProxy;

  beforeAll(async () => {
    upstream = await startUpstream();
  });

  afterEach(async () => {
    await proxy?.close();
    upstream.seen.length = 0;
    upstream.commits = 0;
  });

  afterAll(async () => {
    upstream.server.closeAllConnections();
    await new Promise((resolve) => upstream.server.close(resolve));
  });

  async function startProxy(random?: () => number): Promise<FaultProxy> {
    proxy = await FaultProxy.start({ targetPort: upstream.port, ...(random ? { random } : {}) });
    return proxy;
  }

  it('forwards keep-alive requests on one connection', async () => {
    await startProxy();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const answers = [];
      for (let index = 0; index < 5; index++) answers.push(await send(proxy.port, { method: 'POST', path: `/echo/${index}`, body: 'x'.repeat(index * 100), agent }));

      expect(answers.map((answer) => JSON.parse(answer.body).received)).toEqual([0, 100, 200, 300, 400]);
      expect(proxy.stats.connectionsAccepted).toBe(1);
      expect(proxy.stats.requestsForwarded).toBe(5);
      expect(new Set(upstream.seen.map((seen) => seen.connection)).size).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  it('applies a rule only to its method and path', async () => {
    await startProxy();
    const rule = proxy.addRule({ match: { method: 'POST', path: '/sync/entries/push' }, action: { kind: 'status', status: 503 } });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const pushed = await send(proxy.port, { method: 'POST', path: '/sync/entries/push', body: '{}', agent });
      const otherPath = await send(proxy.port, { method: 'POST', path: '/sync/records/push', body: '{}', agent });
      const otherMethod = await send(proxy.port, { method: 'GET', path: '/sync/entries/push?x=1', agent });

      expect(pushed.status).toBe(503);
      expect(otherPath.status).toBe(200);
      expect(otherMethod.status).toBe(200);
      expect(rule.hits).toBe(1);
      expect(upstream.seen.map((seen) => seen.url)).toEqual(['/sync/records/push', '/sync/entries/push?x=1']);
    } finally {
      agent.destroy();
    }
  });

  it('matches a body sent in chunks', async () => {
    await startProxy();
    const rule = proxy.addRule({ match: { bodyIncludes: 'Observation/poison' }, action: { kind: 'status', status: 422 } });

    const poisoned = await send(proxy.port, { method: 'POST', path: '/push', body: '{"rows":[{"id":"Observation/poison"}]}', chunked: true });
    const healthy = await send(proxy.port, { method: 'POST', path: '/push', body: '{"rows":[{"id":"Observation/fine"}]}', chunked: true });

    expect(poisoned.status).toBe(422);
    expect(JSON.parse(poisoned.body)).toMatchObject({ error: 'injected-fault' });
    expect(healthy.status).toBe(200);
    expect(JSON.parse(healthy.body).received).toBe('{"rows":[{"id":"Observation/fine"}]}'.length);
    expect(rule.hits).toBe(1);
  });

  it('stops applying a rule after its count', async () => {
    await startProxy();
    const rule = proxy.addRule({ action: { kind: 'status', status: 500 }, times: 2 });

    const statuses = [];
    for (let index = 0; index < 4; index++) statuses.push((await send(proxy.port, { path: '/x' })).status);

    expect(statuses).toEqual([500, 500, 200, 200]);
    expect(rule.hits).toBe(2);
  });

  it('draws a rule with a probability from the seeded random', async () => {
    const outcomes = [];
    for (let run = 0; run < 2; run++) {
      await startProxy(seededRandom(42));
      proxy.addRule({ action: { kind: 'status', status: 500 }, probability: 0.5 });
      const statuses = [];
      for (let index = 0; index < 12; index++) statuses.push((await send(proxy.port, { path: '/x' })).status);
      outcomes.push(statuses);
      await proxy.close();
    }

    expect(outcomes[0]).toEqual(outcomes[1]);
    expect(outcomes[0]).toContain(500);
    expect(outcomes[0]).toContain(200);
  });

  it('refuses connections while refused and accepts after', async () => {
    await startProxy();
    const port = proxy.port;

    await proxy.refuse();
    const refused = await errorCodeOf(send(port, { path: '/x' }));
    await proxy.accept();
    const answer = await send(port, { path: '/x' });

    expect(refused).toBe('ECONNREFUSED');
    expect(answer.status).toBe(200);
    expect(proxy.port).toBe(port);
  });

  it('resets open connections when refusing with resetOpen', async () => {
    await startProxy();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      await send(proxy.port, { path: '/warm-up', agent });
      expect(proxy.stats.connectionsOpen).toBe(1);

      await proxy.refuse({ resetOpen: true });

      expect(proxy.stats.connectionsOpen).toBe(0);
      expect(await errorCodeOf(send(proxy.port, { path: '/x', agent }))).toMatch(/ECONNRESET|ECONNREFUSED/);
    } finally {
      agent.destroy();
    }
  });

  it('black-holes new connections', async () => {
    await startProxy();
    proxy.blackHole();

    const started = Date.now();
    const code = await errorCodeOf(send(proxy.port, { method: 'POST', path: '/commit', body: 'x', timeoutMs: 300 }));

    expect(code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(upstream.seen).toEqual([]);

    await proxy.heal();
    expect((await send(proxy.port, { path: '/x' })).status).toBe(200);
  });

  it('stalls an open stream without FIN or RST', async () => {
    await startProxy();
    const events: string[] = [];
    let closed = false;
    const stream = httpRequest({ host: '127.0.0.1', port: proxy.port, path: '/stream', agent: false });
    stream.on('response', (response) => {
      response.setEncoding('utf8');
      response.on('data', (text: string) => events.push(text));
      response.on('close', () => (closed = true));
    });
    stream.on('error', () => (closed = true));
    stream.end();
    await delay(150);
    expect(events.length).toBeGreaterThan(0);

    const stalled = proxy.stallOpen({ method: 'GET', path: '/stream' });
    await delay(50);
    const countAfterStall = events.length;
    const other = await send(proxy.port, { path: '/other' });
    await delay(200);

    expect(stalled).toBe(1);
    expect(events.length).toBe(countAfterStall);
    expect(closed).toBe(false);
    expect(other.status).toBe(200);
    stream.destroy();
  });

  it('stalls new requests of a path while others pass', async () => {
    await startProxy();
    proxy.addRule({ match: { path: '/stream' }, action: { kind: 'stall' } });

    const code = await errorCodeOf(send(proxy.port, { path: '/stream', timeoutMs: 200 }));
    const other = await send(proxy.port, { path: '/other' });

    expect(code).toBe('TIMEOUT');
    expect(other.status).toBe(200);
    expect(upstream.seen.map((seen) => seen.url)).toEqual(['/other']);
  });

  it('delays the response of a matching request', async () => {
    await startProxy();
    proxy.addRule({ match: { path: '/commit' }, action: { kind: 'delay-response', ms: 300 } });

    let started = Date.now();
    const delayed = await send(proxy.port, { method: 'POST', path: '/commit', body: 'x' });
    const delayedMs = Date.now() - started;
    // The server committed before the client got the reply.
    const commitsWhenReplied = upstream.commits;
    started = Date.now();
    await send(proxy.port, { path: '/other' });
    const otherMs = Date.now() - started;

    expect(delayed.status).toBe(200);
    expect(commitsWhenReplied).toBe(1);
    expect(delayedMs).toBeGreaterThanOrEqual(290);
    expect(otherMs).toBeLessThan(200);
  });

  it('adds latency to every chunk in both directions', async () => {
    await startProxy();
    proxy.latencyMs = 100;

    const started = Date.now();
    const answer = await send(proxy.port, { path: '/x' });

    expect(answer.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('resets a request after a number of its bytes', async () => {
    await startProxy();
    const body = 'y'.repeat(2_000);
    proxy.addRule({ match: { path: '/commit' }, action: { kind: 'reset-request', afterBytes: 150 } });

    const code = await errorCodeOf(send(proxy.port, { method: 'POST', path: '/commit', body }));
    await delay(50);

    expect(code).toBe('ECONNRESET');
    expect([...upstream.bytesByConnection.values()].at(-1)).toBe(150);
    expect(upstream.commits).toBe(0);
    expect(upstream.seen.at(-1)?.completed).toBe(false);
  });

  it('resets right after forwarding a whole request', async () => {
    await startProxy();
    proxy.addRule({ match: { path: '/commit' }, action: { kind: 'reset-after-request', afterMs: 100 } });

    const code = await errorCodeOf(send(proxy.port, { method: 'POST', path: '/commit', body: 'z'.repeat(500) }));

    expect(code).toBe('ECONNRESET');
    // This server responds at once, so it committed within the 100 ms before the reset.
    expect(upstream.commits).toBe(1);
  });

  it('cuts the response after the server committed', async () => {
    await startProxy();
    const rule = proxy.addRule({ match: { method: 'POST', path: '/commit' }, action: { kind: 'cut-response' }, times: 1 });

    const code = await errorCodeOf(send(proxy.port, { method: 'POST', path: '/commit', body: 'once' }));
    const retry = await send(proxy.port, { method: 'POST', path: '/commit', body: 'once' });

    expect(code).toBe('ECONNRESET');
    expect(rule.hits).toBe(1);
    expect(upstream.commits).toBe(2);
    expect(retry.status).toBe(200);
  });

  it('resets the client when the server is down', async () => {
    const closed = await startUpstream();
    const port = closed.port;
    await new Promise((resolve) => closed.server.close(resolve));
    proxy = await FaultProxy.start({ targetPort: port });

    expect(await errorCodeOf(send(proxy.port, { path: '/x' }))).toMatch(/ECONNRESET|socket hang up/);
  });
});
