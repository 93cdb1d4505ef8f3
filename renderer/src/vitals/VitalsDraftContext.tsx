import type { ReactNode } from 'react';
import { createContext, useContext } from 'react';

import type { VitalsDraftStore } from './draft-store.js';

const VitalsDraftContext = createContext<VitalsDraftStore | null>(null);

export function VitalsDraftProvider({ store, children }: { store: VitalsDraftStore; children: ReactNode }) {
  return <VitalsDraftContext value={store}>{children}</VitalsDraftContext>;
}

export function useVitalsDrafts(): VitalsDraftStore {
  const store = useContext(VitalsDraftContext);
  if (store === null) throw new Error('useVitalsDrafts() was called outside <VitalsDraftProvider>');
  return store;
}
