import type { ReactNode } from 'react';
import { createContext, useContext } from 'react';

import type { SessionInfo } from '../../../preload/api/index.js';

export interface SessionControls {
  session: SessionInfo;
  /** Shows the sign-in screen after a call failed with `unauthenticated`; unsaved drafts are kept. */
  handleUnauthenticated(): void;
}

const SessionContext = createContext<SessionControls | null>(null);

export function SessionProvider({ value, children }: { value: SessionControls; children: ReactNode }) {
  return <SessionContext value={value}>{children}</SessionContext>;
}

/** Returns the signed-in session. Only screens under the signed-in shell may call this. */
export function useSession(): SessionControls {
  const controls = useContext(SessionContext);
  if (controls === null) throw new Error('useSession() was called outside a signed-in screen');
  return controls;
}
