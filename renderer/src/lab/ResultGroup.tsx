import type { LabResultGroupView } from '../../../preload/api/lab-schemas.js';
import type { PlainMessageKey } from '../i18n/index.js';
import { t } from '../i18n/index.js';
import { Hint } from '../shell/Hint.js';
import type { GroupState } from './group-state.js';
import { PatientOfGroup } from './PatientOfGroup.js';
import { ResultTable } from './ResultTable.js';

const stateLabels: Record<GroupState, PlainMessageKey> = {
  stored: 'lab.group.state.stored',
  waiting: 'lab.group.state.waiting',
  released: 'lab.group.state.released',
  rejected: 'lab.group.state.rejected',
  reviewed: 'lab.group.state.reviewed',
  held: 'lab.group.state.held',
};

const stateHints: Record<GroupState, PlainMessageKey> = {
  stored: 'lab.group.state.storedHint',
  waiting: 'lab.group.state.waitingHint',
  released: 'lab.group.state.releasedHint',
  rejected: 'lab.group.state.rejectedHint',
  reviewed: 'lab.group.state.reviewedHint',
  held: 'lab.group.state.heldHint',
};

interface ResultGroupProps {
  group: LabResultGroupView;
  state: GroupState;
  selected?: number | null;
  onOpenResult?: (resultIndex: number) => void;
}

/** Shows the results of one specimen in a message: its accession, its patient, where the results went, and the results. */
export function ResultGroup({ group, state, selected = null, onOpenResult }: ResultGroupProps) {
  const accession = group.accession === '' ? null : group.accession;

  return (
    <div className="lab-group" data-testid="lab-group" data-accession={group.accession} data-state={state}>
      <div className="lab-group__header">
        <p className="lab-group__accession">
          <span className="lab-label">{t('lab.group.accession')}</span>{' '}
          {accession === null ? <span className="lab-warning-text">{t('lab.group.noAccession')}</span> : <strong className="lab-accession">{accession}</strong>}
        </p>
        <PatientOfGroup group={group} />
        <Hint className={`lab-group-state lab-group-state--${state}`} hint={t(stateHints[state])} testId="lab-group-state">
          {t(stateLabels[state])}
        </Hint>
      </div>
      <ResultTable
        results={group.results}
        caption={accession === null ? t('lab.group.captionNoAccession') : t('lab.group.caption', { accession })}
        selected={selected}
        onOpenResult={onOpenResult}
      />
    </div>
  );
}
