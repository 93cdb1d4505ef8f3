import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { FhirResource } from '../../../sync/protocol/documents.js';
import { buildMedicationAdministration } from '../../../sync/protocol/fhir/medication.js';
import type { WireDocument } from '../../../sync/protocol/wire.js';
import type { SyncServer } from '../../../sync/server/app.js';
import { FORMULARY } from '../../../sync/server/seed/medication-orders.js';
import type { TestStorage } from './helpers.js';
import { createStorage, refusalOf, startServer, SyncClient, TEST_NOW, wireDocumentOf } from './helpers.js';

/** Builds a dose given at the bedside, as the workstation's medication service does. */
function administrationOf(id: string, patientId: string, orderId: string): FhirResource {
  return buildMedicationAdministration({
    id,
    patientId,
    orderId,
    status: 'completed',
    effectiveDateTime: TEST_NOW.toISOString(),
    scheduledAt: TEST_NOW.toISOString(),
    performer: { reference: 'Practitioner/user-nurse', display: 'Demo Nurse' },
    product: { gtin: FORMULARY.paracetamol500.gtin, name: FORMULARY.paracetamol500.name, lot: 'L1', expirationDate: '2030-12-31' },
  });
}

describe('medication pushes', () => {
  let storage: TestStorage;
  let server: SyncServer;
  let nurse: SyncClient;
  let pharmacist: SyncClient;
  let order: WireDocument;

  beforeAll(async () => {
    storage = await createStorage('postgresql', 'medication_push');
    server = await startServer(storage);
    nurse = await SyncClient.signIn(server.url);
    pharmacist = await SyncClient.signIn(server.url, { username: 'pharmacist', workstationId: 'ws-pharmacy' });
    const records = (await nurse.pullAll('records')).documents;
    order = records.find((document) => document.resourceType === 'MedicationRequest') as WireDocument;
  });

  afterAll(async () => {
    await server?.close();
    await storage?.cleanup();
  });

  it('stores a nurse administration', async () => {
    const document = wireDocumentOf(administrationOf('adm-nurse', order.patientId as string, order.resource.id as string));
    const result = await nurse.push('entries', [{ newDocumentState: document }]);
    expect(result.status).toBe(200);
    expect(result.body.rejected).toEqual([]);
    const { rows } = await server.database.query<{ code: string }>("SELECT document->>'code' AS code FROM documents WHERE id = 'MedicationAdministration/adm-nurse'");
    expect(rows[0]?.code).toBe(`https://www.gs1.org/gtin|${FORMULARY.paracetamol500.gtin}`);
  });

  it('refuses an administration from a pharmacist', async () => {
    const document = wireDocumentOf(administrationOf('adm-pharmacist', order.patientId as string, order.resource.id as string));
    const refusal = refusalOf(await pharmacist.push('entries', [{ newDocumentState: document }]), document.id);
    expect(refusal.status).toBe(403);
    expect(refusal.reason).toContain('needs the role nurse or doctor');
  });

  it('refuses an administration without its scheduled time', async () => {
    const resource = administrationOf('adm-unscheduled', order.patientId as string, order.resource.id as string);
    const document = wireDocumentOf({ ...resource, extension: [] });
    const refusal = refusalOf(await nurse.push('entries', [{ newDocumentState: document }]), document.id);
    expect(refusal.status).toBe(400);
    expect(refusal.reason).toContain('resource.extension: must carry the scheduled dose time');
  });

  it('refuses a changed order from a workstation', async () => {
    const changed = { ...order, resource: { ...order.resource, status: 'stopped' } };
    const refusal = refusalOf(await nurse.push('records', [{ newDocumentState: changed, assumedMasterState: order }]), order.id);
    expect(refusal.status).toBe(403);
    expect(refusal.reason).toContain('medication orders come from the central HMS');
  });
});
