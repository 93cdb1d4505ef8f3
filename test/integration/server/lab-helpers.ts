import type { FhirResource } from '../../../sync/protocol/documents.js';
import { ACCESSION_SYSTEM, LOINC } from '../../../sync/protocol/fhir/identifiers.js';
import { buildDiagnosticReport, buildLabObservation, LABORATORY_PROCEDURE } from '../../../sync/protocol/fhir/laboratory.js';
import type { Checkpoint, WireDocument } from '../../../sync/protocol/wire.js';
import { LAB_PANELS, SEEDED_LAB_DEPARTMENT } from '../../../sync/server/seed/index.js';
import type { SyncClient } from './helpers.js';
import { TEST_NOW, wireDocumentOf } from './helpers.js';

/** Lab orders and results as a ward or lab bench workstation builds them, for the server tests. */

export const LAB_DEPARTMENT = SEEDED_LAB_DEPARTMENT.id;

const LAB_TECHNICIAN = { reference: 'Practitioner/user-lab-technician', display: 'Demo Lab Technician' };

/** Builds an active CBC order for the seeded laboratory, with `overrides` on top of the resource. */
export function serviceRequestDocument(id: string, patientId: string, overrides: Partial<FhirResource> = {}): WireDocument {
  return wireDocumentOf({
    resourceType: 'ServiceRequest',
    id,
    status: 'active',
    intent: 'order',
    category: [{ coding: [{ ...LABORATORY_PROCEDURE }] }],
    code: { coding: [{ system: LOINC, ...LAB_PANELS.cbc }] },
    subject: { reference: `Patient/${patientId}` },
    authoredOn: TEST_NOW.toISOString(),
    requester: { reference: 'Practitioner/user-doctor', display: 'Demo Doctor' },
    locationReference: [{ reference: `Location/${LAB_DEPARTMENT}` }],
    ...overrides,
  });
}

/** Builds a collected blood Specimen for an order, with `overrides` on top of the resource. */
export function specimenDocument(id: string, patientId: string, orderId: string, accession: string, overrides: Partial<FhirResource> = {}): WireDocument {
  return wireDocumentOf({
    resourceType: 'Specimen',
    id,
    status: 'available',
    accessionIdentifier: { system: ACCESSION_SYSTEM, value: accession },
    subject: { reference: `Patient/${patientId}` },
    request: [{ reference: `ServiceRequest/${orderId}` }],
    collection: { collectedDateTime: TEST_NOW.toISOString() },
    ...overrides,
  });
}

/** Builds a final haemoglobin result as an analyzer run at the bench produces it. */
export function labObservationDocument(id: string, patientId: string, links: { specimenId?: string; orderId?: string } = {}): WireDocument {
  return wireDocumentOf(
    buildLabObservation({
      id,
      patientId,
      loinc: { code: '718-7', display: 'Hemoglobin [Mass/volume] in Blood' },
      status: 'final',
      effectiveDateTime: TEST_NOW.toISOString(),
      issued: TEST_NOW.toISOString(),
      quantity: { value: 14, unit: 'g/dL' },
      referenceRange: { low: 12, high: 16, unit: 'g/dL' },
      performer: LAB_TECHNICIAN,
      ...(links.specimenId ? { specimenId: links.specimenId } : {}),
      ...(links.orderId ? { serviceRequestId: links.orderId } : {}),
    }),
  );
}

/** Builds the final report of one CBC run that groups `observationIds`. */
export function diagnosticReportDocument(id: string, patientId: string, observationIds: readonly string[], links: { specimenId: string; orderId: string }): WireDocument {
  return wireDocumentOf(
    buildDiagnosticReport({
      id,
      patientId,
      loinc: LAB_PANELS.cbc,
      status: 'final',
      effectiveDateTime: TEST_NOW.toISOString(),
      issued: TEST_NOW.toISOString(),
      observationIds,
      specimenIds: [links.specimenId],
      serviceRequestIds: [links.orderId],
      performer: LAB_TECHNICIAN,
    }),
  );
}

/**
 * Pulls from `from` until every id in `expected` arrived, for at most `timeoutMs`. A transaction of
 * another test run in the same PostgreSQL cluster can hold the feed back for a moment, so an empty
 * page means "not yet".
 */
export async function pullUntilReceived(client: SyncClient, collection: 'records' | 'entries', from: Checkpoint | null, expected: readonly string[], timeoutMs = 15_000): Promise<WireDocument[]> {
  const received: WireDocument[] = [];
  let checkpoint = from;
  const deadline = Date.now() + timeoutMs;
  while (!expected.every((id) => received.some((document) => document.id === id))) {
    if (Date.now() > deadline) throw new Error(`Timed out: received ${received.map((document) => document.id).join(', ') || 'nothing'}, expected ${expected.join(', ')}`);
    const page = await client.pull(collection, checkpoint, 1000);
    if (page.status !== 200) throw new Error(`Pull of ${collection} failed with ${page.status}: ${JSON.stringify(page.body)}`);
    received.push(...page.body.documents);
    checkpoint = page.body.checkpoint;
    if (page.body.documents.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return received;
}
