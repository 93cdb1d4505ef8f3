import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { ConnectionFacts } from '../../../renderer/src/host/connection.js';
import {
  ABNORMAL_CLOSURE,
  ConnectionTracker,
  REJECTIONS_BEFORE_STALE_ADDRESS,
  connectionStateOf,
  initialConnectionFacts,
  recordClose,
  recordOpen,
} from '../../../renderer/src/host/connection.js';
import { startBrowserClient } from '../../../renderer/src/host/browser-client.js';
import { FakeWebSocket } from './fake-websocket.js';

const TOKEN = 'feedface';

function rejectedTimes(count: number, facts: ConnectionFacts = initialConnectionFacts): ConnectionFacts {
  let next = facts;
  for (let index = 0; index < count; index++) next = recordClose(next, { code: ABNORMAL_CLOSURE, opened: false });
  return next;
}

describe('connection state', () => {
  it('starts as connecting', () => {
    expect(connectionStateOf(initialConnectionFacts)).toBe('connecting');
  });

  it('stays connecting below the limit', () => {
    expect(connectionStateOf(rejectedTimes(REJECTIONS_BEFORE_STALE_ADDRESS - 1))).toBe('connecting');
  });

  it('blames the address after repeated rejections', () => {
    expect(connectionStateOf(rejectedTimes(REJECTIONS_BEFORE_STALE_ADDRESS))).toBe('stale-address');
  });

  it('never blames the address after an open', () => {
    const dropped = recordClose(recordOpen(), { code: ABNORMAL_CLOSURE, opened: true });
    expect(connectionStateOf(rejectedTimes(10, dropped))).toBe('disconnected');
  });

  it('counts only 1006 before open', () => {
    const facts = recordClose(rejectedTimes(REJECTIONS_BEFORE_STALE_ADDRESS - 1), { code: 1011, opened: false });
    expect(facts.rejectionsInRow).toBe(0);
    expect(connectionStateOf(rejectedTimes(REJECTIONS_BEFORE_STALE_ADDRESS - 1, facts))).toBe('connecting');
  });

  it('is connected while open', () => {
    expect(connectionStateOf(recordOpen())).toBe('connected');
  });
});

describe('ConnectionTracker', () => {
  beforeEach(() => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('notifies only when the state changes', () => {
    const tracker = new ConnectionTracker();
    const listener = vi.fn();
    tracker.subscribe(listener);

    tracker.closed(ABNORMAL_CLOSURE, false);
    expect(listener).not.toHaveBeenCalled();
    tracker.opened();
    expect(listener).toHaveBeenCalledOnce();
    expect(tracker.getState()).toBe('connected');
  });

  it('stops notifying after unsubscribe', () => {
    const tracker = new ConnectionTracker();
    const listener = vi.fn();
    tracker.subscribe(listener)();

    tracker.opened();
    expect(listener).not.toHaveBeenCalled();
  });
});

describe('browser client connection state', () => {
  beforeEach(() => {
    FakeWebSocket.instances = [];
    vi.useFakeTimers();
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.spyOn(console, 'info').mockImplementation(() => undefined);
  });

  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  function start() {
    const client = startBrowserClient(
      {
        location: { hash: `#token=${TOKEN}`, pathname: '/', search: '', host: '127.0.0.1:4310' },
        sessionStorage: { getItem: () => null, setItem: () => undefined },
        history: { replaceState: () => undefined },
        WebSocket: FakeWebSocket,
      },
      { initialReconnectDelayMs: 100 },
    );
    if (client.kind !== 'connected') throw new Error('expected a connected client');
    return client.transport.connection;
  }

  function rejectLatest(): void {
    FakeWebSocket.latest().rejectHandshake();
    vi.runOnlyPendingTimers();
  }

  it('reports a stale address', () => {
    const connection = start();
    for (let rejection = 1; rejection < REJECTIONS_BEFORE_STALE_ADDRESS; rejection++) rejectLatest();
    expect(connection.getState()).toBe('connecting');

    rejectLatest();
    expect(connection.getState()).toBe('stale-address');
  });

  it('reports a dropped connection as disconnected, not stale', () => {
    const connection = start();
    FakeWebSocket.latest().open();
    expect(connection.getState()).toBe('connected');

    FakeWebSocket.latest().serverClose();
    for (let rejection = 0; rejection < REJECTIONS_BEFORE_STALE_ADDRESS + 1; rejection++) rejectLatest();
    expect(connection.getState()).toBe('disconnected');
  });

  it('recovers from a stale address when a handshake succeeds', () => {
    const connection = start();
    for (let rejection = 0; rejection < REJECTIONS_BEFORE_STALE_ADDRESS; rejection++) rejectLatest();

    FakeWebSocket.latest().open();
    expect(connection.getState()).toBe('connected');
  });

  it('keeps reconnecting after a stale address', () => {
    start();
    for (let rejection = 0; rejection < REJECTIONS_BEFORE_STALE_ADDRESS; rejection++) rejectLatest();

    expect(FakeWebSocket.instances).toHaveLength(REJECTIONS_BEFORE_STALE_ADDRESS + 1);
  });
});
