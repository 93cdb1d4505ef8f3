import { t } from '../i18n/index.js';

/**
 * Says that the user signed in against this workstation's cached password verifier, not the
 * central server. It stays for the whole session, because the session's mode does not change
 * when the server becomes reachable again.
 */
export function OfflineSignInNotice() {
  return (
    <p className="notice notice--calm shell__notice" role="status" data-testid="session-offline">
      <strong>{t('session.offlineTitle')}</strong> {t('session.offlineBody')}
    </p>
  );
}
