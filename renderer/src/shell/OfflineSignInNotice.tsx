import { t } from '../i18n/index.js';
import { useSyncStatus } from './useSyncStatus.js';

/**
 * Says that the user signed in against this workstation's cached password verifier, not the
 * central server. The session's mode does not change when the server becomes reachable again, so
 * the notice stays for the whole session, and then shows that changes are being sent.
 */
export function OfflineSignInNotice() {
  const status = useSyncStatus();
  const serverBack = status?.state === 'online';
  return (
    <p className="notice notice--calm shell__notice" role="status" data-testid="session-offline" data-server-back={serverBack}>
      <strong>{t('session.offlineTitle')}</strong> {t(serverBack ? 'session.offlineServerBackBody' : 'session.offlineBody')}
    </p>
  );
}
