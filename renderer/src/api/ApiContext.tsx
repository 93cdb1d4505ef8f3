import type { ReactNode } from 'react';
import { createContext, useContext } from 'react';

import type { HmsApi } from '../../../preload/api/index.js';

const ApiContext = createContext<HmsApi | null>(null);

export function ApiProvider({ api, children }: { api: HmsApi; children: ReactNode }) {
  return <ApiContext value={api}>{children}</ApiContext>;
}

/** Returns the app's API, as provided at the root of the tree. */
export function useApi(): HmsApi {
  const api = useContext(ApiContext);
  if (api === null) throw new Error('useApi() was called outside <ApiProvider>');
  return api;
}
