import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { PullResponse, WireDocument } from '../../../sync/protocol/wire.js';
import type { SyncServer } from '../../../sync/server/app.js';
import type { TestStorage } from './helpers.js';
import { BACKENDS, createStorage, patientIdsOfWard, refusalOf, request, startServer, SyncClient, vitalSignsDocument, WARD_4A, WARD_7B, wardOfSeededLocation, wireDocumentOf } from './helpers.js';

describe.each(BACKENDS)('late entries after a transfer on %s', (backend) => {
  let storage: TestStorage;
  let server: SyncServer;
  let ward4a: SyncClient;
  let transferred: string;

  beforeAll(async () => {
    storage = await createStorage(backend, 'late_entries');
    server = await startServer(storage);
    ward4a = await SyncClient.signIn(server.url, { wardId: WARD_4A });
    const [first] = await patientIdsOfWard(server, WARD_4A);
    if (!first) throw new Error('ward 4A has no seeded patient');
    transferred = first;

    // Ward 4A moves the patient to a bed of ward 7B.
    const encounters = (await ward4a.pullAll('records')).documents.filter((document) => document.resourceType === 'Encounter' && document.patientId === transferred);
    const encounter = encounters[0] as WireDocument;
    const bed7b = (await (await SyncClient.signIn(server.url, { wardId: WARD_7B })).pullAll('reference')).documents.find((document) => document.id.startsWith('Location/bed-7b-'));
    const moved = { ...encounter.resource, location: [{ location: { reference: `Location/${bed7b?.resource.id as string}` }, status: 'active' }] };
    const result = await ward4a.push('records', [{ assumedMasterState: encounter, newDocumentState: wireDocumentOf(moved, wardOfSeededLocation) }]);
    if (result.status !== 200) throw new Error(`transfer failed with ${result.status}: ${JSON.stringify(result.body)}`);
  });

  afterAll(async () => {
    await server?.close();
    await storage?.cleanup();
  });

  it('accepts vitals charted on the old ward after the transfer', async () => {
    const result = await ward4a.push('entries', [{ newDocumentState: vitalSignsDocument('late-1', transferred) }]);

    expect(result.status).toBe(200);
    expect(result.body.conflicts).toEqual([]);
  });

  it('counts a departed patient in the total as the feed delivers them', async () => {
    const query = new URLSearchParams({ limit: '5', total: '1' });
    const counted = await request<PullResponse>(ward4a.baseUrl, 'GET', `/sync/entries/pull?${query}`, { token: ward4a.token });
    const { documents } = await ward4a.pullAll('entries');

    expect(documents.some((document) => document.patientId === transferred)).toBe(true);
    expect(counted.body.total).toBe(documents.length);
  });

  it('refuses them once the late-entry window has passed', async () => {
    await server.database.query("UPDATE ward_departures SET departed_at = now() - interval '4 days' WHERE patient_id = $1", [transferred]);

    const result = await ward4a.push('entries', [{ newDocumentState: vitalSignsDocument('late-2', transferred) }]);

    expect(refusalOf(result, 'Observation/late-2').status).toBe(403);
  });

  it('refuses entries for a patient who was never on the ward', async () => {
    const [other] = await patientIdsOfWard(server, WARD_7B);
    const neverHere = other === transferred ? (await patientIdsOfWard(server, WARD_7B))[1] : other;

    const result = await ward4a.push('entries', [{ newDocumentState: vitalSignsDocument('late-3', neverHere as string) }]);

    expect(refusalOf(result, 'Observation/late-3').status).toBe(403);
  });
});
