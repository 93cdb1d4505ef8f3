import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Core } from '../../../main/core/core.js';
import { createCore } from '../../../main/core/core.js';
import type { SyncServer } from '../../../sync/server/app.js';
import { createServer } from '../../../sync/server/app.js';
import { SEEDED_LAB_DEPARTMENT } from '../../../sync/server/seed/lab-orders.js';
import { DAY, ManualClock } from '../../support/clock.js';
import { makeTempDirectory } from '../../support/replica.js';
import { waitFor } from '../../support/waiting.js';

/**
 * A lab bench's patients are those with open orders for its department, not those in its beds: a
 * retention run long after the sync must keep them.
 */
describe('retention on a lab bench', () => {
  const data = makeTempDirectory('lab-retention');
  const clock = new ManualClock(new Date().toISOString());
  let server: SyncServer;
  let core: Core;

  beforeAll(async () => {
    server = await createServer({ port: 0, dataDir: `${data.path}/server`, seed: true, logLevel: 'silent' });
    core = await createCore({
      settings: { workstationId: 'ws-lab-retention', serverUrl: server.url, wardId: SEEDED_LAB_DEPARTMENT.id },
      dataDirectory: `${data.path}/workstation`,
      logger: pino({ level: 'silent' }),
      clock,
      policy: { retentionDaysAfterLeaving: 4 },
      connectivity: { minProbeIntervalMs: 100, maxProbeIntervalMs: 300 },
    });
    const signedIn = await core.gateway.handle('session:signIn', { username: 'lab-technician', password: 'lab-technician-demo' }, { senderId: 'lab-retention-test' });
    if (!signedIn.ok) throw new Error(`sign-in failed: ${signedIn.error.message}`);
    await waitFor(core.replication.status$, (status) => status.state === 'online' && status.pendingChanges === 0, 'first sync');
    await core.replication.awaitInSync();
  });

  afterAll(async () => {
    await core?.close();
    await server?.close();
    data.remove();
  });

  it('keeps patients with open orders', async () => {
    const patientsBefore = await core.replica.records.count({ selector: { resourceType: 'Patient' } }).exec();
    expect(patientsBefore).toBeGreaterThan(0);

    await core.retention.run();
    clock.advance(5 * DAY);
    const result = await core.retention.run();

    expect(result.removedPatients).toEqual([]);
    expect(await core.replica.records.count({ selector: { resourceType: 'Patient' } }).exec()).toBe(patientsBefore);
  });
});
