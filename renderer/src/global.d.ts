import type { HmsApi } from '../../preload/api/index.js';

declare global {
  interface Window {
    /** The app's API: provided by the Electron preload, or by the browser client over a WebSocket. */
    readonly hms: HmsApi;
  }
}

export {};
