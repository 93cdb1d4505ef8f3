import { useEffect, useRef, useState } from 'react';

import { calls } from '../../../preload/api/index.js';
import { mayCall } from '../api/call-access.js';
import { resourceValue, useApiResource } from '../api/useApiResource.js';
import { useSession } from '../app/SessionContext.js';
import { useFocusOnMount } from '../app/useFocusOnMount.js';
import { PatientDetails } from '../contact/PatientDetails.js';
import { t } from '../i18n/index.js';
import { ImagingTab } from '../imaging/ImagingTab.js';
import { useBedsideScan } from '../medication/BedsideScanContext.js';
import { MarPanel } from '../medication/MarPanel.js';
import { useSyncCountsChanged } from '../sync/useSyncCountsChanged.js';
import { VitalsHistory } from '../vitals/VitalsHistory.js';
import { VitalsPanel } from '../vitals/VitalsPanel.js';
import { ChartLoadNotice } from './ChartLoadNotice.js';
import { ChartNav } from './ChartNav.js';
import type { ChartTab } from './ChartTabs.js';
import { ChartTabs } from './ChartTabs.js';
import { EmergencyAccessBand } from './EmergencyAccessBand.js';
import { PatientBanner } from './PatientBanner.js';

/** How many past observation sets the chart shows. */
const HISTORY_LIMIT = 50;

interface PatientChartScreenProps {
  patientId: string;
  /** The reason typed in this window's break-the-glass dialog, for a chart that carries none. */
  emergencyReason?: string;
  onBack(): void;
  /** Opens the review of changes the central server did not apply. */
  onOpenAttention(): void;
}

/**
 * Renders one patient's chart. The banner stays in view while the tab's content scrolls below it:
 * observations (the vitals panel and history), the medication record, or the imaging studies for
 * roles that view images. A wristband scan of this patient opens the medication tab. A chart the
 * core marks as emergency access (a patient of another ward, opened by breaking the glass) gets
 * the emergency band, no entry form and no tabs.
 */
export function PatientChartScreen({ patientId, emergencyReason, onBack, onOpenAttention }: PatientChartScreenProps) {
  const chartData = useApiResource(`chart:${patientId}`, (api) => api.patient.getChart({ patientId }), { reloadOnReplicaChange: true });
  const history = useApiResource(`vitals:${patientId}`, (api) => api.vitals.list({ patientId, limit: HISTORY_LIMIT }), {
    reloadOnReplicaChange: true,
  });
  const contact = useApiResource(`contact:${patientId}`, (api) => api.patient.getContact({ patientId }), { reloadOnReplicaChange: true });
  // A record's sync state moves with the outbox and the conflict log, which the replica does not announce.
  useSyncCountsChanged(() => {
    history.reload();
    contact.reload();
  });
  const chart = resourceValue(chartData.resource);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useFocusOnMount(headingRef, chart === undefined ? 'loading' : 'loaded');
  const { wristband } = useBedsideScan();
  const { session } = useSession();
  const tabs: ChartTab[] = mayCall(calls.imaging.listStudies, session.user.roles) ? ['observations', 'medication', 'imaging'] : ['observations', 'medication'];
  const [tab, setTab] = useState<ChartTab>(wristband?.patientId === patientId ? 'medication' : 'observations');
  // While a study is open in the imaging viewer, the banner and the tabs take less height.
  const [studyOpen, setStudyOpen] = useState(false);
  useEffect(() => {
    if (wristband?.patientId === patientId) setTab('medication');
  }, [wristband, patientId]);

  const screenClasses = ['chart-screen'];
  if (chart?.access === 'emergency') screenClasses.push('chart-screen--emergency');
  if (studyOpen) screenClasses.push('chart-screen--study');

  return (
    <div className={screenClasses.join(' ')}>
      <ChartNav onBack={onBack} />

      <ChartLoadNotice resource={chartData.resource} onRetry={chartData.reload} />

      {chart !== undefined && (
        <>
          {chart.access === 'emergency' && <EmergencyAccessBand access={chart.emergencyAccess} reasonTypedHere={emergencyReason ?? null} />}
          <PatientBanner chart={chart} headingRef={headingRef} compact={studyOpen} />
          {chart.access === 'ward' && <ChartTabs tabs={tabs} current={tab} onChange={setTab} />}
          {tab === 'imaging' && chart.access === 'ward' && tabs.includes('imaging') ? (
            <main className="chart-screen__body" id="chart-panel-imaging" role="tabpanel" aria-labelledby="chart-tab-imaging">
              <ImagingTab patientId={patientId} onStudyOpenChange={setStudyOpen} />
            </main>
          ) : tab === 'medication' && chart.access === 'ward' ? (
            <main className="chart-screen__body" id="chart-panel-medication" role="tabpanel" aria-labelledby="chart-tab-medication">
              <MarPanel chart={chart} />
            </main>
          ) : (
            <main className="chart-screen__body">
              {chart.access === 'ward' ? (
                <VitalsPanel chart={chart} onSaved={history.reload} onChartChanged={chartData.reload} />
              ) : (
                <p className="notice notice--info" data-testid="emergency-read-only">
                  {t('emergency.readOnly')}
                </p>
              )}
              <PatientDetails resource={contact.resource} onRetry={contact.reload} onSaved={contact.reload} onOpenAttention={onOpenAttention} />
              <VitalsHistory resource={history.resource} onRetry={history.reload} />
            </main>
          )}
        </>
      )}
    </div>
  );
}
