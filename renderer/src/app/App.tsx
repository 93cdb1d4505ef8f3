import { useCallback, useEffect, useMemo, useRef, useState } from 'react';

import type { ApiErrorBody, SessionInfo, SessionState } from '../../../preload/api/index.js';
import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { useConnectionRestored, useConnectionState } from '../host/ConnectionContext.js';
import { t } from '../i18n/index.js';
import { SignInScreen } from '../signin/SignInScreen.js';
import { describeSignInNotice } from '../signin/sign-in-errors.js';
import { VitalsDraftStore } from '../vitals/draft-store.js';
import { VitalsDraftProvider } from '../vitals/VitalsDraftContext.js';
import type { AppState, LabResultPosition, View } from './app-state.js';
import {
  isSameSession,
  locked,
  sessionEnded,
  sessionEndedFor,
  sessionStateApplied,
  signedIn,
  signedOut,
  started,
  switchingUser,
  unlocked,
  viewShown,
} from './app-state.js';
import type { SessionControls } from './SessionContext.js';
import { SessionProvider } from './SessionContext.js';
import { SignedInApp } from './SignedInApp.js';
import { StaleAddressPage } from './StaleAddressPage.js';

/** Chooses the screen to show and keeps the session that the signed-in screens share. */
export function App() {
  const api = useApi();
  const connection = useConnectionState();
  const [state, setState] = useState<AppState>({ phase: 'starting' });
  const draftStore = useRef(new VitalsDraftStore()).current;
  const pendingSignIns = useRef(0);

  /** Counts this window's sign-ins while they run; each one that replaces a session makes the core emit `replaced`. */
  const trackSignIn = useCallback(<T,>(attempt: Promise<T>): Promise<T> => {
    pendingSignIns.current += 1;
    return attempt.finally(() => {
      pendingSignIns.current -= 1;
    });
  }, []);

  const start = useCallback(() => {
    setState({ phase: 'starting' });
    api.session.current({}).then(
      ({ session, locked: isLocked }) => setState(started(session, isLocked)),
      (error: unknown) => {
        console.warn(`app: reading the current session failed (${toApiError(error).code})`);
        setState({ phase: 'start-failed' });
      },
    );
  }, [api]);

  useEffect(start, [start]);

  const startFailed = state.phase === 'start-failed';
  useConnectionRestored(() => {
    if (startFailed) start();
  });

  /** Applies what `session.current` returned after this window may have missed an event. */
  const applySessionState = useCallback((current: SessionState) => {
    // A sign-in running in this window changes the session; its own result decides what to show.
    if (pendingSignIns.current > 0) return;
    setState((previous) => sessionStateApplied(previous, current));
  }, []);

  useEffect(
    () =>
      api.events.onSessionEnded(({ reason, userId }) => {
        // A sign-out in another window ends this one too, but only a sign-out here discards drafts,
        // because only here was the user asked to confirm that.
        if (reason !== 'replaced') {
          setState((previous) => sessionEndedFor(previous, reason, userId));
          return;
        }
        // A sign-in from this window also replaces the session, and then the window goes on as the
        // new user. The core emits `replaced` before it returns the new session, and both
        // transports keep the order of messages, so that sign-in is still pending here.
        if (pendingSignIns.current > 0) return;
        if (userId !== null) {
          setState((previous) => sessionEndedFor(previous, 'replaced', userId));
          return;
        }
        // Without a user id, only a session other than the one shown here means that someone
        // signed in elsewhere.
        api.session.current({}).then(
          ({ session }) =>
            setState((previous) =>
              previous.phase === 'signed-in' && session !== null && isSameSession(previous.session, session) ? previous : sessionEnded(previous, 'replaced'),
            ),
          (error: unknown) => {
            console.warn(`app: reading the session after a replacement failed (${toApiError(error).code})`);
            setState((previous) => sessionEnded(previous, 'replaced'));
          },
        );
      }),
    [api],
  );

  useEffect(() => api.events.onSessionLocked(() => setState(locked)), [api]);

  const isLocked = state.phase === 'signed-in' && state.lock !== 'unlocked';
  useEffect(() => {
    document.title = isLocked ? t('lock.pageTitle') : t('app.title');
  }, [isLocked]);

  const handleSignedIn = useCallback((session: SessionInfo) => setState((previous) => signedIn(previous, session)), []);
  const handleUnlocked = useCallback((session: SessionInfo) => setState((previous) => unlocked(previous, session)), []);
  const handleSwitchUser = useCallback(() => setState((previous) => switchingUser(previous, true)), []);
  const handleCancelSwitch = useCallback(() => setState((previous) => switchingUser(previous, false)), []);

  const handleSignedOut = useCallback(
    (userId: string) => {
      draftStore.discardUser(userId);
      setState((previous) => signedOut(previous, userId));
    },
    [draftStore],
  );

  const handleCallError = useCallback((error: ApiErrorBody) => {
    if (error.code === 'unauthenticated') setState((previous) => sessionEnded(previous, 'expired'));
    else if (error.code === 'locked') setState(locked);
  }, []);

  const session = state.phase === 'signed-in' ? state.session : null;
  const sessionControls = useMemo<SessionControls | null>(() => (session === null ? null : { session, handleCallError }), [session, handleCallError]);

  const showView = useCallback((view: View) => setState((previous) => viewShown(previous, view)), []);
  const openChart = useCallback((patientId: string) => showView({ name: 'chart', patientId }), [showView]);
  const openEmergencyChart = useCallback((patientId: string, reason: string) => showView({ name: 'emergency-chart', patientId, reason }), [showView]);
  const openWard = useCallback(() => showView({ name: 'ward' }), [showView]);
  const openAttention = useCallback(() => showView({ name: 'attention' }), [showView]);
  const openLab = useCallback(() => showView({ name: 'lab' }), [showView]);
  const openSettings = useCallback(() => showView({ name: 'settings' }), [showView]);
  const openDiagnostics = useCallback(() => showView({ name: 'diagnostics' }), [showView]);
  const openLabMessage = useCallback((messageId: string, result: LabResultPosition | null) => showView({ name: 'lab-message', messageId, result }), [showView]);

  if (connection === 'stale-address') return <StaleAddressPage />;
  if (state.phase === 'starting') return <p className="page-message">{t('app.loading')}</p>;

  if (state.phase === 'start-failed') {
    return (
      <main className="page-message" role="alert">
        <p>{t('app.coreUnreachable')}</p>
        <button type="button" className="button" onClick={start}>
          {t('app.retry')}
        </button>
      </main>
    );
  }

  if (state.phase === 'signed-out' || sessionControls === null) {
    const notice = state.phase === 'signed-out' && state.notice !== null ? describeSignInNotice(state.notice) : null;
    return <SignInScreen notice={notice} onSignedIn={handleSignedIn} trackSignIn={trackSignIn} />;
  }

  return (
    <SessionProvider value={sessionControls}>
      <VitalsDraftProvider store={draftStore}>
        <SignedInApp
          key={state.session.user.id}
          view={state.view}
          lock={state.lock}
          onOpenChart={openChart}
          onOpenEmergencyChart={openEmergencyChart}
          onOpenWard={openWard}
          onOpenAttention={openAttention}
          onOpenLab={openLab}
          onOpenLabMessage={openLabMessage}
          onOpenSettings={openSettings}
          onOpenDiagnostics={openDiagnostics}
          onUnlocked={handleUnlocked}
          onSwitchUser={handleSwitchUser}
          onCancelSwitch={handleCancelSwitch}
          onSignedIn={handleSignedIn}
          trackSignIn={trackSignIn}
          onSignedOut={handleSignedOut}
          onSessionState={applySessionState}
        />
      </VitalsDraftProvider>
    </SessionProvider>
  );
}
