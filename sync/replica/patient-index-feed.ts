import type { Subscription } from 'rxjs';

import type { RecordDocument } from '../protocol/documents.js';
import { PatientSearchIndex } from './patient-index.js';
import type { ReplicaDatabase } from './replica.js';

const ACTIVE_ENCOUNTER = new Set(['in-progress', 'onleave']);

function indexed(document: RecordDocument) {
  const birthDate = document.resource.birthDate;
  return { patientId: document.patientId, mrn: document.mrn, birthDate: typeof birthDate === 'string' ? birthDate : '', nameNorm: document.nameNorm };
}

function apply(index: PatientSearchIndex, document: RecordDocument, deleted: boolean): void {
  if (document.resourceType === 'Patient') {
    if (deleted) index.remove(document.patientId);
    else index.upsert(indexed(document));
  } else if (document.resourceType === 'Encounter') {
    const active = !deleted && ACTIVE_ENCOUNTER.has(String(document.resource.status)) && document.wardId !== '';
    index.setWard(document.patientId, active ? document.wardId : undefined);
  }
}

/**
 * Builds the patient search index from the replica's Patients and Encounters and keeps it current
 * from the records collection's change events. Unsubscribe the returned subscription on close.
 */
export async function followPatientIndex(replica: ReplicaDatabase): Promise<{ index: PatientSearchIndex; subscription: Subscription }> {
  const index = new PatientSearchIndex();
  const subscription = replica.records.$.subscribe((event) => {
    const document = (event.documentData ?? event.previousDocumentData) as RecordDocument | undefined;
    if (document) apply(index, document, event.operation === 'DELETE');
  });
  for (const resourceType of ['Patient', 'Encounter']) {
    const documents = await replica.records.find({ selector: { resourceType } }).exec();
    for (const document of documents) apply(index, document.toJSON() as RecordDocument, false);
  }
  return { index, subscription };
}
