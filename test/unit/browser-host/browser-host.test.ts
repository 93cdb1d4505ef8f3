import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

import type { BrowserHost } from '../../../main/browser-host/browser-host.js';
import { startBrowserHost } from '../../../main/browser-host/browser-host.js';
import { CoreEvents } from '../../../main/core/events.js';
import type { ApiGateway } from '../../../main/core/gateway.js';
import { TOKEN_PROTOCOL_PREFIX, WEBSOCKET_PATH, WEBSOCKET_PROTOCOL } from '../../../preload/api/websocket-transport.js';

const TOKEN = 'a'.repeat(64);

/** A gateway stand-in that echoes the channel, so a test sees whether a call got through. */
const echoGateway = {
  handle: async (channel: string) => ({ ok: true as const, value: { echoed: channel } }),
} as unknown as ApiGateway;

interface HandshakeOutcome {
  opened: boolean;
  status?: number;
  socket?: WebSocket;
}

function connect(host: BrowserHost, options: { origin?: string; protocols?: string[]; path?: string } = {}): Promise<HandshakeOutcome> {
  const protocols = options.protocols ?? [WEBSOCKET_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${TOKEN}`];
  const socket = new WebSocket(`ws://127.0.0.1:${host.port}${options.path ?? WEBSOCKET_PATH}`, protocols, {
    origin: options.origin ?? host.origin,
  });
  return new Promise((resolve) => {
    socket.once('open', () => resolve({ opened: true, socket }));
    socket.once('unexpected-response', (_request, response) => resolve({ opened: false, status: response.statusCode ?? 0 }));
    socket.once('error', () => resolve({ opened: false }));
  });
}

function nextMessage(socket: WebSocket): Promise<unknown> {
  return new Promise((resolve) => socket.once('message', (data) => resolve(JSON.parse(data.toString()))));
}

describe('browser host', () => {
  let host: BrowserHost;
  let rendererDirectory: string;
  const events = new CoreEvents();

  beforeAll(async () => {
    rendererDirectory = mkdtempSync(join(tmpdir(), 'hms-renderer-'));
    writeFileSync(join(rendererDirectory, 'index.html'), '<!doctype html><title>HMS</title>');
    writeFileSync(join(rendererDirectory, 'index.worker.min.worker.js'), 'self.onmessage = () => {}');
    host = await startBrowserHost({ gateway: echoGateway, events, logger: pino({ level: 'silent' }), rendererDirectory, token: TOKEN });
  });

  afterAll(async () => {
    await host.close();
    rmSync(rendererDirectory, { recursive: true, force: true });
  });

  it('prints a loopback URL with the token in the fragment', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#token=${TOKEN}`);
  });

  it('generates a different 256-bit token per launch', async () => {
    const other = await startBrowserHost({ gateway: echoGateway, events, logger: pino({ level: 'silent' }), rendererDirectory });
    await other.close();

    expect(other.token).toMatch(/^[0-9a-f]{64}$/);
    expect(other.token).not.toBe(TOKEN);
  });

  it('serves the renderer with a strict content security policy', async () => {
    const response = await fetch(`http://127.0.0.1:${host.port}/`);

    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>HMS</title>');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain(`connect-src 'self' ws://127.0.0.1:${host.port}`);
  });

  it('serves the codec worker under its own policy', async () => {
    const response = await fetch(`http://127.0.0.1:${host.port}/index.worker.min.worker.js`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'; connect-src 'self'");
  });

  it('keeps eval and blob workers out of the page policy', async () => {
    const policy = (await fetch(`http://127.0.0.1:${host.port}/`)).headers.get('content-security-policy') ?? '';

    expect(policy).toContain("worker-src 'self'");
    expect(policy).not.toContain('unsafe-eval');
    expect(policy).not.toContain('blob:');
  });

  it('refuses files outside the renderer folder', async () => {
    const response = await fetch(`http://127.0.0.1:${host.port}/..%2f..%2f..%2fetc%2fpasswd`);

    expect(response.status).toBe(403);
  });

  it('survives a malformed percent-encoding in the path', async () => {
    const malformed = await fetch(`http://127.0.0.1:${host.port}/%E0%A4%A`);
    const after = await fetch(`http://127.0.0.1:${host.port}/`);

    expect(malformed.status).toBe(403);
    expect(after.status).toBe(200);
  });

  it('accepts the right origin and token and carries calls and events', async () => {
    const outcome = await connect(host);
    expect(outcome.opened).toBe(true);
    const socket = outcome.socket as WebSocket;
    expect(socket.protocol).toBe(WEBSOCKET_PROTOCOL);

    const reply = nextMessage(socket);
    socket.send(JSON.stringify({ type: 'call', id: 7, channel: 'sync:status', input: {} }));
    expect(await reply).toEqual({ type: 'result', id: 7, result: { ok: true, value: { echoed: 'sync:status' } } });

    const pushed = nextMessage(socket);
    events.emit('replicaChanged', { resourceTypes: ['Observation'] });
    expect(await pushed).toEqual({ type: 'event', channel: 'replica:changed', payload: { resourceTypes: ['Observation'] } });
    socket.close();
  });

  it('refuses a handshake with a wrong token', async () => {
    const outcome = await connect(host, { protocols: [WEBSOCKET_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${'b'.repeat(64)}`] });

    expect(outcome).toEqual({ opened: false, status: 403 });
  });

  it('refuses a handshake without a token', async () => {
    const outcome = await connect(host, { protocols: [WEBSOCKET_PROTOCOL] });

    expect(outcome.opened).toBe(false);
    expect(outcome.status).toBe(403);
  });

  it('refuses a handshake from another origin even with the token', async () => {
    const outcome = await connect(host, { origin: 'http://other-site.example' });

    expect(outcome).toEqual({ opened: false, status: 403 });
  });

  it('refuses a handshake from a localhost origin, which is another origin', async () => {
    const outcome = await connect(host, { origin: `http://localhost:${host.port}` });

    expect(outcome).toEqual({ opened: false, status: 403 });
  });

  it('closes the connection on a malformed message', async () => {
    const outcome = await connect(host);
    const socket = outcome.socket as WebSocket;
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));

    socket.send('{"type":"call","id":"not a number"}');

    expect(await closed).toBe(1008);
  });
});
