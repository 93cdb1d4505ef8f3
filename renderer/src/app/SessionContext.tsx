import type { ReactNode } from 'react';
import { createContext, useContext } from 'react';

import type { ApiErrorBody, SessionInfo } from '../../../preload/api/index.js';

export interface SessionControls {
  session: SessionInfo;
  /**
   * Reacts to a failed call whose code concerns the whole session: `unauthenticated` shows the
   * sign-in screen and `locked` the lock screen. Unsaved drafts are kept in both cases. Other codes
   * are left to the caller.
   */
  handleCallError(error: ApiErrorBody): void;
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
