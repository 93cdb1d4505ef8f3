import { useRef } from 'react';

import { calls } from '../../../preload/api/index.js';
import { LoadFailedNotice } from '../api/ErrorNotice.js';
import { resourceValue, useApiResource } from '../api/useApiResource.js';
import { useFocusOnMount } from '../app/useFocusOnMount.js';
import { t } from '../i18n/index.js';
import { ImagingTab } from '../imaging/ImagingTab.js';
import { ChartNav } from './ChartNav.js';
import { ChartTabs } from './ChartTabs.js';
import { PatientBanner } from './PatientBanner.js';

interface ImagingChartScreenProps {
  patientId: string;
  onBack(): void;
}

/**
 * Renders a patient's chart for roles that view images but read no ward charts (radiologists):
 * the banner, which identifies the patient and shows the allergies, and the Imaging tab alone.
 * It requests neither the observations nor the contact details, which those roles may not read.
 */
export function ImagingChartScreen({ patientId, onBack }: ImagingChartScreenProps) {
  const chartData = useApiResource(`chart:${patientId}`, (api) => api.patient.getChart({ patientId }), { reloadOnReplicaChange: true });
  const chart = resourceValue(chartData.resource);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useFocusOnMount(headingRef, chart === undefined ? 'loading' : 'loaded');

  return (
    <div className="chart-screen">
      <ChartNav onBack={onBack} />

      {chartData.resource.status === 'loading' && <p className="screen muted">{t('chart.loading')}</p>}
      {chartData.resource.status === 'failed' && (
        <LoadFailedNotice
          error={chartData.resource.error}
          call={calls.patient.getChart}
          subject={t('chart.subject')}
          describe={(reason) => t('chart.loadFailed', { message: reason })}
          onRetry={chartData.reload}
          className="chart-screen__notice"
        />
      )}

      {chart !== undefined && (
        <>
          <PatientBanner chart={chart} headingRef={headingRef} />
          <ChartTabs tabs={['imaging']} current="imaging" onChange={() => undefined} />
          <main className="chart-screen__body" id="chart-panel-imaging" role="tabpanel" aria-labelledby="chart-tab-imaging">
            <ImagingTab patientId={patientId} />
          </main>
        </>
      )}
    </div>
  );
}
