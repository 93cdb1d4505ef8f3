import { useRef } from 'react';

import { calls } from '../../../preload/api/index.js';
import { LoadFailedNotice } from '../api/ErrorNotice.js';
import { resourceValue, useApiResource } from '../api/useApiResource.js';
import { useFocusOnMount } from '../app/useFocusOnMount.js';
import { useNow } from '../app/useNow.js';
import { t } from '../i18n/index.js';
import { sortByBed } from './ward-order.js';
import { WardRow } from './WardRow.js';

interface WardListScreenProps {
  onOpenChart(patientId: string): void;
}

/** Lists the ward's patients by bed and reloads whenever the local replica changes. */
export function WardListScreen({ onOpenChart }: WardListScreenProps) {
  const { resource, reload } = useApiResource('ward', (api) => api.ward.listPatients({}), { reloadOnReplicaChange: true });
  const now = useNow();
  const headingRef = useRef<HTMLHeadingElement>(null);
  useFocusOnMount(headingRef);

  const rows = resourceValue(resource);
  return (
    <main className="screen">
      <h1 ref={headingRef} tabIndex={-1} className="screen__title">
        {t('ward.title')}
      </h1>

      {resource.status === 'loading' && <p className="muted">{t('ward.loading')}</p>}
      {resource.status === 'failed' && (
        <LoadFailedNotice
          error={resource.error}
          call={calls.ward.listPatients}
          subject={t('ward.subject')}
          describe={(reason) => t('ward.loadFailed', { message: reason })}
          onRetry={reload}
        />
      )}

      {rows !== undefined && rows.length === 0 && <p>{t('ward.empty')}</p>}
      {rows !== undefined && rows.length > 0 && (
        <table className="table ward-table" data-testid="ward-list">
          <thead>
            <tr>
              <th scope="col">{t('ward.column.bed')}</th>
              <th scope="col">{t('ward.column.name')}</th>
              <th scope="col">{t('ward.column.age')}</th>
              <th scope="col">{t('ward.column.sex')}</th>
              <th scope="col">{t('ward.column.mrn')}</th>
              <th scope="col">{t('ward.column.allergies')}</th>
              <th scope="col">{t('ward.column.news2')}</th>
              <th scope="col">{t('ward.column.news2Taken')}</th>
            </tr>
          </thead>
          <tbody>
            {sortByBed(rows).map((patient) => (
              <WardRow key={patient.patientId} patient={patient} now={now} onOpen={onOpenChart} />
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
