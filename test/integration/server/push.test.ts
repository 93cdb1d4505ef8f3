import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { FhirResource } from '../../../sync/protocol/documents.js';
import type { WireDocument } from '../../../sync/protocol/wire.js';
import type { SyncServer } from '../../../sync/server/app.js';
import type { TestStorage } from './helpers.js';
import { BACKENDS, createStorage, patientIdsOfWard, refusalOf, request, startServer, SyncClient, TEST_NOW, vitalSignsDocument, WARD_4A, WARD_7B, wireDocumentOf } from './helpers.js';

/** Maps every seeded bed and ward to its ward, as a workstation does from its pulled Locations. */
function wardOfLocation(locationId: string): string | undefined {
  if (locationId.startsWith('bed-4a-') || locationId === WARD_4A) return WARD_4A;
  if (locationId.startsWith('bed-7b-') || locationId === WARD_7B) return WARD_7B;
  return undefined;
}

/** Returns a copy of the object with its keys in reverse order, at every level. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([key, item]) => [key, reverseKeys(item)]));
}

function withPhone(document: WireDocument, phone: string): WireDocument {
  const resource = { ...document.resource, telecom: [{ system: 'phone', value: phone, use: 'mobile' }] };
  return wireDocumentOf(resource as FhirResource, wardOfLocation);
}

describe.each(BACKENDS)('push on %s', (backend) => {
  let storage: TestStorage;
  let server: SyncServer;
  let first4a: SyncClient;
  let second4a: SyncClient;
  let nurse7b: SyncClient;
  let patients4a: string[];
  let patients7b: string[];

  async function storedDocument(client: SyncClient, collection: 'records' | 'entries', id: string): Promise<WireDocument | undefined> {
    const { documents } = await client.pullAll(collection);
    return documents.find((document) => document.id === id);
  }

  async function freeBed(wardId: string, client: SyncClient): Promise<string> {
    const beds = (await client.pullAll('reference')).documents.filter((document) => document.id.startsWith('Location/bed-')).map((document) => document.resource.id as string);
    const occupied = new Set(
      (await client.pullAll('records')).documents
        .filter((document) => document.resourceType === 'Encounter')
        .map((document) => ((document.resource.location as { location: { reference: string } }[])[0]?.location.reference ?? '').replace('Location/', '')),
    );
    const free = beds.find((bed) => !occupied.has(bed));
    if (!free) throw new Error(`No free bed in ${wardId}`);
    return free;
  }

  beforeAll(async () => {
    storage = await createStorage(backend, 'push');
    server = await startServer(storage);
    first4a = await SyncClient.signIn(server.url, { wardId: WARD_4A, workstationId: 'ws-first-4a' });
    second4a = await SyncClient.signIn(server.url, { username: 'doctor', wardId: WARD_4A, workstationId: 'ws-second-4a' });
    nurse7b = await SyncClient.signIn(server.url, { wardId: WARD_7B, workstationId: 'ws-7b' });
    patients4a = await patientIdsOfWard(server, WARD_4A);
    patients7b = await patientIdsOfWard(server, WARD_7B);
  });

  afterAll(async () => {
    try {
      await server?.close();
    } finally {
      await storage?.cleanup();
    }
  });

  it('stores a new document exactly as sent', async () => {
    const document = { ...vitalSignsDocument('exact-copy', patients4a[0] as string), _meta: { lwt: 1234.5 } };
    const pushed = await first4a.push('entries', [{ newDocumentState: document }]);
    expect(pushed.status).toBe(200);
    expect(pushed.body.conflicts).toEqual([]);
    expect(await storedDocument(first4a, 'entries', document.id)).toEqual(document);
  });

  it('returns the master state for a stale assumed state', async () => {
    const patientId = patients4a[1] as string;
    const original = (await storedDocument(first4a, 'records', `Patient/${patientId}`)) as WireDocument;
    const fromFirst = withPhone(original, '555-0101');
    const fromSecond = withPhone(original, '555-0202');

    const firstPush = await first4a.push('records', [{ newDocumentState: fromFirst, assumedMasterState: original }]);
    expect(firstPush.status).toBe(200);
    expect(firstPush.body.conflicts).toEqual([]);

    const secondPush = await second4a.push('records', [{ newDocumentState: fromSecond, assumedMasterState: original }]);
    expect(secondPush.status).toBe(200);
    expect(secondPush.body.conflicts).toEqual([fromFirst]);
    expect(await storedDocument(second4a, 'records', original.id)).toEqual(fromFirst);
    // The author of the stored state comes beside the document, which stays exactly as pushed.
    expect(secondPush.body.conflictAuthors).toEqual([
      { id: original.id, userId: 'user-nurse', userName: 'Demo Nurse', workstationId: 'ws-first-4a', writtenAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    ]);
  });

  it('rejects a new document whose id exists as a conflict', async () => {
    const patientId = patients4a[2] as string;
    const stored = (await storedDocument(first4a, 'records', `Patient/${patientId}`)) as WireDocument;
    const pushed = await first4a.push('records', [{ newDocumentState: withPhone(stored, '555-0303') }]);
    expect(pushed.status).toBe(200);
    expect(pushed.body.conflicts).toEqual([stored]);
  });

  it('treats a replayed push as a no-op', async () => {
    const patientId = patients4a[3] as string;
    const original = (await storedDocument(first4a, 'records', `Patient/${patientId}`)) as WireDocument;
    const updated = withPhone(original, '555-0404');
    const row = { newDocumentState: updated, assumedMasterState: original };
    expect((await first4a.push('records', [row])).body.conflicts).toEqual([]);
    const { checkpoint } = await first4a.pullAll('records');

    const replayed = await first4a.push('records', [row]);
    expect(replayed.status).toBe(200);
    expect(replayed.body.conflicts).toEqual([]);
    const afterReplay = await first4a.pull('records', checkpoint, 100);
    expect(afterReplay.body.documents).toEqual([]);
  });

  it('compares documents whatever their key order', async () => {
    const patientId = patients4a[4] as string;
    const original = (await storedDocument(first4a, 'records', `Patient/${patientId}`)) as WireDocument;
    const updated = withPhone(original, '555-0505');
    const pushed = await first4a.push('records', [{ newDocumentState: updated, assumedMasterState: reverseKeys(original) as WireDocument }]);
    expect(pushed.body.conflicts).toEqual([]);
    expect(await storedDocument(first4a, 'records', original.id)).toEqual(updated);
  });

  it('keeps entries from two workstations', async () => {
    const patientId = patients4a[5] as string;
    const fromFirst = vitalSignsDocument('two-workstations-first', patientId, '2026-03-02T07:00:00.000Z');
    const fromSecond = vitalSignsDocument('two-workstations-second', patientId, '2026-03-02T07:00:00.000Z');
    const [firstPush, secondPush] = await Promise.all([first4a.push('entries', [{ newDocumentState: fromFirst }]), second4a.push('entries', [{ newDocumentState: fromSecond }])]);
    expect(firstPush.body.conflicts).toEqual([]);
    expect(secondPush.body.conflicts).toEqual([]);

    const { documents } = await first4a.pullAll('entries');
    expect(documents.find((document) => document.id === fromFirst.id)).toEqual(fromFirst);
    expect(documents.find((document) => document.id === fromSecond.id)).toEqual(fromSecond);
  });

  it('stores a deletion as a tombstone', async () => {
    const document = vitalSignsDocument('entered-in-error', patients4a[0] as string);
    await first4a.push('entries', [{ newDocumentState: document }]);
    const deleted = { ...document, _deleted: true };
    const pushed = await first4a.push('entries', [{ newDocumentState: deleted, assumedMasterState: document }]);
    expect(pushed.body.conflicts).toEqual([]);
    expect(await storedDocument(first4a, 'entries', document.id)).toEqual(deleted);
  });

  it('rejects a derived field that disagrees with the resource', async () => {
    const patientId = patients4a[0] as string;
    const patient = (await storedDocument(first4a, 'records', `Patient/${patientId}`)) as WireDocument;
    const cases: { collection: 'records' | 'entries'; document: WireDocument; field: string }[] = [
      { collection: 'records', document: { ...withPhone(patient, '555-0606'), nameNorm: 'someone else' }, field: 'nameNorm' },
      { collection: 'records', document: { ...withPhone(patient, '555-0606'), mrn: '00000000' }, field: 'mrn' },
      { collection: 'entries', document: { ...vitalSignsDocument('bad-code', patientId), code: 'http://loinc.org|1234-5' }, field: 'code' },
      { collection: 'entries', document: { ...vitalSignsDocument('bad-effective', patientId), effective: '2020-01-01T00:00:00.000Z' }, field: 'effective' },
      { collection: 'entries', document: { ...vitalSignsDocument('bad-patient', patientId), patientId: patients4a[1] as string }, field: 'patientId' },
      { collection: 'entries', document: { ...vitalSignsDocument('bad-id', patientId), id: 'Observation/another-id' }, field: 'id' },
    ];
    for (const { collection, document, field } of cases) {
      const pushed = await first4a.push(collection, [{ newDocumentState: document, assumedMasterState: collection === 'records' ? patient : undefined }]);
      const refusal = refusalOf(pushed, document.id);
      expect(refusal.status, field).toBe(400);
      const message = refusal.reason;
      expect(message, field).toContain(document.id);
      expect(message, field).toContain(field);
    }
    expect(await storedDocument(first4a, 'records', patient.id)).toEqual(patient);
  });

  it('rejects a resource type outside the collection', async () => {
    const pushed = await first4a.push('records', [{ newDocumentState: vitalSignsDocument('wrong-collection', patients4a[0] as string) }]);
    const refusal = refusalOf(pushed, 'Observation/wrong-collection');
    expect(refusal.status).toBe(400);
    expect(refusal.reason).toContain('records');
  });

  it('refuses only the invalid row of a push and stores the rest', async () => {
    const valid = vitalSignsDocument('valid-in-rejected-push', patients4a[0] as string);
    const invalid = { ...vitalSignsDocument('invalid-in-rejected-push', patients4a[0] as string), code: '' };
    const pushed = await first4a.push('entries', [{ newDocumentState: invalid }, { newDocumentState: valid }]);
    expect(refusalOf(pushed, invalid.id).status).toBe(400);
    expect(pushed.body.rejected).toHaveLength(1);
    expect(await storedDocument(first4a, 'entries', valid.id)).toEqual(valid);
    expect(await storedDocument(first4a, 'entries', invalid.id)).toBeUndefined();
  });

  it("rejects a write for another ward's patient", async () => {
    const document = vitalSignsDocument('other-ward', patients7b[0] as string);
    const pushed = await first4a.push('entries', [{ newDocumentState: document }]);
    expect(refusalOf(pushed, document.id).status).toBe(403);
    expect(refusalOf(pushed, document.id).reason).toContain('not in ward');
    expect(await storedDocument(nurse7b, 'entries', document.id)).toBeUndefined();
  });

  it('rejects a push to the reference collection', async () => {
    const { documents } = await first4a.pullAll('reference');
    const ward = documents.find((document) => document.id === 'Location/ward-4a') as WireDocument;
    const pushed = await first4a.push('reference', [{ newDocumentState: { ...ward, resource: { ...ward.resource, name: 'Renamed' } }, assumedMasterState: ward }]);
    expect(pushed.status).toBe(403);
  });

  it('rejects an entry for a patient in no ward', async () => {
    const pushed = await first4a.push('entries', [{ newDocumentState: vitalSignsDocument('unknown-patient', 'patient-nobody-admitted') }]);
    expect(refusalOf(pushed, 'Observation/unknown-patient').status).toBe(403);
  });

  it('admits a new patient pushed with their Encounter', async () => {
    const patientId = 'registered-at-the-bedside';
    const bed = await freeBed(WARD_4A, first4a);
    const patient = wireDocumentOf({ resourceType: 'Patient', id: patientId, name: [{ use: 'official', family: 'Doe', given: ['Alex'] }] });
    const encounter = wireDocumentOf(
      {
        resourceType: 'Encounter',
        id: `admission-${patientId}`,
        status: 'in-progress',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
        subject: { reference: `Patient/${patientId}` },
        location: [{ location: { reference: `Location/${bed}` }, status: 'active' }],
      },
      wardOfLocation,
    );
    expect(encounter.wardId).toBe(WARD_4A);

    const pushed = await first4a.push('records', [{ newDocumentState: patient }, { newDocumentState: encounter }]);
    expect(pushed.status).toBe(200);
    expect(await storedDocument(second4a, 'records', patient.id)).toEqual(patient);
    expect(await storedDocument(nurse7b, 'records', patient.id)).toBeUndefined();
    expect((await first4a.push('entries', [{ newDocumentState: vitalSignsDocument('first-set-of-new-patient', patientId) }])).status).toBe(200);
  });

  it('sends a transferred patient to the new ward', async () => {
    const patientId = patients4a[6] as string;
    const before7b = { records: (await nurse7b.pullAll('records')).checkpoint, entries: (await nurse7b.pullAll('entries')).checkpoint };
    const encounter = (await storedDocument(first4a, 'records', `Encounter/admission-${patientId}`)) as WireDocument;
    const bed = await freeBed(WARD_7B, nurse7b);
    const transferred = wireDocumentOf(
      { ...encounter.resource, location: [{ location: { reference: `Location/${bed}` }, status: 'active', period: { start: TEST_NOW.toISOString() } }] },
      wardOfLocation,
    );
    expect(transferred.wardId).toBe(WARD_7B);

    const pushed = await first4a.push('records', [{ newDocumentState: transferred, assumedMasterState: encounter }]);
    expect(pushed.status).toBe(200);
    expect(pushed.body.conflicts).toEqual([]);

    const records7b = (await nurse7b.pullAll('records', before7b.records)).documents.map((document) => document.id);
    expect(records7b).toContain(`Patient/${patientId}`);
    expect(records7b).toContain(transferred.id);
    const entries7b = (await nurse7b.pullAll('entries', before7b.entries)).documents;
    expect(entries7b.filter((document) => document.patientId === patientId).length).toBeGreaterThanOrEqual(8);

    expect((await nurse7b.push('entries', [{ newDocumentState: vitalSignsDocument('after-transfer-7b', patientId) }])).status).toBe(200);
    // The old ward's late entries are still accepted for 72 hours (late-entries.test.ts covers the window).
    expect((await first4a.push('entries', [{ newDocumentState: vitalSignsDocument('after-transfer-4a', patientId) }])).status).toBe(200);
    const encounterEdit = { ...transferred.resource, status: 'onleave' };
    const edited = wireDocumentOf(encounterEdit, wardOfLocation);
    expect(refusalOf(await first4a.push('records', [{ newDocumentState: edited, assumedMasterState: transferred }]), edited.id).status).toBe(403);
  });

  it('rejects a push body that is not a push request', async () => {
    const result = await request<{ message: string }>(server.url, 'POST', '/sync/entries/push', { token: first4a.token, body: { documents: [] } });
    expect(result.status).toBe(400);
    expect(result.body.message).toContain('rows');
  });
});
