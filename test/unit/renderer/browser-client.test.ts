import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { HmsApiError } from '../../../preload/api/index.js';
import type { BrowserEnvironment } from '../../../renderer/src/host/browser-client.js';
import { startBrowserClient } from '../../../renderer/src/host/browser-client.js';
import { TOKEN_STORAGE_KEY } from '../../../renderer/src/host/token.js';
import { FakeWebSocket } from './fake-websocket.js';

const TOKEN = '0123456789abcdef0123456789abcdef';

function createEnvironment(hash: string, stored: Record<string, string> = {}) {
  const storage = new Map(Object.entries(stored));
  const replaceState = vi.fn();
  const environment: BrowserEnvironment = {
    location: { hash, pathname: '/', search: '', host: '127.0.0.1:4310' },
    sessionStorage: { getItem: (key) => storage.get(key) ?? null, setItem: (key, value) => void storage.set(key, value) },
    history: { replaceState },
    WebSocket: FakeWebSocket,
  };
  return { environment, storage, replaceState };
}

function connect(options: Parameters<typeof startBrowserClient>[1] = {}) {
  const { environment } = createEnvironment(`#token=${TOKEN}`);
  const client = startBrowserClient(environment, options);
  if (client.kind !== 'connected') throw new Error('expected a connected client');
  const socket = FakeWebSocket.latest();
  socket.open();
  return { api: client.api, transport: client.transport, socket };
}

beforeEach(() => {
  FakeWebSocket.instances = [];
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  vi.spyOn(console, 'info').mockImplementation(() => undefined);
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('browser client token', () => {
  it('reads the token from the fragment', () => {
    const { environment, storage } = createEnvironment(`#token=${TOKEN}`);
    const client = startBrowserClient(environment);

    expect(client.kind).toBe('connected');
    expect(storage.get(TOKEN_STORAGE_KEY)).toBe(TOKEN);
  });

  it('removes the fragment from the address bar', () => {
    const { environment, replaceState } = createEnvironment(`#token=${TOKEN}`);
    startBrowserClient(environment);

    expect(replaceState).toHaveBeenCalledWith(null, '', '/');
  });

  it('uses the stored token after a reload', () => {
    const { environment } = createEnvironment('', { [TOKEN_STORAGE_KEY]: TOKEN });
    const client = startBrowserClient(environment);

    expect(client.kind).toBe('connected');
    expect(FakeWebSocket.latest().protocols).toContain(`hms-token.${TOKEN}`);
  });

  it('reports a missing token', () => {
    const { environment } = createEnvironment('');

    expect(startBrowserClient(environment).kind).toBe('missing-token');
    expect(FakeWebSocket.instances).toHaveLength(0);
  });

  it('rejects a token that is not hexadecimal', () => {
    const { environment } = createEnvironment('#token=not-hex!');

    expect(startBrowserClient(environment).kind).toBe('missing-token');
  });
});

describe('browser client connection', () => {
  it('sends the protocol and token as subprotocols', () => {
    const { socket } = connect();

    expect(socket.url).toBe('ws://127.0.0.1:4310/api');
    expect(socket.protocols).toEqual(['hms.v1', `hms-token.${TOKEN}`]);
  });

  it('sends calls with increasing ids', async () => {
    const { api, socket } = connect();
    void api.session.current({});
    void api.sync.status({});
    await Promise.resolve();

    expect(socket.sent).toEqual([
      { type: 'call', id: 1, channel: 'session:current', input: {} },
      { type: 'call', id: 2, channel: 'sync:status', input: {} },
    ]);
  });

  it('resolves each call with the result of its id', async () => {
    const { api, socket } = connect();
    const first = api.patient.getChart({ patientId: 'pat-1' });
    const second = api.patient.getChart({ patientId: 'pat-2' });

    socket.receive({ type: 'result', id: 2, result: { ok: true, value: { name: 'second' } } });
    socket.receive({ type: 'result', id: 1, result: { ok: true, value: { name: 'first' } } });

    await expect(first).resolves.toEqual({ name: 'first' });
    await expect(second).resolves.toEqual({ name: 'second' });
  });

  it('rejects with HmsApiError on an error result', async () => {
    const { api, socket } = connect();
    const call = api.vitals.record({ patientId: 'pat-1', observations: { pulse: 999 } });
    const issues = [{ path: 'observations.pulse', message: 'Too big' }];
    socket.receive({ type: 'result', id: 1, result: { ok: false, error: { code: 'invalid-input', message: 'Invalid input', issues } } });

    const error = await call.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HmsApiError);
    expect((error as HmsApiError).code).toBe('invalid-input');
    expect((error as HmsApiError).issues).toEqual(issues);
  });

  it('maps an unknown error code to internal', async () => {
    const { api, socket } = connect();
    const call = api.sync.status({});
    socket.receive({ type: 'result', id: 1, result: { ok: false, error: { code: 'teapot', message: 'Odd' } } });

    await expect(call).rejects.toMatchObject({ code: 'internal', message: 'Odd' });
  });

  it('ignores a malformed frame with a warning', async () => {
    const { api, socket } = connect();
    const call = api.sync.status({});
    socket.receive('not json');
    socket.receive({ type: 'result', id: 'one' });
    socket.receive({ type: 'result', id: 1, result: { ok: true, value: 'ok' } });

    await expect(call).resolves.toBe('ok');
    expect(console.warn).toHaveBeenCalledTimes(2);
  });
});

describe('browser client events', () => {
  const status = {
    state: 'offline',
    pendingChanges: 2,
    oldestPendingAt: '2026-12-04T09:40:00.000Z',
    rejectedChanges: 0,
    openConflicts: 0,
    liveUpdates: { flowing: false, interruptedSince: '2026-12-04T09:41:00.000Z' },
    initialSync: null,
    lastSuccessfulSyncAt: null,
    lastError: null,
  };

  it('dispatches events to subscribers', () => {
    const { api, socket } = connect();
    const listener = vi.fn();
    api.events.onSyncStatus(listener);

    socket.receive({ type: 'event', channel: 'sync:statusChanged', payload: status });

    expect(listener).toHaveBeenCalledWith(status);
  });

  it('stops after unsubscribe', () => {
    const { api, socket } = connect();
    const listener = vi.fn();
    const unsubscribe = api.events.onSyncStatus(listener);
    unsubscribe();

    socket.receive({ type: 'event', channel: 'sync:statusChanged', payload: status });

    expect(listener).not.toHaveBeenCalled();
  });

  it('drops an event whose payload does not match the contract', () => {
    const { api, socket } = connect();
    const listener = vi.fn();
    api.events.onSyncStatus(listener);

    socket.receive({ type: 'event', channel: 'sync:statusChanged', payload: { state: 'sideways' } });

    expect(listener).not.toHaveBeenCalled();
    expect(console.warn).toHaveBeenCalled();
  });

  it('keeps dispatching when a listener throws', () => {
    const { api, socket } = connect();
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const second = vi.fn();
    api.events.onReplicaChanged(() => {
      throw new Error('listener failed');
    });
    api.events.onReplicaChanged(second);

    socket.receive({ type: 'event', channel: 'replica:changed', payload: { resourceTypes: ['Observation'] } });

    expect(second).toHaveBeenCalledOnce();
  });
});

describe('browser client disconnects', () => {
  it('rejects pending calls with unavailable on close', async () => {
    const { api, socket } = connect();
    const call = api.ward.listPatients({});

    socket.serverClose();

    await expect(call).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('reconnects with doubling backoff', () => {
    vi.useFakeTimers();
    connect({ initialReconnectDelayMs: 100, maxReconnectDelayMs: 1000 });

    FakeWebSocket.latest().serverClose();
    vi.advanceTimersByTime(99);
    expect(FakeWebSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeWebSocket.instances).toHaveLength(2);

    FakeWebSocket.latest().serverClose();
    vi.advanceTimersByTime(199);
    expect(FakeWebSocket.instances).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeWebSocket.instances).toHaveLength(3);
    expect(FakeWebSocket.latest().protocols).toEqual(['hms.v1', `hms-token.${TOKEN}`]);
  });

  it('resets the backoff after a successful connection', () => {
    vi.useFakeTimers();
    connect({ initialReconnectDelayMs: 100 });

    FakeWebSocket.latest().serverClose();
    vi.advanceTimersByTime(100);
    FakeWebSocket.latest().open();
    FakeWebSocket.latest().serverClose();
    vi.advanceTimersByTime(100);

    expect(FakeWebSocket.instances).toHaveLength(3);
  });

  it('sends a call made while disconnected after reconnecting', async () => {
    vi.useFakeTimers();
    const { api, socket } = connect({ initialReconnectDelayMs: 100 });
    socket.serverClose();

    const call = api.sync.status({});
    vi.advanceTimersByTime(100);
    const next = FakeWebSocket.latest();
    next.open();
    expect(next.sent).toEqual([{ type: 'call', id: 1, channel: 'sync:status', input: {} }]);

    next.receive({ type: 'result', id: 1, result: { ok: true, value: 'fine' } });
    await expect(call).resolves.toBe('fine');
  });

  it('fails a waiting call after the connect timeout', async () => {
    vi.useFakeTimers();
    const { api, socket } = connect({ initialReconnectDelayMs: 10_000, connectTimeoutMs: 500 });
    socket.serverClose();

    const call = api.sync.status({});
    const outcome = expect(call).rejects.toMatchObject({ code: 'unavailable' });
    vi.advanceTimersByTime(500);

    await outcome;
  });

  it('fails a call whose result never arrives', async () => {
    vi.useFakeTimers();
    const { api } = connect({ resultTimeoutMs: 1000 });

    const call = api.sync.status({});
    const outcome = expect(call).rejects.toMatchObject({ code: 'unavailable' });
    await vi.advanceTimersByTimeAsync(1000);

    await outcome;
  });

  it('does not reconnect after close()', () => {
    vi.useFakeTimers();
    const { transport } = connect({ initialReconnectDelayMs: 100 });

    transport.close();
    vi.advanceTimersByTime(10_000);

    expect(FakeWebSocket.instances).toHaveLength(1);
  });
});
