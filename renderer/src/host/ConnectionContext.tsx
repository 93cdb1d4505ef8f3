import type { ReactNode } from 'react';
import { createContext, useCallback, useContext, useEffect, useRef, useSyncExternalStore } from 'react';

import type { ConnectionMonitor, ConnectionState } from './connection.js';
import { alwaysConnected } from './connection.js';

const ConnectionContext = createContext<ConnectionMonitor>(alwaysConnected);

export function ConnectionProvider({ monitor, children }: { monitor: ConnectionMonitor; children: ReactNode }) {
  return <ConnectionContext value={monitor}>{children}</ConnectionContext>;
}

/** Returns the connection monitor, for reading the state at the moment a call fails rather than at the last render. */
export function useConnectionMonitor(): ConnectionMonitor {
  return useContext(ConnectionContext);
}

/** Returns the state of the page's connection to the workstation and re-renders when it changes. */
export function useConnectionState(): ConnectionState {
  const monitor = useContext(ConnectionContext);
  const subscribe = useCallback((listener: () => void) => monitor.subscribe(listener), [monitor]);
  const getState = useCallback(() => monitor.getState(), [monitor]);
  return useSyncExternalStore(subscribe, getState);
}

/**
 * Calls `onConnected` each time the connection opens after this component saw it closed or not
 * yet open. Events sent while it was closed were lost, so screens read their data again then.
 */
export function useConnectionRestored(onConnected: () => void): void {
  const state = useConnectionState();
  const previous = useRef(state);
  const callback = useRef(onConnected);

  useEffect(() => {
    callback.current = onConnected;
  });

  useEffect(() => {
    const before = previous.current;
    previous.current = state;
    if (state === 'connected' && before !== 'connected') callback.current();
  }, [state]);
}
