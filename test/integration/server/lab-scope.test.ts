import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { CollectionName } from '../../../sync/protocol/collections.js';
import type { FhirResource } from '../../../sync/protocol/documents.js';
import { SNOMED } from '../../../sync/protocol/fhir/identifiers.js';
import type { WireDocument } from '../../../sync/protocol/wire.js';
import type { SyncServer } from '../../../sync/server/app.js';
import { SEEDED_ACCESSIONS } from '../../../sync/server/seed/index.js';
import type { TestStorage } from './helpers.js';
import { BACKENDS, createStorage, patientIdsOfWard, refusalOf, signIn, startServer, SyncClient, TEST_NOW, vitalSignsDocument, WARD_4A, WARD_7B, wireDocumentOf } from './helpers.js';
import { diagnosticReportDocument, LAB_DEPARTMENT, labObservationDocument, pullUntilReceived, serviceRequestDocument, specimenDocument } from './lab-helpers.js';

const idsOf = (documents: readonly WireDocument[], resourceType: string) =>
  documents
    .filter((document) => document.resourceType === resourceType)
    .map((document) => document.id)
    .sort();

describe.each(BACKENDS)('lab scope on %s', (backend) => {
  let storage: TestStorage;
  let server: SyncServer;
  let lab: SyncClient;
  let nurse: SyncClient;
  let doctor: SyncClient;
  let ward4aRecords: WireDocument[];
  /** Patients with an open seeded order, read from ward 4A's Specimens. */
  let orderedPatients: Set<string>;

  /** Reads the stored document from the database, so that an edit assumes the current master state. */
  async function stored(collection: CollectionName, id: string): Promise<WireDocument> {
    const { rows } = await server.database.query<{ document: WireDocument }>('SELECT document FROM documents WHERE collection = $1 AND id = $2', [collection, id]);
    const document = rows[0]?.document;
    if (!document) throw new Error(`${id} is not stored`);
    return document;
  }

  async function membershipBasis(scopeId: string, patientId: string): Promise<string | undefined> {
    const { rows } = await server.database.query<{ basis: string }>('SELECT basis FROM ward_membership WHERE ward_id = $1 AND patient_id = $2', [scopeId, patientId]);
    return rows[0]?.basis;
  }

  function seededSpecimen(accession: string): WireDocument {
    const specimen = ward4aRecords.find((document) => document.resourceType === 'Specimen' && document.accession === accession);
    if (!specimen) throw new Error(`No seeded Specimen has accession ${accession}`);
    return specimen;
  }

  function orderIdOf(specimen: WireDocument): string {
    return ((specimen.resource.request as { reference: string }[])[0]?.reference ?? '').replace('ServiceRequest/', '');
  }

  /** Returns a ward 4A patient without any lab order, seeded or pushed by an earlier test. */
  async function patientWithoutOrders(): Promise<string> {
    const { rows } = await server.database.query<{ patient_id: string }>("SELECT DISTINCT patient_id FROM documents WHERE resource_type = 'ServiceRequest'");
    const ordered = new Set(rows.map((row) => row.patient_id));
    const candidate = (await patientIdsOfWard(server, WARD_4A)).find((patientId) => !ordered.has(patientId));
    if (!candidate) throw new Error('Every ward 4A patient has a lab order');
    return candidate;
  }

  async function pushOk(client: SyncClient, collection: CollectionName, rows: Parameters<SyncClient['push']>[1]): Promise<void> {
    const result = await client.push(collection, rows);
    expect(result.status).toBe(200);
    expect(result.body.rejected).toEqual([]);
    expect(result.body.conflicts).toEqual([]);
  }

  beforeAll(async () => {
    storage = await createStorage(backend, 'lab_scope');
    server = await startServer(storage);
    lab = await SyncClient.signIn(server.url, { username: 'lab-technician', wardId: LAB_DEPARTMENT, workstationId: 'ws-lab-bench' });
    nurse = await SyncClient.signIn(server.url, { username: 'nurse', wardId: WARD_4A, workstationId: 'ws-lab-4a-nurse' });
    doctor = await SyncClient.signIn(server.url, { username: 'doctor', wardId: WARD_4A, workstationId: 'ws-lab-4a-doctor' });
    ward4aRecords = (await nurse.pullAll('records')).documents;
    orderedPatients = new Set(SEEDED_ACCESSIONS.map((accession) => seededSpecimen(accession).patientId as string));
  });

  afterAll(async () => {
    try {
      await server?.close();
    } finally {
      await storage?.cleanup();
    }
  });

  it('signs a bench in to its department', async () => {
    const response = await signIn(server.url, 'lab-technician', LAB_DEPARTMENT, 'ws-lab-sign-in');

    expect(response.ward).toEqual({ id: LAB_DEPARTMENT, name: 'Core Laboratory' });
  });

  it('pulls exactly the patients with open orders', async () => {
    const labRecords = (await lab.pullAll('records')).documents;
    const labEntries = (await lab.pullAll('entries')).documents;
    const ward7bPatients = await patientIdsOfWard(server, WARD_7B);

    expect(orderedPatients.size).toBe(3);
    expect(idsOf(labRecords, 'Patient')).toEqual([...orderedPatients].map((patientId) => `Patient/${patientId}`).sort());
    expect(idsOf(labRecords, 'ServiceRequest')).toEqual(idsOf(ward4aRecords, 'ServiceRequest'));
    expect(idsOf(labRecords, 'Specimen')).toEqual(idsOf(ward4aRecords, 'Specimen'));
    expect(labRecords.filter((document) => document.resourceType === 'Specimen').map((document) => document.accession).sort()).toEqual([...SEEDED_ACCESSIONS].sort());
    expect(labRecords.filter((document) => !orderedPatients.has(document.patientId as string))).toEqual([]);
    expect(labEntries.length).toBeGreaterThan(0);
    expect(labEntries.filter((document) => !orderedPatients.has(document.patientId as string))).toEqual([]);
    expect(ward7bPatients.filter((patientId) => orderedPatients.has(patientId))).toEqual([]);
    const labLocations = (await lab.pullAll('reference')).documents.filter((document) => document.resourceType === 'Location');
    expect(labLocations.map((document) => document.id)).toEqual([`Location/${LAB_DEPARTMENT}`]);
  });

  it('sends bench results to the ward', async () => {
    const specimen = seededSpecimen('S1234');
    const patientId = specimen.patientId as string;
    const links = { specimenId: specimen.resource.id as string, orderId: orderIdOf(specimen) };
    const wardCheckpoint = (await nurse.pullAll('entries')).checkpoint;
    const hemoglobin = labObservationDocument('hb-s1234', patientId, links);
    const report = diagnosticReportDocument('cbc-s1234', patientId, [hemoglobin.resource.id as string], links);

    await pushOk(lab, 'entries', [{ newDocumentState: hemoglobin }, { newDocumentState: report }]);
    const received = await pullUntilReceived(nurse, 'entries', wardCheckpoint, [hemoglobin.id, report.id]);

    expect(received.find((document) => document.id === hemoglobin.id)).toEqual(hemoglobin);
    expect(received.find((document) => document.id === report.id)).toEqual(report);
    expect(report.code).toBe('http://loinc.org|58410-2');
    expect(hemoglobin.code).toBe('http://loinc.org|718-7');
  });

  it("accepts a report coded by the analyzer's test code", async () => {
    const specimen = seededSpecimen('27');
    const links = { specimenId: specimen.resource.id as string, orderId: orderIdOf(specimen) };
    const report = diagnosticReportDocument('report-astm-code', specimen.patientId as string, [], links);
    const resource: FhirResource = { ...report.resource, code: { coding: [{ system: 'urn:hms:analyzer-test-code:sysmex-xn550', code: 'CBC' }] } };

    await pushOk(lab, 'entries', [{ newDocumentState: { ...report, resource, code: 'urn:hms:analyzer-test-code:sysmex-xn550|CBC' } }]);

    expect((await stored('entries', report.id)).resource).toEqual(resource);
  });

  it('rejects lab results from a nurse', async () => {
    const patientId = seededSpecimen('27').patientId as string;
    const hemoglobin = labObservationDocument('hb-by-nurse', patientId);
    const report = diagnosticReportDocument('report-by-nurse', patientId, [hemoglobin.resource.id as string], { specimenId: 'specimen-27', orderId: 'lab-order-27' });

    const pushed = await nurse.push('entries', [{ newDocumentState: hemoglobin }, { newDocumentState: report }]);

    expect(refusalOf(pushed, hemoglobin.id).status).toBe(403);
    expect(refusalOf(pushed, hemoglobin.id).reason).toContain('needs the role lab-technician');
    expect(refusalOf(pushed, report.id).status).toBe(403);
    expect(refusalOf(pushed, report.id).reason).toContain('needs the role lab-technician');
  });

  it('keeps the vital signs rules', async () => {
    const patientId = seededSpecimen('27').patientId as string;
    const byLab = vitalSignsDocument('vitals-by-lab', patientId);

    await pushOk(nurse, 'entries', [{ newDocumentState: vitalSignsDocument('vitals-by-nurse', patientId) }]);
    const pushed = await lab.push('entries', [{ newDocumentState: byLab }]);

    expect(refusalOf(pushed, byLab.id).status).toBe(403);
    expect(refusalOf(pushed, byLab.id).reason).toContain('needs the role nurse or doctor');
  });

  it("lets the bench record only a specimen's receipt", async () => {
    const current = await stored('records', seededSpecimen('27').id);
    const receipt = wireDocumentOf({ ...current.resource, receivedTime: TEST_NOW.toISOString(), status: 'available' });
    const recollected = wireDocumentOf({ ...current.resource, collection: { collectedDateTime: TEST_NOW.toISOString() } });
    const deleted = { ...current, _deleted: true };
    const created = specimenDocument('specimen-by-lab', current.patientId as string, orderIdOf(current), 'LAB-NEW-1');

    await pushOk(lab, 'records', [{ newDocumentState: receipt, assumedMasterState: current }]);
    const refused = await lab.push('records', [
      { newDocumentState: { ...recollected, resource: { ...recollected.resource, receivedTime: TEST_NOW.toISOString() } }, assumedMasterState: receipt },
      { newDocumentState: created },
    ]);
    const deletion = await lab.push('records', [{ newDocumentState: { ...deleted, resource: receipt.resource }, assumedMasterState: receipt }]);

    expect(await stored('records', current.id)).toEqual(receipt);
    expect(refusalOf(refused, current.id).status).toBe(403);
    expect(refusalOf(refused, current.id).reason).toContain('may change only status and receivedTime of a Specimen, but this push also changes collection');
    expect(refusalOf(refused, created.id).status).toBe(403);
    expect(refusalOf(refused, created.id).reason).toContain('creating a Specimen needs the role nurse or doctor');
    expect(refusalOf(deletion, current.id).status).toBe(403);
    expect(refusalOf(deletion, current.id).reason).toContain('deleting a Specimen needs the role nurse or doctor');
  });

  it('adds a patient when an order opens', async () => {
    const patientId = await patientWithoutOrders();
    const labCheckpoint = (await lab.pullAll('records')).checkpoint;
    const order = serviceRequestDocument('order-opened', patientId);
    const specimen = specimenDocument('specimen-opened', patientId, 'order-opened', 'T-OPEN-1');

    await pushOk(doctor, 'records', [{ newDocumentState: order }, { newDocumentState: specimen }]);
    const received = await pullUntilReceived(lab, 'records', labCheckpoint, [`Patient/${patientId}`, order.id, specimen.id]);

    expect(await membershipBasis(LAB_DEPARTMENT, patientId)).toBe('service-request');
    expect(await membershipBasis(WARD_4A, patientId)).toBe('encounter');
    expect(received.find((document) => document.id === specimen.id)).toEqual(specimen);
  });

  it('removes a patient when the order completes', async () => {
    const patientId = await patientWithoutOrders();
    const order = serviceRequestDocument('order-completed', patientId);
    await pushOk(doctor, 'records', [{ newDocumentState: order }]);
    expect(await membershipBasis(LAB_DEPARTMENT, patientId)).toBe('service-request');

    const completed = wireDocumentOf({ ...order.resource, status: 'completed' });
    await pushOk(doctor, 'records', [{ newDocumentState: completed, assumedMasterState: order }]);
    const { rows: departures } = await server.database.query('SELECT 1 FROM ward_departures WHERE ward_id = $1 AND patient_id = $2', [LAB_DEPARTMENT, patientId]);
    const lateResult = await lab.push('entries', [{ newDocumentState: labObservationDocument('hb-late', patientId, { orderId: 'order-completed' }) }]);
    await server.database.query("UPDATE ward_departures SET departed_at = now() - interval '4 days' WHERE ward_id = $1 AND patient_id = $2", [LAB_DEPARTMENT, patientId]);
    const tooLate = await lab.push('entries', [{ newDocumentState: labObservationDocument('hb-too-late', patientId, { orderId: 'order-completed' }) }]);

    expect(await membershipBasis(LAB_DEPARTMENT, patientId)).toBeUndefined();
    expect(departures).toHaveLength(1);
    expect(await membershipBasis(WARD_4A, patientId)).toBe('encounter');
    expect(lateResult.status).toBe(200);
    expect(lateResult.body.rejected).toEqual([]);
    expect(refusalOf(tooLate, 'Observation/hb-too-late').status).toBe(403);
  });

  it('keeps a patient while another order is open', async () => {
    const first = seededSpecimen('S1234');
    const second = seededSpecimen('1DC042FP');
    const patientId = first.patientId as string;
    const order = await stored('records', `ServiceRequest/${orderIdOf(first)}`);

    await pushOk(doctor, 'records', [{ newDocumentState: wireDocumentOf({ ...order.resource, status: 'completed' }), assumedMasterState: order }]);

    expect(second.patientId).toBe(patientId);
    expect(await membershipBasis(LAB_DEPARTMENT, patientId)).toBe('service-request');
  });

  it('rejects invalid lab documents, naming the element', async () => {
    const patientId = seededSpecimen('27').patientId as string;
    const withoutAccession = specimenDocument('specimen-no-accession', patientId, 'lab-order-27', 'PLACEHOLDER');
    delete withoutAccession.resource.accessionIdentifier;
    delete withoutAccession.accession;
    const patient = await stored('records', `Patient/${patientId}`);
    const report = diagnosticReportDocument('report-bad-result', patientId, [], { specimenId: 'specimen-27', orderId: 'lab-order-27' });
    const reportOfSpecimen = { ...report, resource: { ...report.resource, result: [{ reference: 'Specimen/specimen-27' }] } };
    const cases: { client: SyncClient; collection: CollectionName; document: WireDocument; element: string }[] = [
      { client: doctor, collection: 'records', document: serviceRequestDocument('order-on-ward', patientId, { locationReference: [{ reference: `Location/${WARD_4A}` }] }), element: `resource.locationReference[0] names Location "${WARD_4A}", which is not a laboratory department on this server; name one of Location/${LAB_DEPARTMENT}` },
      { client: doctor, collection: 'records', document: serviceRequestDocument('order-snomed', patientId, { code: { coding: [{ system: SNOMED, code: '26604007' }] } }), element: 'resource.code.coding[0].system: must be a LOINC code' },
      { client: doctor, collection: 'records', document: serviceRequestDocument('order-no-category', patientId, { category: [] }), element: 'resource.category: must include the coding http://snomed.info/sct|108252007' },
      { client: doctor, collection: 'records', document: withoutAccession, element: 'resource.accessionIdentifier:' },
      { client: doctor, collection: 'records', document: specimenDocument('specimen-no-order', patientId, 'x', 'T-NO-ORDER', { request: [] }), element: 'resource.request: must name the ServiceRequest' },
      { client: doctor, collection: 'records', document: specimenDocument('specimen-duplicate', patientId, 'lab-order-27', '27'), element: 'already belongs to Specimen/specimen-27' },
      { client: doctor, collection: 'records', document: { ...patient, accession: '27' }, element: 'field accession is set, but only a Specimen has an accession number' },
      { client: lab, collection: 'entries', document: reportOfSpecimen, element: 'resource.result[0].reference: must reference a Observation' },
      { client: lab, collection: 'entries', document: { ...report, resource: { ...report.resource, id: 'report-uncoded', code: { text: 'CBC' } }, id: 'DiagnosticReport/report-uncoded', code: '' }, element: 'resource.code.coding:' },
      { client: lab, collection: 'entries', document: labObservationDocumentWithCode('hb-local-code', patientId, { system: 'urn:analyzer:pentra', code: 'HGB' }), element: 'resource.code.coding[0].system: must be a LOINC code' },
    ];

    for (const { client, collection, document, element } of cases) {
      const pushed = await client.push(collection, [{ newDocumentState: document, ...(document.id === patient.id ? { assumedMasterState: patient } : {}) }]);
      const refusal = refusalOf(pushed, document.id);
      expect(refusal.status, document.id).toBe(400);
      expect(refusal.reason, document.id).toContain(element);
    }
  });
});

/** Builds a lab result coded only by the analyzer's own test code, as an unmapped result would be. */
function labObservationDocumentWithCode(id: string, patientId: string, coding: { system: string; code: string }): WireDocument {
  const document = labObservationDocument(id, patientId);
  const resource: FhirResource = { ...document.resource, code: { coding: [coding] } };
  return { ...document, resource, code: `${coding.system}|${coding.code}` };
}
