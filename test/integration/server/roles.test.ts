import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Role } from '../../../preload/api/roles.js';
import { ROLES } from '../../../preload/api/roles.js';
import type { CollectionName } from '../../../sync/protocol/collections.js';
import type { FhirResource } from '../../../sync/protocol/documents.js';
import { buildSpO2ScaleDecision } from '../../../sync/protocol/fhir/vital-signs.js';
import type { PushRow, WireDocument } from '../../../sync/protocol/wire.js';
import type { SyncServer } from '../../../sync/server/app.js';
import type { TestStorage } from './helpers.js';
import { diagnosticReportDocument, labObservationDocument, serviceRequestDocument, specimenDocument } from './lab-helpers.js';
import { auditEventDocument, BACKENDS, createStorage, patientIdsOfWard, refusalOf, startServer, SyncClient, TEST_NOW, vitalSignsDocument, WARD_4A, wardOfSeededLocation, wireDocumentOf } from './helpers.js';

function spo2ScaleDecisionDocument(id: string, patientId: string): WireDocument {
  return wireDocumentOf(
    buildSpO2ScaleDecision({ id, patientId, scale: 2, effectiveDateTime: TEST_NOW.toISOString(), performer: { reference: 'Practitioner/user-doctor', display: 'Demo Doctor' } }),
  );
}

function allergyDocument(id: string, patientId: string): WireDocument {
  return wireDocumentOf({
    resourceType: 'AllergyIntolerance',
    id,
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
    code: { coding: [{ system: 'http://snomed.info/sct', code: '91936005', display: 'Allergy to penicillin' }] },
    patient: { reference: `Patient/${patientId}` },
    recordedDate: TEST_NOW.toISOString(),
  });
}

/** One row of the server's write-permission table, with a way to build a push that writes such a document. */
interface TableRow {
  kind: string;
  collection: CollectionName;
  allowed: readonly Role[];
  /** Builds a push row that writes a new or changed document; `tag` makes each one distinct. */
  buildRow(tag: string): Promise<PushRow>;
}

describe.each(BACKENDS)('write permissions by role on %s', (backend) => {
  let storage: TestStorage;
  let server: SyncServer;
  let patientId: string;
  const clients = new Map<Role, SyncClient>();

  /**
   * Reads the stored document from the database, so that an edit assumes the current master state
   * even while another transaction in the PostgreSQL cluster holds pulls back.
   */
  async function stored(collection: CollectionName, id: string): Promise<WireDocument> {
    const { rows } = await server.database.query<{ document: WireDocument }>('SELECT document FROM documents WHERE collection = $1 AND id = $2', [collection, id]);
    const document = rows[0]?.document;
    if (!document) throw new Error(`${id} is not stored`);
    return document;
  }

  async function editRow(id: string, edit: (resource: FhirResource, tag: string) => FhirResource, tag: string): Promise<PushRow> {
    const current = await stored('records', id);
    return { newDocumentState: wireDocumentOf(edit(current.resource as FhirResource, tag), wardOfSeededLocation), assumedMasterState: current };
  }

  const TABLE: TableRow[] = [
    { kind: 'vitals panel', collection: 'entries', allowed: ['nurse', 'doctor'], buildRow: async (tag) => ({ newDocumentState: vitalSignsDocument(`vitals-${tag}`, patientId) }) },
    { kind: 'SpO2 scale decision', collection: 'entries', allowed: ['doctor'], buildRow: async (tag) => ({ newDocumentState: spo2ScaleDecisionDocument(`scale-${tag}`, patientId) }) },
    {
      kind: 'Patient edit',
      collection: 'records',
      allowed: ['nurse', 'doctor'],
      buildRow: (tag) => editRow(`Patient/${patientId}`, (resource, value) => ({ ...resource, telecom: [{ system: 'phone', value }] }), tag),
    },
    {
      kind: 'Encounter edit',
      collection: 'records',
      allowed: ['nurse', 'doctor'],
      buildRow: (tag) => editRow(`Encounter/admission-${patientId}`, (resource, value) => ({ ...resource, priority: { text: value } }), tag),
    },
    { kind: 'AllergyIntolerance', collection: 'records', allowed: ['nurse', 'doctor'], buildRow: async (tag) => ({ newDocumentState: allergyDocument(`allergy-${tag}`, patientId) }) },
    { kind: 'AuditEvent', collection: 'entries', allowed: ROLES, buildRow: async (tag) => ({ newDocumentState: auditEventDocument(`audit-${tag}`, [patientId]) }) },
    { kind: 'laboratory Observation', collection: 'entries', allowed: ['lab-technician'], buildRow: async (tag) => ({ newDocumentState: labObservationDocument(`lab-${tag}`, patientId) }) },
    {
      kind: 'DiagnosticReport',
      collection: 'entries',
      allowed: ['lab-technician'],
      buildRow: async (tag) => ({ newDocumentState: diagnosticReportDocument(`report-${tag}`, patientId, [], { specimenId: `specimen-${tag}`, orderId: `order-${tag}` }) }),
    },
    { kind: 'ServiceRequest', collection: 'records', allowed: ['nurse', 'doctor'], buildRow: async (tag) => ({ newDocumentState: serviceRequestDocument(`order-${tag}`, patientId) }) },
    { kind: 'Specimen', collection: 'records', allowed: ['nurse', 'doctor'], buildRow: async (tag) => ({ newDocumentState: specimenDocument(`specimen-${tag}`, patientId, `order-${tag}`, `ACC-${tag}`) }) },
  ];

  beforeAll(async () => {
    storage = await createStorage(backend, 'roles');
    server = await startServer(storage);
    for (const role of ROLES) clients.set(role, await SyncClient.signIn(server.url, { username: role, wardId: WARD_4A, workstationId: `ws-roles-${role}` }));
    patientId = (await patientIdsOfWard(server, WARD_4A))[0] as string;
  });

  afterAll(async () => {
    try {
      await server?.close();
    } finally {
      await storage?.cleanup();
    }
  });

  describe.each(TABLE)('$kind', (row) => {
    it.each(ROLES)('by %s', async (role) => {
      const pushRow = await row.buildRow(`${row.kind.replace(/\W+/g, '-').toLowerCase()}-${role}`);
      const pushed = await (clients.get(role) as SyncClient).push(row.collection, [pushRow]);
      const { rows } = await server.database.query<{ document: WireDocument }>('SELECT document FROM documents WHERE collection = $1 AND id = $2', [
        row.collection,
        pushRow.newDocumentState.id,
      ]);

      if (row.allowed.includes(role)) {
        expect(pushed.status).toBe(200);
        expect(pushed.body.conflicts).toEqual([]);
        expect(rows[0]?.document).toEqual(pushRow.newDocumentState);
      } else {
        const refusal = refusalOf(pushed, pushRow.newDocumentState.id);
        expect(refusal.status).toBe(403);
        const message = refusal.reason;
        expect(message).toContain(pushRow.newDocumentState.id);
        expect(message).toContain(`needs the role ${row.allowed.join(' or ')}`);
        expect(rows[0]?.document).not.toEqual(pushRow.newDocumentState);
      }
    });
  });

  it('rejects an Observation of another code from every role', async () => {
    for (const role of ROLES) {
      const heartRate = wireDocumentOf({
        resourceType: 'Observation',
        id: `heart-rate-${role}`,
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
        subject: { reference: `Patient/${patientId}` },
        effectiveDateTime: TEST_NOW.toISOString(),
        valueQuantity: { value: 72, unit: '/min' },
      });
      const pushed = await (clients.get(role) as SyncClient).push('entries', [{ newDocumentState: heartRate }]);
      expect(refusalOf(pushed, heartRate.id).status, role).toBe(403);
      expect(refusalOf(pushed, heartRate.id).reason, role).toContain(heartRate.id);
    }
  });

  it("rejects a nurse's overwrite of a doctor's SpO2 scale decision", async () => {
    const decision = spo2ScaleDecisionDocument('scale-overwritten', patientId);
    expect((await (clients.get('doctor') as SyncClient).push('entries', [{ newDocumentState: decision }])).status).toBe(200);

    const panel = vitalSignsDocument('scale-overwritten', patientId);
    const pushed = await (clients.get('nurse') as SyncClient).push('entries', [{ newDocumentState: panel, assumedMasterState: decision }]);
    expect(refusalOf(pushed, panel.id).status).toBe(403);
    expect(refusalOf(pushed, panel.id).reason).toContain('needs the role doctor');
    expect(await stored('entries', decision.id)).toEqual(decision);
  });

  it('refuses the one row a role may not write and stores the rest of the push', async () => {
    const panel = vitalSignsDocument('allowed-beside-a-refused-row', patientId);
    const decision = spo2ScaleDecisionDocument('refused-beside-an-allowed-row', patientId);
    const pushed = await (clients.get('nurse') as SyncClient).push('entries', [{ newDocumentState: panel }, { newDocumentState: decision }]);
    expect(refusalOf(pushed, decision.id).status).toBe(403);
    expect(pushed.body.rejected.map((rejection) => rejection.id)).toEqual([decision.id]);
    const { rows } = await server.database.query<{ id: string }>('SELECT id FROM documents WHERE id = ANY($1::text[])', [[panel.id, decision.id]]);
    expect(rows.map((row) => row.id)).toEqual([panel.id]);
  });

  it('applies a revoked role to tokens issued before', async () => {
    const doctor = await SyncClient.signIn(server.url, { username: 'doctor', wardId: WARD_4A, workstationId: 'ws-roles-revoked' });
    await server.database.query("UPDATE users SET roles = ARRAY['nurse'] WHERE username = 'doctor'");
    try {
      const pushed = await doctor.push('entries', [{ newDocumentState: spo2ScaleDecisionDocument('scale-after-revoke', patientId) }]);
      const refusal = refusalOf(pushed, 'Observation/scale-after-revoke');
      expect(refusal.status).toBe(403);
      expect(refusal.reason).toContain('user user-doctor has none');
    } finally {
      await server.database.query("UPDATE users SET roles = ARRAY['doctor'] WHERE username = 'doctor'");
    }
  });
});
