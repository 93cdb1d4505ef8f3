import type { Subscription } from 'rxjs';

import type { FhirResource, RecordDocument } from '../protocol/documents.js';
import { referencedId } from '../protocol/documents.js';
import type { IndexedPatient } from './patient-index.js';
import { PatientSearchIndex } from './patient-index.js';
import type { ReplicaDatabase } from './replica.js';

const ACTIVE_ENCOUNTER = new Set(['in-progress', 'onleave']);

/** Turns a Patient resource into the name and gender that search results show. */
export type DescribePatient = (patient: FhirResource) => Pick<IndexedPatient, 'displayName' | 'gender'>;

function indexed(document: RecordDocument, describe: DescribePatient): IndexedPatient {
  const birthDate = document.resource.birthDate;
  return {
    patientId: document.patientId,
    mrn: document.mrn,
    birthDate: typeof birthDate === 'string' ? birthDate : '',
    nameNorm: document.nameNorm,
    ...describe(document.resource),
  };
}

function currentLocationId(encounter: FhirResource): string {
  const locations = (encounter.location as { location?: unknown; status?: string }[] | undefined) ?? [];
  const current = locations.find((entry) => entry.status === 'active') ?? locations[0];
  return referencedId(current?.location, 'Location');
}

function apply(index: PatientSearchIndex, document: RecordDocument, deleted: boolean, describe: DescribePatient): void {
  if (document.resourceType === 'Patient') {
    if (deleted) index.remove(document.patientId);
    else index.upsert(indexed(document, describe));
  } else if (document.resourceType === 'Encounter') {
    const active = !deleted && ACTIVE_ENCOUNTER.has(String(document.resource.status)) && document.wardId !== '';
    index.setPlacement(document.patientId, active ? { wardId: document.wardId, locationId: currentLocationId(document.resource) } : undefined);
  }
}

/**
 * Builds the patient search index from the replica's Patients and Encounters and keeps it current
 * from the records collection's change events. Unsubscribe the returned subscription on close.
 */
export async function followPatientIndex(replica: ReplicaDatabase, describe: DescribePatient): Promise<{ index: PatientSearchIndex; subscription: Subscription }> {
  const index = new PatientSearchIndex();
  const subscription = replica.records.$.subscribe((event) => {
    const document = (event.documentData ?? event.previousDocumentData) as RecordDocument | undefined;
    if (document) apply(index, document, event.operation === 'DELETE', describe);
  });
  for (const resourceType of ['Patient', 'Encounter']) {
    const documents = await replica.records.find({ selector: { resourceType } }).exec();
    for (const document of documents) apply(index, document.toJSON() as RecordDocument, false, describe);
  }
  return { index, subscription };
}
