/**
 * The browser host's per-launch token. The host prints an address ending in `#token=<hex>`. The
 * fragment never reaches a server, and the client removes it from the address bar at once, so it
 * is not left on screen or in the history. A copy in sessionStorage lets a reload of the same tab
 * reconnect without the fragment.
 */

export const TOKEN_STORAGE_KEY = 'hms.browserHost.token';

const tokenPattern = /^[0-9a-f]{1,512}$/i;

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface LocationLike {
  readonly hash: string;
  readonly pathname: string;
  readonly search: string;
  readonly host: string;
}

export interface HistoryLike {
  replaceState(data: unknown, unused: string, url?: string): void;
}

/** Reads the token from the fragment (and stores it) or else from sessionStorage; null when neither has a valid one. */
export function takeToken(location: LocationLike, storage: StorageLike, history: HistoryLike): string | null {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromFragment = fragment.get('token');

  if (fromFragment !== null) {
    history.replaceState(null, '', `${location.pathname}${location.search}`);
    if (tokenPattern.test(fromFragment)) {
      storage.setItem(TOKEN_STORAGE_KEY, fromFragment);
      return fromFragment;
    }
    console.warn('browser client: the token in the address is not hexadecimal; ignoring it');
  }

  const stored = storage.getItem(TOKEN_STORAGE_KEY);
  return stored !== null && tokenPattern.test(stored) ? stored : null;
}
