import type { FhirResource, RecordDocument } from '../../../sync/protocol/documents.js';
import { LOINC } from '../../../sync/protocol/fhir/identifiers.js';
import type { ReplicaDatabase } from '../../../sync/replica/replica.js';
import type { LabSpecimenOrder, LabSpecimenView } from '../../../preload/api/lab-specimen-schemas.js';
import { displayName } from '../services/fhir-views.js';
import { serviceRequestsOf } from './host-query-orders.js';

interface Coding {
  system?: string;
  code?: string;
  display?: string;
}

interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}

/**
 * Finds the Specimen with this accession number in the replica, with its patient and every
 * order of it (those the Specimen lists in `request` and those that name it in `specimen`).
 * Returns null when no Specimen has the accession, as when its order has not synced yet.
 */
export async function findSpecimenByAccession(replica: ReplicaDatabase, accession: string): Promise<LabSpecimenView | null> {
  const found = await replica.records.findOne({ selector: { resourceType: 'Specimen', accession } }).exec();
  if (!found) return null;
  const specimen = found.toJSON() as RecordDocument;
  const resource = specimen.resource;

  const patientDocument = specimen.patientId ? await replica.records.findOne(`Patient/${specimen.patientId}`).exec() : null;
  const patient = patientDocument?.toJSON() as RecordDocument | undefined;
  const requests = await serviceRequestsOf(replica, specimen);

  return {
    specimenId: specimen.id,
    accession,
    type: conceptText(resource.type as CodeableConcept | undefined),
    status: typeof resource.status === 'string' ? resource.status : null,
    collectedAt: stringOrNull((resource.collection as { collectedDateTime?: unknown } | undefined)?.collectedDateTime),
    patientId: patient?.patientId ?? specimen.patientId ?? null,
    patientName: patient ? displayName(patient.resource) : null,
    mrn: patient?.mrn || null,
    orders: requests.map((request) => orderView(request.id, request.resource)),
  };
}

function orderView(serviceRequestId: string, resource: FhirResource): LabSpecimenOrder {
  const code = resource.code as CodeableConcept | undefined;
  return {
    serviceRequestId,
    display: conceptText(code) ?? serviceRequestId,
    loinc: code?.coding?.find((coding) => coding.system === LOINC)?.code ?? null,
    status: typeof resource.status === 'string' ? resource.status : 'unknown',
    priority: stringOrNull(resource.priority),
    authoredOn: stringOrNull(resource.authoredOn),
  };
}

function conceptText(concept: CodeableConcept | undefined): string | null {
  return concept?.text ?? concept?.coding?.find((coding) => coding.display)?.display ?? null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
