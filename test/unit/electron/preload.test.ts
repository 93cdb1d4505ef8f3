import { MessageChannel } from 'node:worker_threads';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { calls, events } from '../../../preload/api/contract.js';
import { CORE_PORT_CHANNEL } from '../../../preload/api/message-port-transport.js';

const bridge = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  portListeners: [] as ((event: { ports: unknown[] }) => void)[],
  ipcChannels: [] as string[],
}));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => bridge.exposed.set(key, value) },
  ipcRenderer: {
    on: (channel: string, listener: (event: { ports: unknown[] }) => void) => {
      bridge.ipcChannels.push(channel);
      bridge.portListeners.push(listener);
    },
  },
}));

await import('../../../preload/electron-preload.js');

type Api = Record<string, Record<string, (...args: unknown[]) => unknown>>;
const api = bridge.exposed.get('hms') as Api;

/** Plays the core on the other end of a port: answers each call with `reply(channel, input)`. */
function connectFakeCore(reply: (channel: string, input: unknown) => unknown) {
  const { port1, port2 } = new MessageChannel();
  port2.on('message', (message: { id: number; channel: string; input: unknown }) => {
    port2.postMessage({ type: 'result', id: message.id, result: reply(message.channel, message.input) });
  });
  for (const listener of bridge.portListeners) listener({ ports: [port1] });
  return { port1, port2 };
}

describe('Electron preload', () => {
  const open: { port1: { close(): void }; port2: { close(): void } }[] = [];

  afterEach(() => {
    for (const ports of open.splice(0)) {
      ports.port1.close();
      ports.port2.close();
    }
  });

  it('exposes only window.hms', () => {
    expect([...bridge.exposed.keys()]).toEqual(['hms']);
    expect(bridge.ipcChannels).toEqual([CORE_PORT_CHANNEL]);
  });

  it('exposes exactly the contract\'s calls and events as named functions', () => {
    const expectedAreas = [...Object.keys(calls), 'events'].sort();
    expect(Object.keys(api).sort()).toEqual(expectedAreas);
    for (const [area, areaCalls] of Object.entries(calls)) {
      expect(Object.keys(api[area] ?? {}).sort()).toEqual(Object.keys(areaCalls).sort());
      for (const verb of Object.keys(areaCalls)) expect(typeof api[area]?.[verb]).toBe('function');
    }
    const expectedEvents = Object.keys(events).map((name) => `on${name[0]?.toUpperCase()}${name.slice(1)}`).sort();
    expect(Object.keys(api.events ?? {}).sort()).toEqual(expectedEvents);
  });

  it('has no generic send or invoke', () => {
    const names = Object.values(api).flatMap((area) => Object.keys(area));

    for (const generic of ['send', 'invoke', 'sendSync', 'postMessage', 'on', 'ipcRenderer']) expect(names).not.toContain(generic);
  });

  it('carries calls to the core over the port main sends', async () => {
    open.push(connectFakeCore((channel) => ({ ok: true, value: { state: 'online', channel } })));

    await expect(api.sync?.status?.({})).resolves.toEqual({ state: 'online', channel: 'sync:status' });
  });

  it('rejects a failed call with a plain object that keeps code and issues', async () => {
    const body = { code: 'invalid-input', message: 'Invalid input', issues: [{ path: 'observations.pulse', message: 'Pulse must be a whole number' }] };
    open.push(connectFakeCore(() => ({ ok: false, error: body })));

    const rejection = await (api.vitals?.record?.({ patientId: 'p-1', observations: { pulse: 72.5 } }) as Promise<unknown>).catch((error: unknown) => error);

    expect(rejection).toEqual(body);
    expect(rejection).not.toBeInstanceOf(Error);
  });
});
