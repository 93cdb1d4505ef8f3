/**
 * The state of the page's connection to the workstation, as the screens show it.
 *
 * - `connecting`: no connection has opened since the page loaded, and the handshake was not yet
 *   rejected often enough to blame the address.
 * - `connected`: calls and events flow.
 * - `disconnected`: a connection was open and dropped; the client keeps reconnecting.
 * - `stale-address`: every handshake since the page loaded was rejected. The browser host rejects a
 *   handshake whose launch token is not the current one, which happens when the page's address
 *   is from an earlier start of the workstation.
 */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'stale-address';

/** WebSocket close code for a connection that ended without a close frame (RFC 6455, 7.4.1). */
export const ABNORMAL_CLOSURE = 1006;

/**
 * Rejected handshakes in a row, with no open since the page loaded, after which the address is
 * taken to be out of date. With the client's backoff of 0.5, 1 and 2 s, that is about 1.5 s after
 * the page loaded.
 */
export const REJECTIONS_BEFORE_STALE_ADDRESS = 3;

/** Facts about the client's connections since the page loaded. */
export interface ConnectionFacts {
  open: boolean;
  everOpened: boolean;
  /** Sockets in a row that closed with code 1006 before they opened. */
  rejectionsInRow: number;
}

export const initialConnectionFacts: ConnectionFacts = { open: false, everOpened: false, rejectionsInRow: 0 };

export function recordOpen(): ConnectionFacts {
  return { open: true, everOpened: true, rejectionsInRow: 0 };
}

/**
 * Records a closed socket. The browser's WebSocket API does not expose the HTTP status of a
 * rejected handshake, so a rejection is recognised as close code 1006 on a socket that never opened.
 * A host that is not listening at all looks the same, but then the page itself could not have
 * loaded from it.
 */
export function recordClose(facts: ConnectionFacts, close: { code: number; opened: boolean }): ConnectionFacts {
  const rejected = !close.opened && close.code === ABNORMAL_CLOSURE;
  return { open: false, everOpened: facts.everOpened, rejectionsInRow: rejected ? facts.rejectionsInRow + 1 : 0 };
}

export function connectionStateOf(facts: ConnectionFacts): ConnectionState {
  if (facts.open) return 'connected';
  if (facts.everOpened) return 'disconnected';
  return facts.rejectionsInRow >= REJECTIONS_BEFORE_STALE_ADDRESS ? 'stale-address' : 'connecting';
}

/** A connection state that screens can read and follow, as `useSyncExternalStore` expects. */
export interface ConnectionMonitor {
  getState(): ConnectionState;
  /** Calls `listener` after each change of state; returns the function that unsubscribes it. */
  subscribe(listener: () => void): () => void;
}

/**
 * The connection of a host whose API does not go over the network, such as the Electron preload.
 * Its transport reports a restarting core as `unavailable` call errors instead.
 */
export const alwaysConnected: ConnectionMonitor = {
  getState: () => 'connected',
  subscribe: () => () => undefined,
};

/** Follows the sockets of one client and notifies subscribers when the connection state changes. */
export class ConnectionTracker implements ConnectionMonitor {
  #facts: ConnectionFacts = initialConnectionFacts;
  readonly #listeners = new Set<() => void>();

  getState(): ConnectionState {
    return connectionStateOf(this.#facts);
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  opened(): void {
    this.#update(recordOpen());
  }

  closed(code: number, opened: boolean): void {
    this.#update(recordClose(this.#facts, { code, opened }));
  }

  #update(next: ConnectionFacts): void {
    const before = this.getState();
    this.#facts = next;
    const after = this.getState();
    if (after === before) return;
    if (after === 'stale-address') {
      console.warn(`browser client: the workstation rejected ${next.rejectionsInRow} handshakes in a row since the page loaded; the launch token is probably from an earlier start`);
    }
    for (const listener of [...this.#listeners]) listener();
  }
}
