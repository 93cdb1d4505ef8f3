import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ServerClient } from '../../../sync/client/server-client.js';
import type { CollectionName } from '../../../sync/protocol/collections.js';
import type { Checkpoint, PullResponse } from '../../../sync/protocol/wire.js';
import type { SyncServer } from '../../../sync/server/app.js';
import type { ServerTestHooks } from '../../../sync/server/context.js';
import type { HttpResult, TestStorage } from './helpers.js';
import {
  auditEventDocument,
  BACKENDS,
  createPostgresStorage,
  createStorage,
  patientIdsOfWard,
  request,
  signIn,
  startServer,
  SyncClient,
  vitalSignsDocument,
  WARD_4A,
  WARD_7B,
} from './helpers.js';

/**
 * The pull's `total=1` flag: the count of the documents of the feed from the request's checkpoint
 * to the feed horizon, for an initial sync's "n of N".
 */

function pullWithTotal(client: SyncClient, collection: CollectionName, checkpoint: Checkpoint | null, limit: number, total = '1'): Promise<HttpResult<PullResponse>> {
  const query = new URLSearchParams({ limit: String(limit), total });
  if (checkpoint) query.set('checkpoint', JSON.stringify(checkpoint));
  return request<PullResponse>(client.baseUrl, 'GET', `/sync/${collection}/pull?${query}`, { token: client.token });
}

/**
 * Repeats `read` until `done` holds, for at most `timeoutMs`. A transaction of another test
 * database in the same PostgreSQL cluster can hold the feed horizon back for a moment, and then
 * the feed and its total lag behind the writes just made.
 */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Pushes one entry and waits until the feed delivers it. The feed is in txid order, so every
 * earlier write, the seed's included, is then below the horizon, and a pull reads all of it.
 */
async function waitForEarlierWrites(client: SyncClient, patientId: string, markerId: string): Promise<void> {
  const marker = vitalSignsDocument(markerId, patientId);
  expect((await client.push('entries', [{ newDocumentState: marker }])).status).toBe(200);
  const { documents } = await eventually(
    () => client.pullAll('entries'),
    (result) => result.documents.some((document) => document.id === marker.id),
  );
  expect(documents.map((document) => document.id)).toContain(marker.id);
}

describe.each(BACKENDS)('pull total on %s', (backend) => {
  let storage: TestStorage;
  let server: SyncServer;
  let nurse4a: SyncClient;
  let patients4a: string[];
  let patients7b: string[];

  beforeAll(async () => {
    storage = await createStorage(backend, 'pull_total');
    server = await startServer(storage);
    nurse4a = await SyncClient.signIn(server.url, { wardId: WARD_4A, workstationId: 'ws-total-4a' });
    patients4a = await patientIdsOfWard(server, WARD_4A);
    patients7b = await patientIdsOfWard(server, WARD_7B);
    await waitForEarlierWrites(nurse4a, patients4a[0] as string, 'total-marker');
  });

  afterAll(async () => {
    try {
      await server?.close();
    } finally {
      await storage?.cleanup();
    }
  });

  it.each(['reference', 'records', 'entries'] as const)('counts the whole %s feed', async (collection) => {
    const { documents } = await nurse4a.pullAll(collection);
    expect(documents.length).toBeGreaterThan(0);

    const page = await pullWithTotal(nurse4a, collection, null, 5);
    expect(page.status).toBe(200);
    expect(page.body.total).toBe(documents.length);
    expect(page.body.documents.map((document) => document.id)).toEqual(documents.slice(0, 5).map((document) => document.id));
  });

  it('counts what is left after a checkpoint', async () => {
    const { documents } = await nurse4a.pullAll('records');
    const first = await pullWithTotal(nurse4a, 'records', null, 7);
    const second = await pullWithTotal(nurse4a, 'records', first.body.checkpoint, 7);

    expect(second.status).toBe(200);
    expect(second.body.total).toBe(documents.length - 7);
    expect(second.body.documents.map((document) => document.id)).toEqual(documents.slice(7, 14).map((document) => document.id));
  });

  it('returns zero and the checkpoint at the end', async () => {
    const { checkpoint } = await nurse4a.pullAll('records');
    const page = await pullWithTotal(nurse4a, 'records', checkpoint, 10);

    expect(page.status).toBe(200);
    expect(page.body.documents).toEqual([]);
    expect(page.body.checkpoint).toEqual(checkpoint);
    expect(page.body.total).toBe(0);
  });

  it('counts new entries but not AuditEvents or other wards', async () => {
    const { checkpoint } = await nurse4a.pullAll('entries');
    const rows = [
      { newDocumentState: vitalSignsDocument('total-own-1', patients4a[0] as string) },
      { newDocumentState: vitalSignsDocument('total-own-2', patients4a[1 % patients4a.length] as string) },
      { newDocumentState: auditEventDocument('total-audit-1', [patients4a[0] as string]) },
    ];
    expect((await nurse4a.push('entries', rows)).status).toBe(200);
    const nurse7b = await SyncClient.signIn(server.url, { wardId: WARD_7B, workstationId: 'ws-total-7b' });
    expect((await nurse7b.push('entries', [{ newDocumentState: vitalSignsDocument('total-other-ward', patients7b[0] as string) }])).status).toBe(200);

    const page = await eventually(
      () => pullWithTotal(nurse4a, 'entries', checkpoint, 100),
      (result) => result.body.documents.length >= 2,
    );

    expect(page.body.documents.map((document) => document.id).sort()).toEqual(['Observation/total-own-1', 'Observation/total-own-2']);
    expect(page.body.total).toBe(2);
  });

  it('leaves total out unless asked', async () => {
    const without = await nurse4a.pull('records', null, 5);
    const withZero = await pullWithTotal(nurse4a, 'records', null, 5, '0');

    expect(without.status).toBe(200);
    expect(without.body).not.toHaveProperty('total');
    expect(withZero.status).toBe(200);
    expect(withZero.body).not.toHaveProperty('total');
  });

  it('rejects an invalid total flag with 400', async () => {
    const page = await pullWithTotal(nurse4a, 'records', null, 5, 'yes');

    expect(page.status).toBe(400);
    expect((page.body as unknown as { message: string }).message).toContain('Invalid total');
  });

  it('reaches the client through ServerClient.pull', async () => {
    const client = new ServerClient({ baseUrl: server.url });
    const { token } = await signIn(server.url, 'nurse', WARD_4A, 'ws-total-client');
    const { documents } = await nurse4a.pullAll('records');

    const withTotal = await client.pull(token, 'records', undefined, 3, { total: true });
    const without = await client.pull(token, 'records', undefined, 3);

    expect(withTotal.total).toBe(documents.length);
    expect(withTotal.documents).toHaveLength(3);
    expect(without.total).toBeUndefined();
  });
});

/** An open transaction keeps the horizon back, which needs a second connection, so this runs on PostgreSQL only. */
describe('pull total below the horizon on postgresql', () => {
  let storage: TestStorage;
  let server: SyncServer;
  let nurse: SyncClient;
  let patients: string[];
  let release: () => void = () => undefined;
  let holding: Promise<void> = Promise.resolve();
  let signalHeld: () => void = () => undefined;
  const holdIds = new Set<string>();

  const hooks: ServerTestHooks = {
    async beforeCommit(documentIds) {
      if (!documentIds.some((id) => holdIds.has(id))) return;
      signalHeld();
      await new Promise<void>((resolve) => (release = resolve));
    },
  };

  beforeAll(async () => {
    storage = await createPostgresStorage('pull_total_horizon');
    server = await startServer(storage, { testHooks: hooks });
    nurse = await SyncClient.signIn(server.url, { wardId: WARD_4A, workstationId: 'ws-total-horizon' });
    patients = await patientIdsOfWard(server, WARD_4A);
    await waitForEarlierWrites(nurse, patients[0] as string, 'total-horizon-marker');
  });

  afterAll(async () => {
    release();
    try {
      await server?.close();
    } finally {
      await storage?.cleanup();
    }
  });

  it('counts no write at or after an open transaction', async () => {
    const { checkpoint } = await nurse.pullAll('entries');
    holdIds.add('Observation/total-held');
    holding = new Promise<void>((resolve) => (signalHeld = resolve));
    const heldPush = nurse.push('entries', [{ newDocumentState: vitalSignsDocument('total-held', patients[0] as string) }]);
    await holding;
    expect((await nurse.push('entries', [{ newDocumentState: vitalSignsDocument('total-after-held', patients[0] as string) }])).status).toBe(200);

    const whileHeld = await pullWithTotal(nurse, 'entries', checkpoint, 100);
    release();
    expect((await heldPush).status).toBe(200);
    const afterCommit = await eventually(
      () => pullWithTotal(nurse, 'entries', checkpoint, 100),
      (result) => result.body.total === 2,
    );

    expect(whileHeld.status).toBe(200);
    expect(whileHeld.body.documents).toEqual([]);
    expect(whileHeld.body.total).toBe(0);
    expect(afterCommit.body.total).toBe(2);
    expect(afterCommit.body.documents.map((document) => document.id).sort()).toEqual(['Observation/total-after-held', 'Observation/total-held']);
  });
});
