import type { KeyboardEvent } from 'react';

import type { WardPatientRow } from '../../../preload/api/index.js';
import { formatDateTime, formatRelative } from '../format/datetime.js';
import { formatAge, formatGender, orNotKnown } from '../format/patient.js';
import { t } from '../i18n/index.js';
import { News2Badge } from '../news2/News2Badge.js';
import { AllergyFlag } from './AllergyFlag.js';

interface WardRowProps {
  patient: WardPatientRow;
  now: Date;
  onOpen(patientId: string): void;
}

/** Renders one bed of the ward list. A click, Enter or Space opens the patient's chart. */
export function WardRow({ patient, now, onOpen }: WardRowProps) {
  function handleKeyDown(event: KeyboardEvent<HTMLTableRowElement>) {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onOpen(patient.patientId);
    }
  }

  const news2 = patient.latestNews2;
  return (
    <tr
      className="ward-row"
      data-testid="ward-row"
      data-patient-id={patient.patientId}
      tabIndex={0}
      aria-label={t('ward.openChart', { name: patient.name, bed: patient.bed ?? t('ward.noBed') })}
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
      <td>{news2 === null ? <span className="muted">{t('ward.noNews2')}</span> : <News2Badge total={news2.total} level={news2.responseLevel} />}</td>
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
