import { normalizeMangoQuery, prepareQuery } from 'rxdb';
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
    const encounterId = document.resource.id as string;
    const active = !deleted && ACTIVE_ENCOUNTER.has(String(document.resource.status)) && document.wardId !== '';
    if (active) index.setPlacement(document.patientId, { wardId: document.wardId, locationId: currentLocationId(document.resource), encounterId });
    // An encounter that ends clears the placement only if the placement came from it.
    else if (index.placementOf(document.patientId)?.encounterId === encounterId) index.setPlacement(document.patientId, undefined);
  }
}

const PAGE_SIZE = 2_000;

/**
 * Reads every live document of one resource type of the records collection, in pages, straight
 * from the storage instance: an RxQuery would make an RxDocument of each and keep the result in
 * RxDB's query cache, which for 100,000 patients held about 160 MB after start.
 */
async function* readPages(replica: ReplicaDatabase, resourceType: string): AsyncGenerator<RecordDocument[]> {
  const collection = replica.records;
  let after = '';
  for (;;) {
    const mango = { selector: { resourceType, patientId: { $gt: after }, _deleted: false }, sort: [{ resourceType: 'asc' }, { patientId: 'asc' }, { id: 'asc' }], limit: PAGE_SIZE, skip: 0 };
    const prepared = prepareQuery(collection.schema.jsonSchema, normalizeMangoQuery(collection.schema.jsonSchema, mango as never));
    const { documents } = await collection.storageInstance.query(prepared);
    if (documents.length === 0) return;
    yield documents as unknown as RecordDocument[];
    const last = documents.at(-1) as unknown as RecordDocument;
    // Several Encounters of one patient share a patientId: finish that patient before moving on.
    if (documents.length < PAGE_SIZE) return;
    after = last.patientId;
    const rest = await collection.storageInstance.query(
      prepareQuery(collection.schema.jsonSchema, normalizeMangoQuery(collection.schema.jsonSchema, { selector: { resourceType, patientId: after, _deleted: false } } as never)),
    );
    yield rest.documents as unknown as RecordDocument[];
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
    for await (const page of readPages(replica, resourceType)) {
      for (const document of page) apply(index, document, false, describe);
    }
  }
  return { index, subscription };
}
