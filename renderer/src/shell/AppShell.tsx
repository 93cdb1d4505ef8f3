import type { ReactNode } from 'react';
import { useState } from 'react';

import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { useSession } from '../app/SessionContext.js';
import { formatRoles } from '../format/patient.js';
import { t } from '../i18n/index.js';
import { SyncStatusIndicator } from './SyncStatusIndicator.js';

interface AppShellProps {
  onSignedOut(): void;
  children: ReactNode;
}

/** Frames every signed-in screen with the ward, the user, sign-out and the sync status. */
export function AppShell({ onSignedOut, children }: AppShellProps) {
  const api = useApi();
  const { session } = useSession();
  const [signingOut, setSigningOut] = useState(false);
  const [signOutError, setSignOutError] = useState<string | null>(null);

  async function handleSignOut() {
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
      setSignOutError(t('shell.signOutFailed', { message: body.code === 'unavailable' ? t('error.unavailable') : body.message }));
      setSigningOut(false);
    }
  }

  return (
    <div className="shell">
      <header className="shell__header">
        <div className="shell__place">
          <span className="shell__product">{t('app.title')}</span>
          <span className="shell__ward">
            <span className="shell__ward-label">{t('shell.ward')}</span>{' '}
            <span data-testid="ward-name">{session.ward.name}</span>
          </span>
        </div>
        <div className="shell__user">
          <span>{t('shell.user', { name: session.user.displayName, roles: formatRoles(session.user.roles) })}</span>
          <button type="button" className="button button--on-dark" data-testid="signout" onClick={handleSignOut} disabled={signingOut}>
            {signingOut ? t('shell.signingOut') : t('shell.signOut')}
          </button>
        </div>
      </header>
      <SyncStatusIndicator />
      {signOutError !== null && (
        <p className="notice notice--error shell__notice" role="alert">
          {signOutError}
        </p>
      )}
      <div className="shell__content">{children}</div>
    </div>
  );
}
