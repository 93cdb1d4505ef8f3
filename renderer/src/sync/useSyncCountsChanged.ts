import { useEffect, useRef } from 'react';

import type { SyncStatus } from '../../../preload/api/index.js';
import { useApi } from '../api/ApiContext.js';

/**
 * Calls `onChange` whenever the number of unsent, refused or conflicting changes moves. A record's
 * sync state changes with these counts even when no document in the replica does, for example
 * when the server confirms a push.
 */
export function useSyncCountsChanged(onChange: () => void): void {
  const api = useApi();
  const onChangeRef = useRef(onChange);
  const lastCounts = useRef<string | null>(null);

  useEffect(() => {
    onChangeRef.current = onChange;
  });

  useEffect(
    () =>
      api.events.onSyncStatus((status: SyncStatus) => {
        const counts = `${status.pendingChanges}/${status.rejectedChanges}/${status.openConflicts}`;
        // The first event counts as a change: the counts may have moved since the data was loaded.
        const changed = lastCounts.current !== counts;
        lastCounts.current = counts;
        if (changed) onChangeRef.current();
      }),
    [api],
  );
}
