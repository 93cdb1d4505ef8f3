import type { ChangeKind, ConflictRule, SyncConflict } from '../../../preload/api/index.js';
import { formatTimeOrDateTime } from '../format/datetime.js';
import { formatList } from '../format/text.js';
import type { PlainMessageKey } from '../i18n/index.js';
import { t } from '../i18n/index.js';

/** Labels of the FHIR elements a conflict can name; any other element is named by its FHIR name. */
const elementLabels: Record<string, PlainMessageKey> = {
  telecom: 'element.telecom',
  contact: 'element.contact',
  name: 'element.name',
  address: 'element.address',
  birthDate: 'element.birthDate',
  gender: 'element.gender',
  status: 'element.status',
  _deleted: 'element._deleted',
};

const reasons: Record<ConflictRule, PlainMessageKey> = {
  'field-merge': 'attention.reason.field-merge',
  'server-owned': 'attention.reason.server-owned',
  'server-deletion': 'attention.reason.server-deletion',
  'append-only': 'attention.reason.append-only',
  identical: 'attention.reason.identical',
};

const kinds: Record<ChangeKind, PlainMessageKey> = {
  'vital-signs': 'kind.vital-signs',
  'spo2-scale': 'kind.spo2-scale',
  patient: 'kind.patient',
  allergy: 'kind.allergy',
  encounter: 'kind.encounter',
  'audit-event': 'kind.audit-event',
  other: 'kind.other',
};

/** Names a FHIR element of a record in words, such as "phone number" for `telecom`. */
export function elementLabel(element: string): string {
  const key = elementLabels[element];
  return key === undefined ? t('element.other', { element }) : t(key);
}

/** Names what a conflict is about: its elements in words, "phone number and next of kin". */
export function describeElements(elements: readonly string[]): string {
  return elements.length === 0 ? t('element._deleted') : formatList(elements.map(elementLabel));
}

export function conflictReason(rule: ConflictRule): string {
  return t(reasons[rule]);
}

export function describeKind(kind: ChangeKind): string {
  return t(kinds[kind]);
}

/** Names the patient of a listed change by name and MRN, or notes that their copy is gone. */
export function patientLabel(change: { patientName: string | null; mrn: string | null }): string {
  if (change.patientName === null) return t('attention.unknownPatient');
  return change.mrn === null ? change.patientName : t('attention.patient', { name: change.patientName, mrn: change.mrn });
}

/** Says who wrote the central server's version, where and when, as far as the server said; null when it said nothing. */
export function serverAuthorLine(conflict: SyncConflict, now: Date): string | null {
  const author = conflict.serverAuthor;
  if (author === null || (author.userName === null && author.workstationId === null && author.writtenAt === null)) return null;
  return t('attention.serverAuthor', {
    name: author.userName ?? t('attention.unknownAuthor'),
    workstation: author.workstationId ?? t('attention.unknownWorkstation'),
    time: author.writtenAt === null ? t('attention.unknownTime') : formatTimeOrDateTime(author.writtenAt, now),
  });
}

/** Tells the nurse in one sentence what the server replaced, why, and when it was noticed. */
export function conflictHeadline(conflict: SyncConflict, now: Date): string {
  const what = describeElements(conflict.elements.map((element) => element.element));
  const reason = conflictReason(conflict.rule);
  const time = formatTimeOrDateTime(conflict.detectedAt, now);
  if (conflict.patientId === null) return t('attention.notAppliedNoPatient', { what, reason, time });
  return t('attention.notApplied', { what, patient: patientLabel(conflict), reason, time });
}
