import type { ReactNode } from 'react';
import { createContext, useContext, useMemo } from 'react';

import { useSession } from '../app/SessionContext.js';
import type { UserDrafts, VitalsDraftStore } from './draft-store.js';
import { draftsOfUser } from './draft-store.js';

const VitalsDraftContext = createContext<VitalsDraftStore | null>(null);

export function VitalsDraftProvider({ store, children }: { store: VitalsDraftStore; children: ReactNode }) {
  return <VitalsDraftContext value={store}>{children}</VitalsDraftContext>;
}

/** Returns the drafts of the signed-in user. */
export function useVitalsDrafts(): UserDrafts {
  const store = useContext(VitalsDraftContext);
  if (store === null) throw new Error('useVitalsDrafts() was called outside <VitalsDraftProvider>');
  const userId = useSession().session.user.id;
  return useMemo(() => draftsOfUser(store, userId), [store, userId]);
}
