import { useCallback, useEffect, useRef, useState } from 'react';

import type { PatientChart, PatientSearchResult, Role, SessionInfo, SessionState } from '../../../preload/api/index.js';
import { calls } from '../../../preload/api/index.js';
import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { mayCall } from '../api/call-access.js';
import { NeedsAttentionScreen } from '../attention/NeedsAttentionScreen.js';
import { ImagingChartScreen } from '../chart/ImagingChartScreen.js';
import { PatientChartScreen } from '../chart/PatientChartScreen.js';
import { useConnectionRestored } from '../host/ConnectionContext.js';
import { t } from '../i18n/index.js';
import { BreakTheGlassDialog } from '../search/BreakTheGlassDialog.js';
import { PatientSearch } from '../search/PatientSearch.js';
import { LockCountdown } from '../session/LockCountdown.js';
import { LockScreen } from '../session/LockScreen.js';
import { useInactivityTracking } from '../session/useInactivityTracking.js';
import { AppShell } from '../shell/AppShell.js';
import { OfflineSignInNotice } from '../shell/OfflineSignInNotice.js';
import { SignInScreen } from '../signin/SignInScreen.js';
import { DiagnosticsScreen } from '../it/DiagnosticsScreen.js';
import { SettingsScreen } from '../it/SettingsScreen.js';
import { LabBenchScreen } from '../lab/LabBenchScreen.js';
import { LabMessageScreen } from '../lab/LabMessageScreen.js';
import { BedsideScanProvider, WristbandNotice } from '../medication/BedsideScanContext.js';
import { FindPatientScreen } from '../ward/FindPatientScreen.js';
import { WardListScreen } from '../ward/WardListScreen.js';
import type { LabResultPosition, LockState, View } from './app-state.js';
import { useSession } from './SessionContext.js';

interface SignedInAppProps {
  view: View;
  lock: LockState;
  onOpenChart(patientId: string): void;
  onOpenEmergencyChart(patientId: string, reason: string): void;
  onOpenWard(): void;
  onOpenAttention(): void;
  onOpenLab(): void;
  onOpenLabMessage(messageId: string, result: LabResultPosition | null): void;
  onOpenSettings(): void;
  onOpenDiagnostics(): void;
  onUnlocked(session: SessionInfo): void;
  onSwitchUser(): void;
  onCancelSwitch(): void;
  onSignedIn(session: SessionInfo): void;
  trackSignIn<T>(attempt: Promise<T>): Promise<T>;
  onSignedOut(userId: string): void;
  onSessionState(state: SessionState): void;
}

/** A chart of another ward that the user chose to open, waiting for the break-the-glass reason. */
interface EmergencyRequest {
  patient: PatientSearchResult;
  reason: string;
}

/**
 * Renders one user's signed-in workstation: the shell with the current screen, or the lock screen
 * in its place. It stays mounted while locked, so the search text and a break-the-glass reason
 * being typed survive the lock. The vitals drafts survive in the draft store.
 */
export function SignedInApp(props: SignedInAppProps) {
  const { view, lock, onOpenChart, onOpenEmergencyChart, onOpenWard, onOpenAttention, onOpenLab, onOpenLabMessage, onSessionState } = props;
  const api = useApi();
  const { session } = useSession();
  const [searchText, setSearchText] = useState('');
  const [emergencyRequest, setEmergencyRequest] = useState<EmergencyRequest | null>(null);
  const searchInputRef = useRef<HTMLInputElement>(null);
  const refocusSearch = useRef(false);
  const unlocked = lock === 'unlocked';
  const inactivity = useInactivityTracking(unlocked);
  const { applyLockAt } = inactivity;

  useEffect(() => {
    if (emergencyRequest !== null || !refocusSearch.current) return;
    refocusSearch.current = false;
    searchInputRef.current?.focus();
  }, [emergencyRequest]);

  /** Reads the session from the core: whether it is still this one, whether it locked, and when it will lock. */
  const checkLockState = useCallback(() => {
    api.session.current({}).then(
      (state) => {
        onSessionState(state);
        applyLockAt(state.lockAt);
      },
      (error: unknown) => console.warn(`inactivity: reading the session state failed (${toApiError(error).code})`),
    );
  }, [api, onSessionState, applyLockAt]);

  // Sign-in, unlock and a reload start the inactivity tracking with an estimate; this replaces it
  // with the core's time. Events sent while the connection was down are lost, so it also runs then.
  useEffect(() => {
    if (unlocked) checkLockState();
  }, [unlocked, checkLockState]);
  useConnectionRestored(checkLockState);

  if (lock === 'switching-user') {
    return (
      <SignInScreen
        title={t('lock.switchTitle')}
        notice={t('lock.switchNotice', { name: session.user.displayName })}
        onSignedIn={props.onSignedIn}
        trackSignIn={props.trackSignIn}
        onCancel={props.onCancelSwitch}
        cancelLabel={t('lock.switchCancel')}
      />
    );
  }
  if (lock === 'locked') return <LockScreen onUnlocked={props.onUnlocked} onSwitchUser={props.onSwitchUser} />;

  function choosePatient(patient: PatientSearchResult) {
    if (patient.inScope) {
      setSearchText('');
      onOpenChart(patient.patientId);
      return;
    }
    setEmergencyRequest({ patient, reason: '' });
  }

  function cancelEmergencyRequest() {
    refocusSearch.current = true;
    setEmergencyRequest(null);
  }

  function openEmergencyChart(chart: PatientChart, reason: string) {
    setEmergencyRequest(null);
    setSearchText('');
    onOpenEmergencyChart(chart.patientId, reason);
  }

  return (
    // Wristband scans open the patient's chart on every screen of the roles that give medication.
    <BedsideScanProvider enabled={mayCall(calls.medication.check, session.user.roles)} onOpenChart={onOpenChart}>
      <AppShell
        onSignedOut={() => props.onSignedOut(session.user.id)}
        onOpenAttention={mayCall(calls.sync.listConflicts, session.user.roles) ? onOpenAttention : null}
      onOpenSettings={mayCall(calls.settings.effective, session.user.roles) ? props.onOpenSettings : null}
      onOpenDiagnostics={mayCall(calls.diagnostics.summary, session.user.roles) ? props.onOpenDiagnostics : null}
        search={
          mayCall(calls.patient.search, session.user.roles) ? (
            <PatientSearch text={searchText} onTextChange={setSearchText} onChoose={choosePatient} inputRef={searchInputRef} />
          ) : null
        }
        notices={
          <>
            {session.mode === 'offline' && <OfflineSignInNotice />}
            <LockCountdown lockAt={inactivity.lockAt} lockAfterMinutes={session.lockAfterMinutes} onCheckLockTime={checkLockState} />
            <WristbandNotice />
          </>
        }
      >
        {renderView(view, session.user.roles, { onOpenChart, onOpenWard, onOpenAttention, onOpenLab, onOpenLabMessage })}
        {emergencyRequest !== null && (
          <BreakTheGlassDialog
            patient={emergencyRequest.patient}
            reason={emergencyRequest.reason}
            onReasonChange={(reason) => setEmergencyRequest({ ...emergencyRequest, reason })}
            onCancel={cancelEmergencyRequest}
            onOpened={openEmergencyChart}
          />
        )}
      </AppShell>
    </BedsideScanProvider>
  );
}

interface Navigation {
  onOpenChart(patientId: string): void;
  onOpenWard(): void;
  onOpenAttention(): void;
  onOpenLab(): void;
  onOpenLabMessage(messageId: string, result: LabResultPosition | null): void;
}

function renderView(view: View, roles: readonly Role[], { onOpenChart, onOpenWard, onOpenAttention, onOpenLab, onOpenLabMessage }: Navigation) {
  // Radiologists find patients through the search and see the Imaging tab alone.
  const readsCharts = mayCall(calls.vitals.list, roles);
  switch (view.name) {
    case 'ward':
      return !mayCall(calls.ward.listPatients, roles) && mayCall(calls.patient.search, roles) ? <FindPatientScreen /> : <WardListScreen onOpenChart={onOpenChart} />;
    case 'chart':
      return readsCharts ? (
        <PatientChartScreen key={view.patientId} patientId={view.patientId} onBack={onOpenWard} onOpenAttention={onOpenAttention} />
      ) : (
        <ImagingChartScreen key={view.patientId} patientId={view.patientId} onBack={onOpenWard} />
      );
    case 'emergency-chart':
      return (
        <PatientChartScreen key={`emergency:${view.patientId}`} patientId={view.patientId} emergencyReason={view.reason} onBack={onOpenWard} onOpenAttention={onOpenAttention} />
      );
    case 'settings':
      return <SettingsScreen />;
    case 'diagnostics':
      return <DiagnosticsScreen />;
    case 'attention':
      return <NeedsAttentionScreen onBack={onOpenWard} onOpenChart={onOpenChart} />;
    case 'lab':
      return <LabBenchScreen onOpenMessage={onOpenLabMessage} />;
    case 'lab-message':
      return (
        <LabMessageScreen
          key={view.messageId}
          messageId={view.messageId}
          result={view.result}
          onBack={onOpenLab}
          onOpenResult={(result) => onOpenLabMessage(view.messageId, result)}
        />
      );
  }
}
