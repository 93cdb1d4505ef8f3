import type { LabResultGroupView } from '../../../preload/api/lab-schemas.js';
import { t } from '../i18n/index.js';

interface PatientOfGroupProps {
  group: Pick<LabResultGroupView, 'specimenId' | 'patientName' | 'mrn'>;
  /** The words before the name: "Patient" by default, null where a list of facts already labels it. */
  label?: string | null;
}

/** Names the patient whose specimen a result group matched, or states that no specimen matched. */
export function PatientOfGroup({ group, label = t('lab.group.patient') }: PatientOfGroupProps) {
  if (group.specimenId === null) {
    return (
      <p className="lab-group__patient lab-warning-text" data-testid="lab-group-patient">
        {t('lab.group.noSpecimen')}
      </p>
    );
  }
  if (group.patientName === null) {
    return (
      <p className="lab-group__patient" data-testid="lab-group-patient">
        {t('lab.group.noPatient')}
      </p>
    );
  }
  return (
    <p className="lab-group__patient" data-testid="lab-group-patient">
      {label !== null && <span className="lab-label">{label} </span>}
      <strong>{group.patientName}</strong>
      {group.mrn !== null && (
        <>
          {' '}
          <span className="lab-label">{t('lab.group.mrn')}</span> <span className="lab-mrn">{group.mrn}</span>
        </>
      )}
    </p>
  );
}
