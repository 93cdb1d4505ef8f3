import type { ReactNode } from 'react';
import { useEffect, useRef, useState } from 'react';

import type { ApiErrorBody, WardEnrolment } from '../../../preload/api/index.js';
import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { ErrorDetail } from '../api/ErrorNotice.js';
import type { PlainError } from '../api/error-text.js';
import { describeCallError } from '../api/error-text.js';
import { resourceValue, useApiResource } from '../api/useApiResource.js';
import { useSession } from '../app/SessionContext.js';
import { formatRoles } from '../format/patient.js';
import { useConnectionState } from '../host/ConnectionContext.js';
import { getLocale, t } from '../i18n/index.js';
import { useVitalsDrafts } from '../vitals/VitalsDraftContext.js';
import { SyncStatusIndicator } from './SyncStatusIndicator.js';

interface AppShellProps {
  /** The patient search, placed in the header; null for roles that may not search. */
  search: ReactNode;
  /** Notices about the session shown under the sync status, such as offline sign-in or the lock warning. */
  notices: ReactNode;
  onSignedOut(): void;
  /** Opens the changes that need attention from the sync strip; null for roles that may not review them. */
  onOpenAttention: (() => void) | null;
  /** Opens the settings screen; null hides the button. */
  onOpenSettings?: (() => void) | null;
  /** Opens the diagnostics screen for IT; null hides the button. */
  onOpenDiagnostics?: (() => void) | null;
  children: ReactNode;
}

/**
 * Frames every signed-in screen with the ward, the patient search, the user, sign-out and the sync
 * status. Signing out with unsaved observations needs a confirmation, because it discards them.
 */
export function AppShell({ search, notices, onSignedOut, onOpenAttention, onOpenSettings = null, onOpenDiagnostics = null, children }: AppShellProps) {
  const api = useApi();
  const { session, handleCallError } = useSession();
  const drafts = useVitalsDrafts();
  const connection = useConnectionState();
  // The replica may get the enrolled Location only after the first sign-in, so this reloads on its changes.
  const enrolment = useApiResource(`enrolment:${session.ward.id}`, (client) => client.ward.enrolment({}), { reloadOnReplicaChange: true });
  const wardLabel = wardLabelOf(resourceValue(enrolment.resource)?.kind ?? null);
  const [signingOut, setSigningOut] = useState(false);
  const [signOutError, setSignOutError] = useState<ApiErrorBody | null>(null);
  const [draftCountToDiscard, setDraftCountToDiscard] = useState<number | null>(null);
  const signOutButtonRef = useRef<HTMLButtonElement>(null);
  const confirmQuestionRef = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    if (draftCountToDiscard !== null) confirmQuestionRef.current?.focus();
  }, [draftCountToDiscard]);

  function requestSignOut() {
    const draftCount = drafts.countPatients();
    if (draftCount > 0) {
      setDraftCountToDiscard(draftCount);
      return;
    }
    void signOut();
  }

  function cancelSignOut() {
    setDraftCountToDiscard(null);
    signOutButtonRef.current?.focus();
  }

  async function signOut() {
    setSigningOut(true);
    setSignOutError(null);
    try {
      await api.session.signOut({});
      onSignedOut();
    } catch (error) {
      const body = toApiError(error);
      if (body.code === 'unauthenticated') {
        onSignedOut();
        return;
      }
      console.warn(`shell: sign-out failed (${body.code})`);
      handleCallError(body);
      setSignOutError(body);
      setSigningOut(false);
      setDraftCountToDiscard(null);
    }
  }

  return (
    <div className="shell">
      <header className="shell__header">
        <div className="shell__place">
          <span className="shell__product">{t('app.title')}</span>
          <span className="shell__ward">
            {wardLabel !== null && (
              <>
                <span className="shell__ward-label">{wardLabel}</span>{' '}
              </>
            )}
            <span data-testid="ward-name">{session.ward.name}</span>
          </span>
        </div>
        {search}
        <div className="shell__user">
          <span>{t('shell.user', { name: session.user.displayName, roles: formatRoles(session.user.roles) })}</span>
          {onOpenSettings !== null && (
            <button type="button" className="button button--on-dark" data-testid="open-settings" onClick={onOpenSettings}>
              {t('shell.settings')}
            </button>
          )}
          {onOpenDiagnostics !== null && (
            <button type="button" className="button button--on-dark" data-testid="open-diagnostics" onClick={onOpenDiagnostics}>
              {t('shell.diagnostics')}
            </button>
          )}
          <button
            ref={signOutButtonRef}
            type="button"
            className="button button--on-dark"
            data-testid="signout"
            onClick={requestSignOut}
            disabled={signingOut || draftCountToDiscard !== null}
          >
            {signingOut ? t('shell.signingOut') : t('shell.signOut')}
          </button>
        </div>
      </header>
      <SyncStatusIndicator onOpenAttention={onOpenAttention} />
      {draftCountToDiscard !== null && (
        <div className="confirm shell__notice shell__confirm" role="group" aria-label={t('shell.signOut')} data-testid="signout-confirm">
          <p ref={confirmQuestionRef} tabIndex={-1} className="confirm__question">
            {describeDiscardQuestion(draftCountToDiscard)}
          </p>
          <div className="confirm__actions">
            <button type="button" className="button button--danger" data-testid="signout-discard" onClick={signOut} disabled={signingOut}>
              {signingOut ? t('shell.signingOut') : t('shell.signOutDiscard')}
            </button>
            <button type="button" className="button" onClick={cancelSignOut} disabled={signingOut}>
              {t('shell.signOutKeep')}
            </button>
          </div>
        </div>
      )}
      {signOutError !== null && <SignOutError error={describeCallError(signOutError, connection)} />}
      {notices}
      <div className="shell__content">{children}</div>
    </div>
  );
}

function SignOutError({ error }: { error: PlainError }) {
  return (
    <div className="notice notice--error shell__notice" role="alert">
      <p>{t('shell.signOutFailed', { message: error.text })}</p>
      <ErrorDetail detail={error.detail} />
    </div>
  );
}

/** Returns the header's label for the Location the workstation is enrolled to, or null when its kind is unknown. */
function wardLabelOf(kind: WardEnrolment['kind']): string | null {
  if (kind === 'department') return t('shell.department');
  if (kind === 'ward') return t('shell.ward');
  return null;
}

function describeDiscardQuestion(patientCount: number): string {
  const plural = new Intl.PluralRules(getLocale()).select(patientCount);
  return plural === 'one' ? t('shell.signOutConfirmOne') : t('shell.signOutConfirmMany', { count: patientCount });
}
