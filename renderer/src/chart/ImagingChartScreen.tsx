import { useRef, useState } from 'react';

import { resourceValue, useApiResource } from '../api/useApiResource.js';
import { useFocusOnMount } from '../app/useFocusOnMount.js';
import { ImagingTab } from '../imaging/ImagingTab.js';
import { ChartLoadNotice } from './ChartLoadNotice.js';
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
  // While a study is open in the imaging viewer, the banner and the tabs take less height.
  const [studyOpen, setStudyOpen] = useState(false);
  useFocusOnMount(headingRef, chart === undefined ? 'loading' : 'loaded');

  return (
    <div className={studyOpen ? 'chart-screen chart-screen--study' : 'chart-screen'}>
      <ChartNav onBack={onBack} />

      <ChartLoadNotice resource={chartData.resource} onRetry={chartData.reload} />

      {chart !== undefined && (
        <>
          <PatientBanner chart={chart} headingRef={headingRef} compact={studyOpen} />
          <ChartTabs tabs={['imaging']} current="imaging" onChange={() => undefined} />
          <main className="chart-screen__body" id="chart-panel-imaging" role="tabpanel" aria-labelledby="chart-tab-imaging">
            <ImagingTab patientId={patientId} onStudyOpenChange={setStudyOpen} />
          </main>
        </>
      )}
    </div>
  );
}
