import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { SyncServer } from '../../../sync/server/app.js';
import type { TestStorage } from './helpers.js';
import { BACKENDS, createStorage, EventStreamReader, isResync, LogCapture, patientIdsOfWard, startServer, SyncClient, vitalSignsDocument, WARD_4A } from './helpers.js';

const HEARTBEAT_INTERVAL_MS = 100;

describe.each(BACKENDS)('one event stream per workstation on %s', (backend) => {
  let storage: TestStorage;
  let server: SyncServer;
  let patientId: string;
  const logs = new LogCapture();
  const streams: EventStreamReader[] = [];

  async function openStream(token: string): Promise<EventStreamReader> {
    const stream = await EventStreamReader.open(server.url, token);
    streams.push(stream);
    expect(stream.status).toBe(200);
    await stream.next(isResync());
    return stream;
  }

  beforeAll(async () => {
    storage = await createStorage(backend, 'stream_per_workstation');
    server = await startServer(storage, { heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS, logger: logs.logger });
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

  it('closes the older stream of a workstation', async () => {
    const workstation = await SyncClient.signIn(server.url, { wardId: WARD_4A, workstationId: 'ws-replaced' });
    const older = await openStream(workstation.token);
    const newer = await openStream(workstation.token);

    await older.waitForEnd();
    expect(newer.ended).toBe(false);
    const replaced = logs.withMessage('event stream replaced by a newer one of the same workstation; closing the older');
    expect(replaced.map((line) => line.workstationId)).toContain('ws-replaced');

    // The newer stream still carries changes.
    newer.clear();
    const pushed = await workstation.push('entries', [{ newDocumentState: vitalSignsDocument('after-stream-replaced', patientId) }]);
    expect(pushed.status).toBe(200);
    await newer.next(isResync('entries'));
    expect(newer.ended).toBe(false);
  });

  it('replaces a stream opened with a new sign-in of the same workstation', async () => {
    const first = await SyncClient.signIn(server.url, { wardId: WARD_4A, workstationId: 'ws-signed-in-twice' });
    const second = await SyncClient.signIn(server.url, { username: 'doctor', wardId: WARD_4A, workstationId: 'ws-signed-in-twice' });
    const older = await openStream(first.token);
    const newer = await openStream(second.token);

    await older.waitForEnd();
    await newer.next((event) => event.event === 'heartbeat');
    expect(newer.ended).toBe(false);
  });

  it('leaves the streams of other workstations open', async () => {
    const bystander = await SyncClient.signIn(server.url, { wardId: WARD_4A, workstationId: 'ws-bystander' });
    const reconnecting = await SyncClient.signIn(server.url, { wardId: WARD_4A, workstationId: 'ws-reconnecting' });
    const bystanderStream = await openStream(bystander.token);
    const older = await openStream(reconnecting.token);
    await openStream(reconnecting.token);

    await older.waitForEnd();
    // Two heartbeats after the replacement show the bystander's stream is still served.
    bystanderStream.clear();
    await bystanderStream.next((event) => event.event === 'heartbeat');
    await bystanderStream.next((event) => event.event === 'heartbeat');
    expect(bystanderStream.ended).toBe(false);
  });

  it('keeps the newer stream when the older one disconnects late', async () => {
    const workstation = await SyncClient.signIn(server.url, { wardId: WARD_4A, workstationId: 'ws-late-close' });
    const first = await openStream(workstation.token);
    const second = await openStream(workstation.token);
    await first.waitForEnd();
    first.close();

    // A third stream must still replace the second, which the first one's close must not have
    // forgotten.
    const third = await openStream(workstation.token);
    await second.waitForEnd();
    await third.next((event) => event.event === 'heartbeat');
    expect(third.ended).toBe(false);
  });
});
