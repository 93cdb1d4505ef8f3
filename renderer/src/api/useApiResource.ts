import { useCallback, useEffect, useRef, useState } from 'react';

import type { ApiErrorBody, HmsApi } from '../../../preload/api/index.js';
import { useSession } from '../app/SessionContext.js';
import { useConnectionRestored } from '../host/ConnectionContext.js';
import { toApiError } from './api-error.js';
import { useApi } from './ApiContext.js';

/**
 * Data loaded through the API. A failed reload keeps the last value next to the error, so a
 * screen can go on showing what it had while it shows that the refresh failed.
 */
export type Resource<T> =
  | { status: 'loading' }
  | { status: 'ready'; value: T }
  | { status: 'failed'; error: ApiErrorBody; value: T | undefined };

export interface ResourceOptions {
  /**
   * Reload whenever the core reports a change in the local replica, and when the connection to
   * the workstation comes back, since change events sent while it was down are lost.
   */
  reloadOnReplicaChange?: boolean;
}

/**
 * Loads `load(api)` now and again whenever `key` changes or `reload()` is called. Only the result
 * of the latest request is kept, so a slow response never overwrites a newer one.
 */
export function useApiResource<T>(
  key: string,
  load: (api: HmsApi) => Promise<T>,
  options: ResourceOptions = {},
): { resource: Resource<T>; reload: () => void } {
  const api = useApi();
  const { handleCallError } = useSession();
  const [resource, setResource] = useState<Resource<T>>({ status: 'loading' });
  const loadRef = useRef(load);
  const latestRequest = useRef(0);
  const lastValue = useRef<T | undefined>(undefined);

  useEffect(() => {
    loadRef.current = load;
  });

  const reload = useCallback(() => {
    const request = ++latestRequest.current;
    loadRef.current(api).then(
      (value) => {
        if (request !== latestRequest.current) return;
        lastValue.current = value;
        setResource({ status: 'ready', value });
      },
      (error: unknown) => {
        if (request !== latestRequest.current) return;
        const body = toApiError(error);
        handleCallError(body);
        setResource({ status: 'failed', error: body, value: lastValue.current });
      },
    );
  }, [api, handleCallError]);

  useEffect(() => {
    lastValue.current = undefined;
    setResource({ status: 'loading' });
    reload();
  }, [key, reload]);

  const reloadOnReplicaChange = options.reloadOnReplicaChange ?? false;
  useConnectionRestored(() => {
    if (reloadOnReplicaChange) reload();
  });
  useEffect(() => {
    if (!reloadOnReplicaChange) return undefined;
    return api.events.onReplicaChanged(() => reload());
  }, [api, reload, reloadOnReplicaChange]);

  return { resource, reload };
}

/** Returns the value a resource contains, if any, whether it is current or kept from before a failed reload. */
export function resourceValue<T>(resource: Resource<T>): T | undefined {
  return resource.status === 'loading' ? undefined : resource.value;
}
