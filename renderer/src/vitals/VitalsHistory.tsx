import type { News2Parameter, VitalSignsSet } from '../../../preload/api/index.js';
import { calls } from '../../../preload/api/index.js';
import { LoadFailedNotice } from '../api/ErrorNotice.js';
import type { Resource } from '../api/useApiResource.js';
import { resourceValue } from '../api/useApiResource.js';
import { useNow } from '../app/useNow.js';
import { formatDateTime, formatRelative } from '../format/datetime.js';
import { formatDecimal } from '../format/text.js';
import type { PlainMessageKey } from '../i18n/index.js';
import { t } from '../i18n/index.js';
import { News2Badge } from '../news2/News2Badge.js';
import { SyncStateTag } from '../sync/SyncStateTag.js';
import { newestFirst } from './history-order.js';

interface VitalsHistoryProps {
  resource: Resource<VitalSignsSet[]>;
  onRetry(): void;
}

const columns: readonly { parameter: News2Parameter; heading: PlainMessageKey }[] = [
  { parameter: 'respiratoryRate', heading: 'history.column.respiratoryRate' },
  { parameter: 'spo2', heading: 'history.column.spo2' },
  { parameter: 'onOxygen', heading: 'history.column.onOxygen' },
  { parameter: 'systolicBloodPressure', heading: 'history.column.systolicBloodPressure' },
  { parameter: 'pulse', heading: 'history.column.pulse' },
  { parameter: 'consciousness', heading: 'history.column.consciousness' },
  { parameter: 'temperature', heading: 'history.column.temperature' },
];

function formatObservation(set: VitalSignsSet, parameter: News2Parameter): string | null {
  const observations = set.observations;
  switch (parameter) {
    case 'onOxygen':
      if (observations.onOxygen === undefined) return null;
      return observations.onOxygen ? t('history.oxygen') : t('history.air');
    case 'consciousness':
      return observations.consciousness ?? null;
    case 'temperature':
      return observations.temperature === undefined ? null : formatDecimal(observations.temperature, 1);
    default: {
      const value = observations[parameter];
      return value === undefined ? null : String(value);
    }
  }
}

/** Renders the observation sets charted for this patient, newest first, with each set's NEWS2. */
export function VitalsHistory({ resource, onRetry }: VitalsHistoryProps) {
  const now = useNow();
  const sets = resourceValue(resource);

  return (
    <section className="vitals-history" aria-labelledby="vitals-history-title">
      <h2 id="vitals-history-title" className="section-title">
        {t('history.title')}
      </h2>

      {resource.status === 'loading' && <p className="muted">{t('history.loading')}</p>}
      {resource.status === 'failed' && (
        <LoadFailedNotice
          error={resource.error}
          call={calls.vitals.list}
          subject={t('history.subject')}
          describe={(reason) => t('history.loadFailed', { message: reason })}
          onRetry={onRetry}
        />
      )}
      {sets !== undefined && sets.length === 0 && <p className="muted">{t('history.empty')}</p>}

      {sets !== undefined && sets.length > 0 && (
        <table className="table history-table" data-testid="vitals-history">
          <thead>
            <tr>
              <th scope="col">{t('history.column.time')}</th>
              {columns.map((column) => (
                <th scope="col" key={column.parameter} className="num">
                  {t(column.heading)}
                </th>
              ))}
              <th scope="col">{t('history.column.news2')}</th>
              <th scope="col">{t('history.column.recordedBy')}</th>
              <th scope="col">{t('history.column.sync')}</th>
            </tr>
          </thead>
          <tbody>
            {newestFirst(sets).map((set) => (
              <HistoryRow key={set.id} set={set} now={now} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function HistoryRow({ set, now }: { set: VitalSignsSet; now: Date }) {
  const news2 = set.news2;
  return (
    <tr data-testid="vitals-history-row" data-vitals-id={set.id} data-sync-state={set.syncState}>
      <td>
        <span className="history-table__when">{formatDateTime(set.effectiveDateTime)}</span>
        <span className="history-table__ago">{formatRelative(set.effectiveDateTime, now)}</span>
      </td>
      {columns.map(({ parameter }) => {
        const text = formatObservation(set, parameter);
        const subScore = news2.subScores[parameter];
        return (
          <td key={parameter} className={subScore === undefined || subScore === 0 ? 'num' : `num cell-score cell-score--${subScore}`}>
            {text ?? (
              <span className="muted" title={t('history.notMeasured')}>
                <span aria-hidden="true">–</span>
                <span className="visually-hidden">{t('history.notMeasured')}</span>
              </span>
            )}
            {parameter === 'spo2' && text !== null && news2.scale === 2 && <span className="tag tag--scale">{t('history.scale2')}</span>}
          </td>
        );
      })}
      <td>
        {news2.total === null || news2.responseLevel === null ? (
          <span className="muted">{t('news2.incompleteShort')}</span>
        ) : (
          <News2Badge total={news2.total} level={news2.responseLevel} />
        )}
      </td>
      <td>
        {set.recordedBy}
        {set.generated && (
          <span className="tag tag--generated" title={t('history.generatedHint')}>
            {t('history.generated')}
          </span>
        )}
      </td>
      <td>
        <SyncStateTag state={set.syncState} />
      </td>
    </tr>
  );
}
