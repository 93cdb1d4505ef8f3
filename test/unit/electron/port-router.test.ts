import { EventEmitter } from 'node:events';

import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';

import { CorePortRouter } from '../../../main/electron/core-process/port-router.js';
import { CoreEvents } from '../../../main/core/events.js';
import type { ApiGateway } from '../../../main/core/gateway.js';

/** A stand-in for Electron's MessagePortMain that records what the core sends. */
class FakePort extends EventEmitter {
  readonly sent: unknown[] = [];
  started = false;
  postMessage(message: unknown): void {
    this.sent.push(message);
  }
  start(): void {
    this.started = true;
  }
  close(): void {
    this.emit('close');
  }
  deliver(data: unknown): void {
    this.emit('message', { data });
  }
}

function routerWithSpyGateway() {
  const handle = vi.fn(async (channel: string) => ({ ok: true as const, value: { echoed: channel } }));
  const events = new CoreEvents();
  const router = new CorePortRouter({ handle } as unknown as ApiGateway, events, pino({ level: 'silent' }));
  return { router, handle, events };
}

const call = { type: 'call', id: 1, channel: 'sync:status', input: {} };

describe('core port router', () => {
  it('serves a port main handed over for a window', async () => {
    const { router, handle } = routerWithSpyGateway();
    const port = new FakePort();

    expect(router.acceptParentMessage({ data: { type: 'connect-window', windowId: 3 }, ports: [port] })).toBe(true);
    await router.handlePortMessage(port, call);

    expect(port.started).toBe(true);
    expect(handle).toHaveBeenCalledWith('sync:status', {}, { senderId: 'window-3' });
    expect(port.sent).toEqual([{ type: 'result', id: 1, result: { ok: true, value: { echoed: 'sync:status' } } }]);
  });

  it('refuses a message on a port main did not hand out', async () => {
    const { router, handle } = routerWithSpyGateway();
    const stranger = new FakePort();

    await router.handlePortMessage(stranger, call);

    expect(handle).not.toHaveBeenCalled();
    expect(stranger.sent).toEqual([]);
  });

  it('ignores parent messages that are not a window connection', () => {
    const { router } = routerWithSpyGateway();

    expect(router.acceptParentMessage({ data: { type: 'connect-window', windowId: 1 }, ports: [] })).toBe(false);
    expect(router.acceptParentMessage({ data: { type: 'shell', command: 'rm' }, ports: [new FakePort()] })).toBe(false);
    expect(router.connectedWindows).toBe(0);
  });

  it('drops malformed calls without reaching the gateway', async () => {
    const { router, handle } = routerWithSpyGateway();
    const port = new FakePort();
    router.acceptParentMessage({ data: { type: 'connect-window', windowId: 1 }, ports: [port] });

    await router.handlePortMessage(port, { type: 'call', id: 'x', channel: 5 });

    expect(handle).not.toHaveBeenCalled();
  });

  it('stops serving a port once it closes', async () => {
    const { router, handle } = routerWithSpyGateway();
    const port = new FakePort();
    router.acceptParentMessage({ data: { type: 'connect-window', windowId: 1 }, ports: [port] });

    port.close();
    await router.handlePortMessage(port, call);

    expect(handle).not.toHaveBeenCalled();
    expect(router.connectedWindows).toBe(0);
  });

  it('pushes core events to every connected window', () => {
    const { router, events } = routerWithSpyGateway();
    const first = new FakePort();
    const second = new FakePort();
    router.acceptParentMessage({ data: { type: 'connect-window', windowId: 1 }, ports: [first] });
    router.acceptParentMessage({ data: { type: 'connect-window', windowId: 2 }, ports: [second] });

    events.emit('replicaChanged', { resourceTypes: ['Observation'] });

    const expected = { type: 'event', channel: 'replica:changed', payload: { resourceTypes: ['Observation'] } };
    expect(first.sent).toEqual([expected]);
    expect(second.sent).toEqual([expected]);
  });
});
