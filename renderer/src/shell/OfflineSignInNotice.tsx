import { useEffect, useState } from 'react';

import { t } from '../i18n/index.js';
import { useSyncStatus } from './useSyncStatus.js';

/**
 * Says that the user signed in against this workstation's cached password verifier, not the
 * central server. The session's mode does not change when the server becomes reachable again, so
 * the notice stays for the whole session, and then shows that changes are being sent.
 */
export function OfflineSignInNotice() {
  const status = useSyncStatus();
  const state = status?.state;
  // After the status was online, the sync that each new change starts keeps the server marked as
  // reachable. Only offline, sign-in-needed or stopped turn the notice back, so it does not flicker.
  const [serverBack, setServerBack] = useState(false);
  useEffect(() => {
    if (state === 'online') setServerBack(true);
    else if (state !== 'syncing') setServerBack(false);
  }, [state]);
  return (
    <p className="notice notice--calm shell__notice" role="status" data-testid="session-offline" data-server-back={serverBack}>
      <strong>{t('session.offlineTitle')}</strong> {t(serverBack ? 'session.offlineServerBackBody' : 'session.offlineBody')}
    </p>
  );
}
