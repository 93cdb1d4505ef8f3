import type { HmsApi } from '../../../preload/api/index.js';
import { startBrowserClient } from './browser-client.js';
import type { ConnectionMonitor } from './connection.js';
import { alwaysConnected } from './connection.js';
import { setInstanceUrlsToBrowserHost, setInstanceUrlsToElectron } from './imaging-url.js';

export type ApiResolution = { kind: 'ready'; api: HmsApi; connection: ConnectionMonitor } | { kind: 'missing-token' };

/**
 * Returns the API this page talks to and the state of its connection. That is `window.hms` when a
 * host has already provided it, as the Electron preload does. Otherwise it starts the WebSocket
 * client for the browser host and also exposes it as a read-only `window.hms`, so both hosts look
 * the same to the page.
 */
export function resolveApi(): ApiResolution {
  if ('hms' in window && window.hms !== undefined) {
    setInstanceUrlsToElectron();
    return { kind: 'ready', api: window.hms, connection: alwaysConnected };
  }

  const client = startBrowserClient({
    location: window.location,
    sessionStorage: window.sessionStorage,
    history: window.history,
    WebSocket: window.WebSocket,
  });
  if (client.kind === 'missing-token') return client;
  setInstanceUrlsToBrowserHost(client.token);

  Object.defineProperty(window, 'hms', { value: client.api, writable: false, configurable: false, enumerable: true });
  return { kind: 'ready', api: client.api, connection: client.transport.connection };
}
