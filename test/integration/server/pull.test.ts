import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Checkpoint, PushRow, WireDocument } from '../../../sync/protocol/wire.js';
import type { SyncServer } from '../../../sync/server/app.js';
import type { TestStorage } from './helpers.js';
import { BACKENDS, createStorage, patientIdsOfWard, request, startServer, SyncClient, vitalSignsDocument, WARD_4A, WARD_7B } from './helpers.js';

/** Pulls from `from` until every id in `expected` arrived, for at most `timeoutMs`; fails on a repeat. */
async function pullUntilReceived(client: SyncClient, from: Checkpoint | null, expected: readonly string[], limit: number, timeoutMs = 15_000) {
  const received: WireDocument[] = [];
  const pageSizes: number[] = [];
  const checkpoints: Checkpoint[] = [];
  let checkpoint = from;
  const deadline = Date.now() + timeoutMs;
  while (!expected.every((id) => received.some((document) => document.id === id))) {
    if (Date.now() > deadline) throw new Error(`Timed out: received ${received.length} of ${expected.length} documents`);
    const page = await client.pull('entries', checkpoint, limit);
    expect(page.status).toBe(200);
    pageSizes.push(page.body.documents.length);
    received.push(...page.body.documents);
    checkpoint = page.body.checkpoint;
    if (checkpoint) checkpoints.push(checkpoint);
    // A transaction of another test run in the same PostgreSQL cluster can hold the feed back for
    // a moment. An empty page then means "not yet", so the next pull continues from the checkpoint.
    if (page.body.documents.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { received, pageSizes, checkpoints, checkpoint };
}

describe.each(BACKENDS)('pull on %s', (backend) => {
  let storage: TestStorage;
  let server: SyncServer;
  let nurse4a: SyncClient;
  let patients4a: string[];
  let patients7b: string[];

  beforeAll(async () => {
    storage = await createStorage(backend, 'pull');
    server = await startServer(storage);
    nurse4a = await SyncClient.signIn(server.url, { wardId: WARD_4A, workstationId: 'ws-pull-4a' });
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

  it('pages through one transaction without loss or repeat', async () => {
    const before = await nurse4a.pullAll('entries');
    const rows: PushRow[] = Array.from({ length: 230 }, (_, index) => ({
      newDocumentState: vitalSignsDocument(`paging-${String(index).padStart(3, '0')}`, patients4a[index % patients4a.length] as string),
    }));
    const pushed = await nurse4a.push('entries', rows);
    expect(pushed.status).toBe(200);
    expect(pushed.body.conflicts).toEqual([]);

    const expectedIds = rows.map((row) => row.newDocumentState.id);
    const { received, pageSizes, checkpoints } = await pullUntilReceived(nurse4a, before.checkpoint, expectedIds, 7);

    const receivedIds = received.map((document) => document.id);
    expect(new Set(receivedIds).size).toBe(receivedIds.length);
    expect(receivedIds.sort()).toEqual([...expectedIds].sort());
    expect(Math.max(...pageSizes)).toBe(7);
    expect(pageSizes.filter((size) => size === 7).length).toBeGreaterThanOrEqual(32);
    // All 230 share one txid, so only the id orders them across page boundaries.
    expect(new Set(checkpoints.map((checkpoint) => checkpoint.txid)).size).toBe(1);
  });

  it('returns the given checkpoint when nothing is new', async () => {
    const { checkpoint } = await nurse4a.pullAll('entries');
    const page = await nurse4a.pull('entries', checkpoint, 10);
    expect(page.status).toBe(200);
    expect(page.body.documents).toEqual([]);
    expect(page.body.checkpoint).toEqual(checkpoint);
  });

  it('orders pages the same as one pull', async () => {
    const whole = await nurse4a.pull('records', null, 1000);
    const paged = await nurse4a.pullAll('records', null, 13);
    expect(whole.body.documents.length).toBeLessThan(1000);
    expect(paged.pages).toBeGreaterThan(2);
    expect(paged.documents.map((document) => document.id)).toEqual(whole.body.documents.map((document) => document.id));
    expect(paged.checkpoint).toEqual(whole.body.checkpoint);
  });

  it("serves a ward only its own patients' records and entries", async () => {
    const nurse7b = await SyncClient.signIn(server.url, { wardId: WARD_7B, workstationId: 'ws-pull-7b' });
    for (const [client, own, other] of [
      [nurse4a, patients4a, patients7b],
      [nurse7b, patients7b, patients4a],
    ] as const) {
      for (const collection of ['records', 'entries'] as const) {
        const { documents } = await client.pullAll(collection);
        const patientIds = new Set(documents.map((document) => document.patientId as string));
        expect(documents.length).toBeGreaterThan(0);
        expect([...patientIds].filter((patientId) => !own.includes(patientId))).toEqual([]);
        expect([...patientIds].filter((patientId) => other.includes(patientId))).toEqual([]);
      }
    }
    expect(patients4a.length).toBeGreaterThan(0);
    expect(patients7b.length).toBeGreaterThan(0);
  });

  it('serves a ward only its own Locations', async () => {
    // The formulary's Medications have no ward and reach every workstation.
    const documents = (await nurse4a.pullAll('reference')).documents.filter((document) => document.resourceType === 'Location');
    const wardIds = new Set(documents.map((document) => document.wardId));
    expect(wardIds).toEqual(new Set([WARD_4A]));
    expect(documents.map((document) => document.id)).toContain('Location/ward-4a');
    expect(documents.map((document) => document.id)).not.toContain('Location/ward-7b');
  });

  it('rejects an unknown collection with 400', async () => {
    const result = await request<{ message: string }>(server.url, 'GET', '/sync/patients/pull', { token: nurse4a.token });
    expect(result.status).toBe(400);
    expect(result.body.message).toContain('"patients"');
  });

  it('rejects a checkpoint that is not JSON with 400', async () => {
    const result = await request<{ message: string }>(server.url, 'GET', `/sync/records/pull?checkpoint=${encodeURIComponent('{txid:1')}`, { token: nurse4a.token });
    expect(result.status).toBe(400);
    expect(result.body.message).toContain('{txid:1');
  });

  it('rejects a checkpoint with a non-decimal txid with 400', async () => {
    const value = JSON.stringify({ txid: '12a', id: 'Patient/x' });
    const result = await request<{ message: string }>(server.url, 'GET', `/sync/records/pull?checkpoint=${encodeURIComponent(value)}`, { token: nurse4a.token });
    expect(result.status).toBe(400);
    expect(result.body.message).toContain('12a');
  });

  it.each(['0', '1001', 'ten', '-5', '2.5'])('rejects limit %s with 400', async (limit) => {
    const result = await request<{ message: string }>(server.url, 'GET', `/sync/records/pull?limit=${limit}`, { token: nurse4a.token });
    expect(result.status).toBe(400);
    expect(result.body.message).toContain(`"${limit}"`);
  });

  it.runIf(backend === 'postgresql')('holds back rows of a transaction still open', async () => {
    const { checkpoint: start } = await nurse4a.pullAll('entries');
    const patientId = patients4a[0] as string;
    const held = vitalSignsDocument('held-back-in-open-transaction', patientId);
    const later = vitalSignsDocument('committed-after-the-open-one', patientId);

    const connection = new pg.Client({ connectionString: storage.databaseUrl });
    await connection.connect();
    try {
      await connection.query('BEGIN');
      await connection.query(
        `INSERT INTO documents (collection, id, resource_type, patient_id, ward_id, document, deleted)
         VALUES ('entries', $1, 'Observation', $2, '', $3::text::jsonb, false)`,
        [held.id, patientId, JSON.stringify(held)],
      );
      expect((await nurse4a.push('entries', [{ newDocumentState: later }])).status).toBe(200);

      const whileOpen = await nurse4a.pull('entries', start, 100);
      expect(whileOpen.status).toBe(200);
      expect(whileOpen.body.documents.map((document) => document.id)).toEqual([]);
      expect(whileOpen.body.checkpoint).toEqual(start);

      await connection.query('COMMIT');
    } finally {
      await connection.end();
    }

    const { received } = await pullUntilReceived(nurse4a, start, [held.id, later.id], 100);
    expect(received.map((document) => document.id)).toEqual([held.id, later.id]);
  });
});
