import { useEffect, useState } from 'react';

import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';

/** Milliseconds between two health checks of the central server while the sign-in screen is open. */
const CHECK_INTERVAL_MS = 15_000;

/**
 * Returns whether the central server passed its last health check (`session.serverReachable`),
 * or null before the first result. The check repeats while the screen is open, so the sign-in
 * screen shows the server's state before anyone tries to sign in.
 */
export function useServerReachable(): boolean | null {
  const api = useApi();
  const [reachable, setReachable] = useState<boolean | null>(null);

  useEffect(() => {
    let active = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = async () => {
      try {
        const result = await api.session.serverReachable({});
        if (active) setReachable(result.reachable);
      } catch (error) {
        console.warn(`sign-in: checking the central server failed (${toApiError(error).code})`);
      }
      if (active) timer = setTimeout(() => void check(), CHECK_INTERVAL_MS);
    };
    void check();
    return () => {
      active = false;
      clearTimeout(timer);
    };
  }, [api]);

  return reachable;
}
