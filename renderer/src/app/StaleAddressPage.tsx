import { t } from '../i18n/index.js';

/**
 * Renders the message the browser host's page shows when the workstation rejected every handshake
 * since the page loaded: its launch token is from an earlier start of the workstation.
 */
export function StaleAddressPage() {
  return (
    <main className="page-message" role="alert" data-testid="stale-address">
      <h1>{t('host.staleAddress.title')}</h1>
      <p>{t('host.staleAddress.body')}</p>
    </main>
  );
}
