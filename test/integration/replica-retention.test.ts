import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Core } from '../../main/core/core.js';
import { createCore } from '../../main/core/core.js';
import { ServerClient } from '../../sync/client/server-client.js';
import type { RecordDocument } from '../../sync/protocol/documents.js';
import { toRecordDocument } from '../../sync/protocol/documents.js';
import type { SyncServer } from '../../sync/server/app.js';
import { createServer } from '../../sync/server/app.js';
import { DAY, ManualClock } from '../support/clock.js';
import { makeTempDirectory } from '../support/replica.js';
import { waitFor } from '../support/waiting.js';

const KEY = 'e5'.repeat(32);

/**
 * A patient leaves the ward: their local copy stays while their changes wait for the server and
 * for the policy's days, then goes, recorded in the audit trail, while the server keeps the record.
 */
describe('replica retention', () => {
  const data = makeTempDirectory('retention');
  const clock = new ManualClock(new Date().toISOString());
  let server: SyncServer;
  let port: number;
  let core: Core;
  let patientId: string;

  const startServer = (listenOn: number) => createServer({ port: listenOn, dataDir: `${data.path}/server`, seed: true, logLevel: 'silent' });

  async function call<T>(channel: string, input: unknown): Promise<T> {
    const result = await core.gateway.handle(channel, input, { senderId: 'retention-test' });
    if (!result.ok) throw new Error(`${channel}: ${result.error.message}`);
    return result.value as T;
  }

  beforeAll(async () => {
    server = await startServer(0);
    port = Number(new URL(server.url).port);
    core = await createCore({
      settings: { workstationId: 'ws-retention', serverUrl: server.url, wardId: 'ward-4a' },
      dataDirectory: `${data.path}/workstation`,
      logger: pino({ level: 'silent' }),
      clock,
      replicaKey: KEY,
      policy: { retentionDaysAfterLeaving: 4 },
      connectivity: { minProbeIntervalMs: 100, maxProbeIntervalMs: 300 },
    });
    await call('session:signIn', { username: 'nurse', password: 'nurse-demo' });
    await waitFor(core.replication.status$, (status) => status.state === 'online' && status.pendingChanges === 0, 'first sync');
    await core.replication.awaitInSync();
    patientId = ((await call<{ patientId: string }[]>('ward:listPatients', {}))[0] as { patientId: string }).patientId;
  });

  afterAll(async () => {
    await core?.close();
    await server?.close();
    data.remove();
  });

  it('keeps a departed patient while changes wait, then removes the local copy only', async () => {
    // Another workstation of the ward transfers the patient to ward 7B.
    const client = new ServerClient({ baseUrl: server.url });
    const { token } = await client.signIn({ username: 'doctor', password: 'doctor-demo', workstationId: 'ws-other', wardId: 'ward-4a' });
    const encounter = (await client.pull(token, 'records', undefined, 1000)).documents.find((document) => document.resourceType === 'Encounter' && (document as unknown as RecordDocument).patientId === patientId);
    if (!encounter) throw new Error('encounter of the patient not found');
    const moved = { ...encounter.resource, location: [{ location: { reference: 'Location/bed-7b-01' }, status: 'active' }] };
    await client.push(token, 'records', [
      { assumedMasterState: encounter, newDocumentState: { ...toRecordDocument(moved as never, { wardOfLocation: (id) => (id.startsWith('bed-7b') ? 'ward-7b' : undefined) }), _deleted: false } },
    ]);
    await waitFor(core.replica.records.findOne(`Encounter/${encounter.resource.id as string}`).$, (document) => document?.wardId === 'ward-7b', 'the transfer to reach the workstation');

    expect(await core.retention.run()).toEqual({ removedPatients: [], waitingForSync: [] });

    await server.close();
    await waitFor(core.replication.status$, (status) => status.state === 'offline', 'offline');
    await call('vitals:record', { patientId, observations: { pulse: 90 } });
    clock.advance(5 * DAY);
    expect(await core.retention.run()).toEqual({ removedPatients: [], waitingForSync: [patientId] });
    expect(await core.replica.records.findOne(`Patient/${patientId}`).exec()).not.toBeNull();

    server = await startServer(port);
    await waitFor(core.replication.status$, (status) => status.state === 'online' && status.pendingChanges === 0, 'the vitals to reach the server');
    await core.replication.awaitInSync();
    expect(await core.retention.run()).toEqual({ removedPatients: [patientId], waitingForSync: [] });
    await core.replication.awaitInSync();

    expect(await core.replica.records.find({ selector: { patientId } }).exec()).toEqual([]);
    const localEntries = await core.replica.entries.find({ selector: { patientId } }).exec();
    expect(localEntries.map((document) => document.resourceType)).not.toContain('Observation');
    const removal = localEntries.find((document) => (document.resource.subtype as { code: string }[])[0]?.code === 'retention-removal');
    expect(removal?.resource).toMatchObject({ action: 'D', entity: [{ what: { reference: `Patient/${patientId}` } }] });

    const onServer = await server.database.query<{ deleted: boolean }>("SELECT deleted FROM documents WHERE id = $1 AND collection = 'records'", [`Patient/${patientId}`]);
    expect(onServer.rows).toEqual([{ deleted: false }]);
  });
});
