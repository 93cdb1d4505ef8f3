import { useCallback, useEffect, useMemo, useRef, useState } from 'react';

import type { SessionInfo } from '../../../preload/api/index.js';
import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { PatientChartScreen } from '../chart/PatientChartScreen.js';
import { t } from '../i18n/index.js';
import { AppShell } from '../shell/AppShell.js';
import type { SignInNotice } from '../signin/SignInScreen.js';
import { SignInScreen } from '../signin/SignInScreen.js';
import { VitalsDraftStore } from '../vitals/draft-store.js';
import { VitalsDraftProvider } from '../vitals/VitalsDraftContext.js';
import { WardListScreen } from '../ward/WardListScreen.js';
import type { SessionControls } from './SessionContext.js';
import { SessionProvider } from './SessionContext.js';

type View = { name: 'ward' } | { name: 'chart'; patientId: string };

/** The screen a user was on when the session expired, reopened when the same user signs in again. */
interface ResumePoint {
  userId: string;
  view: View;
}

/** Leaves the signed-in screens after the session expired, remembering where the user was. */
function expire(current: AppState): AppState {
  if (current.phase === 'signed-out') return current;
  if (current.phase !== 'signed-in') return { phase: 'signed-out', notice: 'expired' };
  return { phase: 'signed-out', notice: 'expired', resume: { userId: current.session.user.id, view: current.view } };
}

type AppState =
  | { phase: 'starting' }
  | { phase: 'start-failed' }
  | { phase: 'signed-out'; notice: SignInNotice | null; resume?: ResumePoint }
  | { phase: 'signed-in'; session: SessionInfo; view: View };

/** Chooses the screen to show and keeps the session that the signed-in screens share. */
export function App() {
  const api = useApi();
  const [state, setState] = useState<AppState>({ phase: 'starting' });
  const draftStore = useRef(new VitalsDraftStore()).current;

  const start = useCallback(() => {
    setState({ phase: 'starting' });
    api.session.current({}).then(
      (session) => {
        if (session === null) {
          setState({ phase: 'signed-out', notice: null });
          return;
        }
        draftStore.claimFor(session.user.id);
        setState({ phase: 'signed-in', session, view: { name: 'ward' } });
      },
      (error: unknown) => {
        console.warn(`app: reading the current session failed (${toApiError(error).code})`);
        setState({ phase: 'start-failed' });
      },
    );
  }, [api, draftStore]);

  useEffect(start, [start]);

  useEffect(
    () =>
      api.events.onSessionEnded(({ reason }) => {
        if (reason === 'expired') {
          setState(expire);
          return;
        }
        draftStore.clear();
        setState({ phase: 'signed-out', notice: 'signed-out' });
      }),
    [api, draftStore],
  );

  const handleSignedIn = useCallback(
    (session: SessionInfo) => {
      draftStore.claimFor(session.user.id);
      setState((current) => {
        const resume = current.phase === 'signed-out' ? current.resume : undefined;
        const view: View = resume?.userId === session.user.id ? resume.view : { name: 'ward' };
        return { phase: 'signed-in', session, view };
      });
    },
    [draftStore],
  );

  const handleSignedOut = useCallback(() => {
    draftStore.clear();
    setState({ phase: 'signed-out', notice: null });
  }, [draftStore]);

  const handleUnauthenticated = useCallback(() => setState(expire), []);

  const session = state.phase === 'signed-in' ? state.session : null;
  const sessionControls = useMemo<SessionControls | null>(
    () => (session === null ? null : { session, handleUnauthenticated }),
    [session, handleUnauthenticated],
  );

  const showView = useCallback((view: View) => {
    setState((current) => (current.phase === 'signed-in' ? { ...current, view } : current));
  }, []);
  const openChart = useCallback((patientId: string) => showView({ name: 'chart', patientId }), [showView]);
  const openWard = useCallback(() => showView({ name: 'ward' }), [showView]);

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
    return <SignInScreen notice={state.phase === 'signed-out' ? state.notice : null} onSignedIn={handleSignedIn} />;
  }

  return (
    <SessionProvider value={sessionControls}>
      <VitalsDraftProvider store={draftStore}>
        <AppShell onSignedOut={handleSignedOut}>
          {state.view.name === 'chart' ? (
            <PatientChartScreen key={state.view.patientId} patientId={state.view.patientId} onBack={openWard} />
          ) : (
            <WardListScreen onOpenChart={openChart} />
          )}
        </AppShell>
      </VitalsDraftProvider>
    </SessionProvider>
  );
}
