import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Core } from '../../../main/core/core.js';
import { createCore } from '../../../main/core/core.js';
import { fixedClock } from '../../../main/core/clock.js';
import type { LabSpecimenView } from '../../../preload/api/lab-specimen-schemas.js';
import type { SyncServer } from '../../../sync/server/app.js';
import { createServer } from '../../../sync/server/app.js';
import { labOrderId, SEEDED_LAB_DEPARTMENT, specimenId } from '../../../sync/server/seed/lab-orders.js';
import { until } from '../../support/lab-bench.js';
import type { TestDatabase } from '../../support/postgres.js';
import { createTestDatabase } from '../../support/postgres.js';
import { makeTempDirectory } from '../../support/replica.js';
import { waitFor } from '../../support/waiting.js';
import { captureLogs } from '../../unit/devices/transport/log-capture.js';

const CLOCK = fixedClock('2026-12-05T10:00:00.000Z');
const ACCESSION = 'CL-PL-24-0370';

describe('specimen lookup by accession', () => {
  const directory = makeTempDirectory('specimen-lookup');
  let database: TestDatabase;
  let server: SyncServer;
  let core: Core;

  async function call<T>(channel: string, input: unknown = {}): Promise<T> {
    const result = await core.gateway.handle(channel, input, { senderId: 'specimen-lookup-test' });
    if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
    return result.value as T;
  }

  beforeAll(async () => {
    database = await createTestDatabase('specimen_lookup');
    server = await createServer({ port: 0, databaseUrl: database.url, seed: { now: CLOCK.now() }, now: () => CLOCK.now(), logLevel: 'silent' });
    core = await createCore({
      settings: { workstationId: 'ws-specimen-lookup', serverUrl: server.url, wardId: SEEDED_LAB_DEPARTMENT.id },
      dataDirectory: join(directory.path, 'workstation'),
      logger: captureLogs().logger,
      clock: CLOCK,
      hidDevices: null,
      connectivity: { minProbeIntervalMs: 100, maxProbeIntervalMs: 500 },
    });
    await call('session:signIn', { username: 'lab-technician', password: 'lab-technician-demo' });
    await waitFor(core.replication.status$, (status) => status.state === 'online' && status.pendingChanges === 0, 'lab workstation in sync');
    await until(() => core.replica.records.findOne(`Specimen/${specimenId(ACCESSION)}`).exec(), Boolean, 'the seeded specimen');
  });

  afterAll(async () => {
    await core?.close();
    await server?.close();
    await database?.drop();
    directory.remove();
  });

  it('finds a seeded specimen with its order', async () => {
    const view = await call<LabSpecimenView | null>('lab:specimen', { accession: ACCESSION });

    expect(view?.specimenId).toBe(`Specimen/${specimenId(ACCESSION)}`);
    expect(view?.accession).toBe(ACCESSION);
    expect(view?.status).toBe('available');
    expect(view?.collectedAt).not.toBeNull();
    expect(view?.patientName).toBeTruthy();
    expect(view?.mrn).toBeTruthy();
    expect(view?.orders).toHaveLength(1);
    expect(view?.orders[0]).toMatchObject({ serviceRequestId: `ServiceRequest/${labOrderId(ACCESSION)}`, status: 'active', priority: 'routine' });
    expect(view?.orders[0]?.loinc).toBeTruthy();
  });

  it('returns null for an unknown accession', async () => {
    expect(await call('lab:specimen', { accession: 'ZZ-0000' })).toBeNull();
  });

  it('rejects an empty accession', async () => {
    const result = await core.gateway.handle('lab:specimen', { accession: '  ' }, { senderId: 'specimen-lookup-test' });
    expect(result.ok).toBe(false);
  });
});
