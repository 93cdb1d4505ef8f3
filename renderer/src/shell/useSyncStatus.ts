import { useEffect, useState } from 'react';

import type { SyncStatus } from '../../../preload/api/index.js';
import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { useConnectionRestored } from '../host/ConnectionContext.js';

/**
 * Returns the replica's sync status, read with `sync.status` and then kept current by the
 * `onSyncStatus` event. An event that arrives before the read wins over that read. The status is
 * read again when the connection to the workstation comes back, because events sent while it was
 * down are lost.
 */
export function useSyncStatus(): SyncStatus | null {
  const api = useApi();
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [reads, setReads] = useState(0);
  useConnectionRestored(() => setReads((count) => count + 1));

  useEffect(() => {
    let eventSeen = false;
    let active = true;
    const unsubscribe = api.events.onSyncStatus((next) => {
      eventSeen = true;
      setStatus(next);
    });

    api.sync.status({}).then(
      (initial) => {
        if (active && !eventSeen) setStatus(initial);
      },
      (error: unknown) => console.warn(`sync indicator: reading the sync status failed (${toApiError(error).code})`),
    );

    return () => {
      active = false;
      unsubscribe();
    };
  }, [api, reads]);

  return status;
}
