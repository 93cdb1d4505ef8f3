import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { SyncServer } from '../../../sync/server/app.js';
import { DATASET_EPOCH_HEADER, RECONCILE_HEADER, renewDatasetEpoch } from '../../../sync/server/dataset-epoch.js';
import type { TestStorage } from './helpers.js';
import { BACKENDS, createStorage, request, startServer, SyncClient, vitalSignsDocument } from './helpers.js';

describe.each(BACKENDS)('dataset epoch on %s', (backend) => {
  let storage: TestStorage;
  let server: SyncServer;

  beforeAll(async () => {
    storage = await createStorage(backend, 'dataset_epoch');
    server = await startServer(storage);
  });

  afterAll(async () => {
    try {
      await server?.close();
    } finally {
      await storage?.cleanup();
    }
  });

  async function epochOf(url: string): Promise<string | null> {
    return (await request(url, 'GET', '/health/')).headers.get(DATASET_EPOCH_HEADER);
  }

  it('names the same dataset on every response and after a restart', async () => {
    const first = await epochOf(server.url);
    expect(first).toMatch(/^[0-9a-f-]{36}\.[0-9a-f]{16}$/);
    const nurse = await SyncClient.signIn(server.url);
    expect((await nurse.pull('records', null, 1)).headers.get(DATASET_EPOCH_HEADER)).toBe(first);

    await server.close();
    server = await startServer(storage);
    expect(await epochOf(server.url)).toBe(first);
  });

  it('gives the dataset a new epoch when renewed, as the restore procedure does', async () => {
    const before = await epochOf(server.url);
    await server.close();
    // The renewal runs with the server stopped, as after a restore.
    server = await startServer(storage, { seed: false });
    const renewed = await renewDatasetEpoch(server.database);
    await server.close();
    server = await startServer(storage, { seed: false });

    expect(await epochOf(server.url)).toBe(renewed);
    expect(renewed).not.toBe(before);
  });

  it('counts the documents a re-sending workstation recovered, for IT only', async () => {
    const nurse = await SyncClient.signIn(server.url, { workstationId: 'ws-recovering' });
    const patients = (await nurse.pullAll('records')).documents.filter((document) => document.resourceType === 'Patient');
    const patientId = (patients[0]?.id ?? '').replace('Patient/', '');
    const entries = [vitalSignsDocument('recovered-1', patientId), vitalSignsDocument('recovered-2', patientId)];
    const pushed = await request(server.url, 'POST', '/sync/entries/push', {
      token: nurse.token,
      headers: { [RECONCILE_HEADER]: '1' },
      body: { rows: entries.map((document) => ({ newDocumentState: document })) },
    });
    expect(pushed.status).toBe(200);
    // A replay inserts nothing, so it recovers nothing more.
    await request(server.url, 'POST', '/sync/entries/push', { token: nurse.token, headers: { [RECONCILE_HEADER]: '1' }, body: { rows: entries.map((document) => ({ newDocumentState: document })) } });

    const admin = await SyncClient.signIn(server.url, { username: 'it-administrator' });
    const report = await request<{ recoveredDocuments: number; workstations: { workstationId: string; documents: number }[] }>(server.url, 'GET', '/admin/dataset', { token: admin.token });
    expect(report.status).toBe(200);
    expect(report.body.recoveredDocuments).toBe(2);
    expect(report.body.workstations.map(({ workstationId, documents }) => ({ workstationId, documents }))).toEqual([{ workstationId: 'ws-recovering', documents: 2 }]);

    expect((await request(server.url, 'GET', '/admin/dataset', { token: nurse.token })).status).toBe(403);
  });
});
