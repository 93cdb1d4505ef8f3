import './zod-jitless.js';

import { contextBridge, ipcRenderer } from 'electron';

import { buildHmsApi } from './api/build-api.js';
import { CORE_PORT_CHANNEL, MessagePortTransport } from './api/message-port-transport.js';

/**
 * The Electron preload, built as CommonJS because a sandboxed preload cannot load ES modules. It
 * exposes exactly the contract's calls and events as `window.hms`, as named functions, and nothing
 * else: no ipcRenderer, no generic send or invoke.
 */

const transport = new MessagePortTransport();

ipcRenderer.on(CORE_PORT_CHANNEL, (event) => {
  const [port] = event.ports;
  if (port) transport.usePort(port);
});

// contextBridge copies only the message of an Error, so failed calls reject with the plain
// { code, message, issues } body that the renderer reads.
contextBridge.exposeInMainWorld('hms', buildHmsApi(transport, { rejectWith: (body) => body }));
