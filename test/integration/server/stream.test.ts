import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { SyncServer } from '../../../sync/server/app.js';
import type { TestStorage } from './helpers.js';
import { BACKENDS, createStorage, EventStreamReader, isResync, patientIdsOfWard, startServer, SyncClient, vitalSignsDocument, WARD_4A } from './helpers.js';

const HEARTBEAT_INTERVAL_MS = 100;

describe.each(BACKENDS)('event stream on %s', (backend) => {
  let storage: TestStorage;
  let server: SyncServer;
  let nurse: SyncClient;
  let patientId: string;
  const streams: EventStreamReader[] = [];

  async function openStream(url = server.url, token = nurse.token): Promise<EventStreamReader> {
    const stream = await EventStreamReader.open(url, token);
    streams.push(stream);
    return stream;
  }

  beforeAll(async () => {
    storage = await createStorage(backend, 'stream');
    server = await startServer(storage, { heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS });
    nurse = await SyncClient.signIn(server.url, { wardId: WARD_4A, workstationId: 'ws-stream' });
    patientId = (await patientIdsOfWard(server, WARD_4A))[0] as string;
  });

  afterAll(async () => {
    for (const stream of streams) stream.close();
    try {
      await server?.close();
    } finally {
      await storage?.cleanup();
    }
  });

  it('sends a resync of every collection on connect', async () => {
    const stream = await openStream();
    expect(stream.status).toBe(200);
    const first = await stream.next();
    expect(first).toEqual({ event: 'resync', data: { collections: ['reference', 'records', 'entries'] } });
  });

  it('sends a resync after a push', async () => {
    const stream = await openStream();
    await stream.next(isResync());

    const pushed = await nurse.push('entries', [{ newDocumentState: vitalSignsDocument('stream-push', patientId) }]);
    expect(pushed.status).toBe(200);
    const event = await stream.next((candidate) => candidate.event === 'resync');
    expect(event.data).toEqual({ collections: ['entries'] });
  });

  it('sends heartbeats at the configured interval', async () => {
    const stream = await openStream();
    const startedAt = Date.now();
    const first = await stream.next((event) => event.event === 'heartbeat');
    const second = await stream.next((event) => event.event === 'heartbeat');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2 * HEARTBEAT_INTERVAL_MS - 20);
    for (const heartbeat of [first, second]) {
      expect(typeof (heartbeat.data as { at: string }).at).toBe('string');
      expect(Number.isNaN(Date.parse((heartbeat.data as { at: string }).at))).toBe(false);
    }
  });

  it('rejects a stream without a token', async () => {
    const stream = await EventStreamReader.open(server.url, undefined);
    stream.close();
    expect(stream.status).toBe(401);
  });

  it.runIf(backend === 'postgresql')('relays a push between two server instances', async () => {
    const other = await startServer(storage, { heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS });
    try {
      const stream = await openStream(other.url, nurse.token);
      await stream.next(isResync());

      const pushed = await nurse.push('entries', [{ newDocumentState: vitalSignsDocument('relayed-between-instances', patientId) }]);
      expect(pushed.status).toBe(200);
      const event = await stream.next(isResync('entries'));
      expect(event.data).toEqual({ collections: ['entries'] });

      const onOther = new SyncClient(other.url, nurse.token);
      const { documents } = await onOther.pullAll('entries');
      expect(documents.map((document) => document.id)).toContain('Observation/relayed-between-instances');
    } finally {
      await other.close();
    }
  });

  it.runIf(backend === 'postgresql')('resyncs again when an older transaction rolls back', async () => {
    const stream = await openStream();
    await stream.next(isResync());
    const { checkpoint } = await nurse.pullAll('entries');
    const committed = vitalSignsDocument('committed-behind-a-rollback', patientId);

    const connection = new pg.Client({ connectionString: storage.databaseUrl });
    await connection.connect();
    try {
      // An older transaction with an xid keeps the pushed row out of pulls until it ends, and a
      // rollback sends no notification of its own.
      await connection.query('BEGIN');
      await connection.query("INSERT INTO settings (key, value) VALUES ('rolled-back', 'x')");
      expect((await nurse.push('entries', [{ newDocumentState: committed }])).status).toBe(200);
      await stream.next(isResync('entries'));
      const whileOpen = await nurse.pull('entries', checkpoint, 100);
      expect(whileOpen.body.documents).toEqual([]);
      await connection.query('ROLLBACK');
    } finally {
      await connection.end();
    }

    await stream.next(isResync('entries'));
    const afterRollback = await nurse.pull('entries', checkpoint, 100);
    expect(afterRollback.body.documents.map((document) => document.id)).toEqual([committed.id]);
  });

  it.runIf(backend === 'postgresql')('resyncs everything after the LISTEN connection drops', async () => {
    const stream = await openStream();
    await stream.next(isResync());
    stream.clear();

    const { rows } = await server.database.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()",
    );
    expect(rows.length).toBeGreaterThanOrEqual(1);
    for (const { pid } of rows) await server.database.query('SELECT pg_terminate_backend($1)', [pid]);

    const event = await stream.next(isResync());
    expect(event.data).toEqual({ collections: ['reference', 'records', 'entries'] });
    const pushed = await nurse.push('entries', [{ newDocumentState: vitalSignsDocument('after-listen-reconnect', patientId) }]);
    expect(pushed.status).toBe(200);
    expect((await stream.next(isResync('entries'))).data).toEqual({ collections: ['entries'] });
  });

  it('ends open streams when the server closes', async () => {
    const ownStorage = await createStorage(backend, 'stream_close');
    try {
      const own = await startServer(ownStorage, { heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS });
      const client = await SyncClient.signIn(own.url);
      const stream = await openStream(own.url, client.token);
      await stream.next(isResync());
      await own.close();
      await expect.poll(() => stream.ended).toBe(true);
    } finally {
      await ownStorage.cleanup();
    }
  });
});
