import { useRef } from 'react';

import { describeApiError } from '../api/describe-error.js';
import { resourceValue, useApiResource } from '../api/useApiResource.js';
import { useFocusOnMount } from '../app/useFocusOnMount.js';
import { t } from '../i18n/index.js';
import { VitalsHistory } from '../vitals/VitalsHistory.js';
import { VitalsPanel } from '../vitals/VitalsPanel.js';
import { PatientBanner } from './PatientBanner.js';

/** How many past observation sets the chart shows. */
const HISTORY_LIMIT = 50;

interface PatientChartScreenProps {
  patientId: string;
  onBack(): void;
}

/** Renders one patient's chart. The banner stays in view while the vitals panel and history scroll below it. */
export function PatientChartScreen({ patientId, onBack }: PatientChartScreenProps) {
  const chartData = useApiResource(`chart:${patientId}`, (api) => api.patient.getChart({ patientId }), { reloadOnReplicaChange: true });
  const history = useApiResource(`vitals:${patientId}`, (api) => api.vitals.list({ patientId, limit: HISTORY_LIMIT }), {
    reloadOnReplicaChange: true,
  });
  const chart = resourceValue(chartData.resource);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useFocusOnMount(headingRef, chart === undefined ? 'loading' : 'loaded');

  return (
    <div className="chart-screen">
      <nav className="chart-screen__nav">
        <button type="button" className="button button--link" data-testid="back-to-ward" onClick={onBack}>
          <span aria-hidden="true">← </span>
          {t('chart.back')}
        </button>
      </nav>

      {chartData.resource.status === 'loading' && <p className="screen muted">{t('chart.loading')}</p>}
      {chartData.resource.status === 'failed' && (
        <div className="notice notice--error chart-screen__notice" role="alert">
          {t('chart.loadFailed', { message: describeApiError(chartData.resource.error) })}{' '}
          <button type="button" className="button" onClick={chartData.reload}>
            {t('app.retry')}
          </button>
        </div>
      )}

      {chart !== undefined && (
        <>
          <PatientBanner chart={chart} headingRef={headingRef} />
          <main className="chart-screen__body">
            <VitalsPanel chart={chart} onSaved={history.reload} onChartChanged={chartData.reload} />
            <VitalsHistory resource={history.resource} onRetry={history.reload} />
          </main>
        </>
      )}
    </div>
  );
}
