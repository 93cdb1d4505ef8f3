import { useEffect, useRef } from 'react';

import type { LabChanged } from '../../../preload/api/lab-schemas.js';
import { useApi } from '../api/ApiContext.js';
import { useConnectionRestored } from '../host/ConnectionContext.js';

/**
 * Calls `onChanged` for each `lab:changed` event, and with null when the connection to the
 * workstation comes back, because events sent while it was down are lost.
 */
export function useLabChanged(onChanged: (change: LabChanged | null) => void): void {
  const api = useApi();
  const callback = useRef(onChanged);

  useEffect(() => {
    callback.current = onChanged;
  });

  useEffect(() => api.events.onLabChanged((change) => callback.current(change)), [api]);
  useConnectionRestored(() => callback.current(null));
}
