import type { PatientChart } from '../../../preload/api/index.js';
import { calls } from '../../../preload/api/index.js';
import { LoadFailedNotice } from '../api/ErrorNotice.js';
import type { Resource } from '../api/useApiResource.js';
import { t } from '../i18n/index.js';

/** Renders the loading line or the failure notice of a chart's `patient.getChart` call, and nothing once it is loaded. */
export function ChartLoadNotice({ resource, onRetry }: { resource: Resource<PatientChart>; onRetry(): void }) {
  if (resource.status === 'loading') return <p className="screen muted">{t('chart.loading')}</p>;
  if (resource.status !== 'failed') return null;
  return (
    <LoadFailedNotice
      error={resource.error}
      call={calls.patient.getChart}
      subject={t('chart.subject')}
      describe={(reason) => t('chart.loadFailed', { message: reason })}
      onRetry={onRetry}
      className="chart-screen__notice"
    />
  );
}
