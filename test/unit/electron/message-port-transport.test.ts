import { MessageChannel } from 'node:worker_threads';

import { describe, expect, it } from 'vitest';

import type { PortLike } from '../../../preload/api/message-port-transport.js';
import { MessagePortTransport } from '../../../preload/api/message-port-transport.js';

/** Node's MessagePort has the DOM port's addEventListener at run time; its types differ. */
const asPort = (port: unknown) => port as PortLike;

describe('MessagePort transport', () => {
  it('waits for a port before sending a call', async () => {
    const transport = new MessagePortTransport({ connectTimeoutMs: 5_000 });
    const pending = transport.invoke('sync:status', {});
    const { port1, port2 } = new MessageChannel();
    port2.on('message', (message: { id: number }) => port2.postMessage({ type: 'result', id: message.id, result: { ok: true, value: 'late but fine' } }));

    transport.usePort(asPort(port1));

    await expect(pending).resolves.toEqual({ ok: true, value: 'late but fine' });
    port1.close();
    port2.close();
  });

  it('fails a call as unavailable when no port arrives in time', async () => {
    const transport = new MessagePortTransport({ connectTimeoutMs: 20 });

    const result = await transport.invoke('sync:status', {});

    expect(result).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('fails calls in flight when the core restarts', async () => {
    const transport = new MessagePortTransport();
    const first = new MessageChannel();
    transport.usePort(asPort(first.port1));
    const pending = transport.invoke('ward:listPatients', {});

    const second = new MessageChannel();
    transport.usePort(asPort(second.port1));

    await expect(pending).resolves.toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringContaining('restarted') } });
    first.port2.close();
    second.port1.close();
    second.port2.close();
  });

  it('delivers events to their subscribers only', async () => {
    const transport = new MessagePortTransport();
    const { port1, port2 } = new MessageChannel();
    transport.usePort(asPort(port1));
    const received: unknown[] = [];
    const unsubscribe = transport.subscribe('sync:statusChanged', (payload) => received.push(payload));
    transport.subscribe('replica:changed', () => received.push('wrong channel'));

    const delivered = new Promise((resolve) => port1.once('message', resolve));
    port2.postMessage({ type: 'event', channel: 'sync:statusChanged', payload: { state: 'offline' } });
    await delivered;
    unsubscribe();

    expect(received).toEqual([{ state: 'offline' }]);
    port1.close();
    port2.close();
  });
});
