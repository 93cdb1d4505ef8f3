import { t } from '../i18n/index.js';

/** Renders the message the browser host shows when the page was opened without the token in its address. */
export function MissingTokenPage() {
  return (
    <main className="page-message" role="alert">
      <h1>{t('host.missingToken.title')}</h1>
      <p>{t('host.missingToken.body')}</p>
    </main>
  );
}
