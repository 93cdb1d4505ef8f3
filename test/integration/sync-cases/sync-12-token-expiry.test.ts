import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Core } from '../../../main/core/core.js';
import { createCore } from '../../../main/core/core.js';
import type { CallResultOf } from '../../../preload/api/contract.js';
import type { SyncServer } from '../../../sync/server/app.js';
import { createServer } from '../../../sync/server/app.js';
import { ManualClock, MINUTE } from '../../support/clock.js';
import type { TestDatabase } from '../../support/postgres.js';
import { createTestDatabase } from '../../support/postgres.js';
import { makeTempDirectory, useRxdbDevMode, validatedSqliteStorage } from '../../support/replica.js';
import { waitFor } from '../../support/waiting.js';

/**
 * SYNC-12: the access token expires in the middle of a long upload, and later the refresh token
 * too. Scaled down: a 5-minute access token, a push batch of 20 and 200 pending entries. The server's
 * clock moves; the workstation's does not, as after a sleep, so the expiry shows as HTTP 401.
 */

const HOUR = 60 * MINUTE;
const PENDING = 200;
const BATCH = 20;

interface SeenRequest {
  method: string;
  path: string;
  status: number;
}

describe('SYNC-12 token expiry during a long sync', () => {
  const serverClock = new ManualClock('2026-12-04T08:00:00.000Z');
  const workstationClock = new ManualClock('2026-12-04T08:00:00.000Z');
  const directory = makeTempDirectory('sync-12');
  const seen: SeenRequest[] = [];
  const realFetch = globalThis.fetch;
  let database: TestDatabase;
  let server: SyncServer;
  let port = 0;
  let core: Core;
  let patientId: string;
  /** Called with every request the workstation sends, before it goes out. */
  let beforeRequest: (method: string, path: string) => void = () => undefined;

  const startServer = async () => {
    server = await createServer({
      port,
      databaseUrl: database.url,
      seed: { now: serverClock.now() },
      now: () => serverClock.now(),
      accessTokenLifetimeMs: 5 * MINUTE,
      refreshTokenLifetimeMs: 8 * HOUR,
      logLevel: 'silent',
    });
    port = Number(new URL(server.url).port);
  };

  async function call<T>(channel: string, input: unknown): Promise<T> {
    const result = await core.gateway.handle(channel, input, { senderId: 'sync-12' });
    if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
    return result.value as T;
  }

  const requestsTo = (path: string) => seen.filter((request) => request.path.startsWith(path));

  beforeAll(async () => {
    globalThis.fetch = async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const method = init?.method ?? 'GET';
      beforeRequest(method, url.pathname);
      // Listed when sent, so that a request already on its way at the pause is not counted after it.
      const request: SeenRequest = { method, path: url.pathname, status: 0 };
      seen.push(request);
      const response = await realFetch(input, init);
      request.status = response.status;
      return response;
    };
    database = await createTestDatabase('sync_12');
    await startServer();
    useRxdbDevMode();
    core = await createCore({
      settings: { workstationId: 'ws-sync-12', serverUrl: server.url, wardId: 'ward-4a' },
      dataDirectory: directory.path,
      replicaName: 'replica-sync-12',
      logger: pino({ level: process.env.HMS_TEST_LOG ?? 'silent' }),
      clock: workstationClock,
      storage: validatedSqliteStorage(directory.path),
      connectivity: { minProbeIntervalMs: 100, maxProbeIntervalMs: 400 },
      sync: { pushBatchSize: BATCH, retry: { minDelayMs: 200, maxDelayMs: 1_000 } },
    });
    await call('session:signIn', { username: 'nurse', password: 'nurse-demo' });
    await waitFor(core.replication.status$, (status) => status.state === 'online' && status.pendingChanges === 0, 'first sync');
    await core.replication.awaitInSync();
    patientId = ((await call<{ patientId: string }[]>('ward:listPatients', {}))[0] as { patientId: string }).patientId;
  });

  afterAll(async () => {
    globalThis.fetch = realFetch;
    await core?.close();
    await server?.close();
    await database?.drop();
    directory.remove();
  });

  it('renews once when the token expires mid-upload and sends every entry exactly once', async () => {
    await server.close();
    await waitFor(core.replication.status$, (status) => status.state === 'offline', 'offline');
    const written: string[] = [];
    for (let index = 0; index < PENDING; index++) {
      const set = await call<CallResultOf<'vitals', 'record'>>('vitals:record', { patientId, observations: { pulse: 60 + (index % 40) } });
      written.push(`Observation/${set.id}`);
    }
    expect(core.replication.status$.getValue().pendingChanges).toBe(PENDING);

    // The token is 4½ minutes old when the server returns; it expires after the third push.
    serverClock.advance(4.5 * MINUTE);
    let pushes = 0;
    beforeRequest = (method, path) => {
      if (method === 'POST' && path === '/sync/entries/push' && ++pushes === 3) serverClock.advance(MINUTE);
    };
    seen.length = 0;
    await startServer();
    await waitFor(core.replication.status$, (status) => status.state === 'online' && status.pendingChanges === 0, 'the upload to finish', 60_000);
    beforeRequest = () => undefined;

    expect(requestsTo('/auth/refresh').map((request) => request.status)).toEqual([200]);
    // Each request already on its way when the token expired meets one 401; none meets a second.
    const refused = seen.filter((request) => request.status === 401);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeLessThanOrEqual(5);
    const onServer = await server.database.query<{ count: string }>("SELECT count(*) FROM documents WHERE collection = 'entries' AND id = ANY($1::text[])", [written]);
    expect(Number(onServer.rows[0]?.count)).toBe(PENDING);
    // The event stream reconnected with the renewed token.
    expect(requestsTo('/sync/stream').at(-1)?.status).toBe(200);
  });

  it('pauses without a loop when the shift is over, keeps the entries, and resumes after the next sign-in', async () => {
    await server.close();
    await waitFor(core.replication.status$, (status) => status.state === 'offline', 'offline');
    const written: string[] = [];
    for (let index = 0; index < 5; index++) {
      const set = await call<CallResultOf<'vitals', 'record'>>('vitals:record', { patientId, observations: { pulse: 70 + index } });
      written.push(`Observation/${set.id}`);
    }
    serverClock.advance(9 * HOUR);
    seen.length = 0;
    await startServer();

    const paused = await waitFor(core.replication.status$, (status) => status.state === 'sign-in-needed', 'sync to ask for a sign-in', 30_000);
    expect(paused.pendingChanges).toBe(5);
    expect(paused.lastError).toMatch(/sign in/i);
    const afterPause = seen.length;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    // Nothing but the connectivity checks while paused: no request with a token goes out.
    expect(seen.slice(afterPause).filter((request) => request.path !== '/health')).toEqual([]);
    expect(requestsTo('/auth/refresh').map((request) => request.status)).toEqual([401]);

    await call('session:signIn', { username: 'nurse', password: 'nurse-demo' });
    await waitFor(core.replication.status$, (status) => status.state === 'online' && status.pendingChanges === 0, 'the entries to go after the sign-in', 30_000);
    const onServer = await server.database.query<{ count: string }>("SELECT count(*) FROM documents WHERE collection = 'entries' AND id = ANY($1::text[])", [written]);
    expect(Number(onServer.rows[0]?.count)).toBe(5);
  });
});
