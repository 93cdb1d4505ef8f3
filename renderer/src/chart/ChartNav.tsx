import { t } from '../i18n/index.js';

/** Renders the link back to the ward list above a chart. */
export function ChartNav({ onBack }: { onBack(): void }) {
  return (
    <nav className="chart-screen__nav">
      <button type="button" className="button button--link" data-testid="back-to-ward" onClick={onBack}>
        <span aria-hidden="true">← </span>
        {t('chart.back')}
      </button>
    </nav>
  );
}
