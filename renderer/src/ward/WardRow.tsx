import type { KeyboardEvent } from 'react';

import type { WardPatientRow } from '../../../preload/api/index.js';
import { formatDateTime, formatRelative, formatTimeOrDateTime } from '../format/datetime.js';
import { formatAge, formatGender, orNotKnown } from '../format/patient.js';
import { t } from '../i18n/index.js';
import { News2Badge } from '../news2/News2Badge.js';
import { AllergyFlag } from './AllergyFlag.js';
import type { NewerIncompleteSet } from './newer-incomplete-set.js';
import { newerIncompleteSet } from './newer-incomplete-set.js';

interface WardRowProps {
  patient: WardPatientRow;
  now: Date;
  onOpen(patientId: string): void;
}

/**
 * Renders one bed of the ward list. A click, Enter or Space opens the patient's chart. A newer
 * incomplete set is shown beside the NEWS2, so the older total is never the only thing in view.
 */
export function WardRow({ patient, now, onOpen }: WardRowProps) {
  function handleKeyDown(event: KeyboardEvent<HTMLTableRowElement>) {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onOpen(patient.patientId);
    }
  }

  const news2 = patient.latestNews2;
  const incomplete = newerIncompleteSet(patient);
  const bed = patient.bed ?? t('ward.noBed');
  const label =
    incomplete === null
      ? t('ward.openChart', { name: patient.name, bed })
      : t('ward.openChartWithNotes', { name: patient.name, bed, notes: describeIncompleteSet(incomplete, now) });

  return (
    <tr
      className={incomplete?.singleParameterThree === true ? 'ward-row ward-row--red-score' : 'ward-row'}
      data-testid="ward-row"
      data-patient-id={patient.patientId}
      tabIndex={0}
      aria-label={label}
      onClick={() => onOpen(patient.patientId)}
      onKeyDown={handleKeyDown}
    >
      <td className="ward-row__bed">{patient.bed ?? <span className="muted">{t('ward.noBed')}</span>}</td>
      <td className="ward-row__name">{patient.name}</td>
      <td>{formatAge(patient.ageYears)}</td>
      <td>{formatGender(patient.gender)}</td>
      <td className="mono">{orNotKnown(patient.mrn)}</td>
      <td>
        <AllergyFlag status={patient.allergyStatus} count={patient.allergyCount} />
      </td>
      <td>
        <div className="ward-row__news2">
          {news2 === null ? <span className="muted">{t('ward.noNews2')}</span> : <News2Badge total={news2.total} level={news2.responseLevel} />}
          {incomplete !== null && <IncompleteSetMarker set={incomplete} now={now} />}
        </div>
      </td>
      <td>
        {news2 !== null && (
          <>
            <span className="ward-row__ago">{formatRelative(news2.effectiveDateTime, now)}</span>
            <span className="ward-row__when">{formatDateTime(news2.effectiveDateTime)}</span>
          </>
        )}
      </td>
    </tr>
  );
}

function IncompleteSetMarker({ set, now }: { set: NewerIncompleteSet; now: Date }) {
  return (
    <span
      className="incomplete-set"
      data-testid="ward-latest-incomplete"
      data-single-parameter-three={set.singleParameterThree ? 'true' : 'false'}
      title={t('ward.incompleteSetHint', { time: formatDateTime(set.effectiveDateTime) })}
    >
      <span className="incomplete-set__time">{t('ward.incompleteSet', { time: formatTimeOrDateTime(set.effectiveDateTime, now) })}</span>
      {set.singleParameterThree && <span className="incomplete-set__red">{t('ward.singleParameterThree')}</span>}
    </span>
  );
}

/** Returns the marker's text for the row's accessible name, so that it is announced when the row takes focus. */
function describeIncompleteSet(set: NewerIncompleteSet, now: Date): string {
  const time = t('ward.incompleteSet', { time: formatTimeOrDateTime(set.effectiveDateTime, now) });
  return set.singleParameterThree ? `${time}. ${t('ward.singleParameterThree')}.` : `${time}.`;
}
