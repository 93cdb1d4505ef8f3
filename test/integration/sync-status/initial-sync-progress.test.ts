import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Core } from '../../../main/core/core.js';
import { createCore } from '../../../main/core/core.js';
import type { SyncStatus } from '../../../preload/api/schemas.js';
import type { SyncServer } from '../../../sync/server/app.js';
import { createServer } from '../../../sync/server/app.js';
import { ManualClock } from '../../support/clock.js';
import type { TestDatabase } from '../../support/postgres.js';
import { createTestDatabase } from '../../support/postgres.js';
import { makeTempDirectory, useRxdbDevMode, validatedSqliteStorage } from '../../support/replica.js';
import { waitFor } from '../../support/waiting.js';

/**
 * The first download into an empty replica reports its progress: documents received so far and,
 * once the server has counted them, how many there are in all. Small pull pages make the seeded
 * ward take many of them.
 */
describe('initial sync progress', () => {
  const clock = new ManualClock('2026-12-04T08:00:00.000Z');
  const directory = makeTempDirectory('initial-sync');
  let database: TestDatabase;
  let server: SyncServer;
  let core: Core;
  const seen: SyncStatus[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('initial_sync');
    server = await createServer({ databaseUrl: database.url, seed: { now: clock.now() }, now: () => clock.now(), logLevel: 'silent' });
    useRxdbDevMode();
    core = await createCore({
      settings: { workstationId: 'ws-initial', serverUrl: server.url, wardId: 'ward-4a' },
      dataDirectory: directory.path,
      replicaName: 'replica-initial-sync',
      logger: pino({ level: 'silent' }),
      clock,
      storage: validatedSqliteStorage(directory.path),
      sync: { pullBatchSize: 25, initialLoadPageSize: 25 },
    });
    core.replication.status$.subscribe((status) => seen.push(status));
  });

  afterAll(async () => {
    await core?.close();
    await server?.close();
    await database?.drop();
    directory.remove();
  });

  it('counts up to the total and clears when done', async () => {
    const result = await core.gateway.handle('session:signIn', { username: 'nurse', password: 'nurse-demo' }, { senderId: 'test' });
    expect(result.ok).toBe(true);
    await waitFor(core.replication.status$, (status) => status.state === 'online' && status.initialSync === null && status.lastSuccessfulSyncAt !== null, 'the first sync to finish', 60_000);
    await core.replication.awaitInSync();

    const progress = seen.map((status) => status.initialSync).filter((entry) => entry !== null);
    const withTotal = progress.filter((entry) => entry.total !== null);
    expect(withTotal.length).toBeGreaterThan(1);
    const last = withTotal.at(-1) as { received: number; total: number };
    expect(last.received).toBeGreaterThan(0);
    for (const entry of withTotal) expect(entry.received).toBeLessThanOrEqual(entry.total as number);
    // Received only grows during the download.
    const received = progress.map((entry) => entry.received);
    expect(received).toEqual([...received].sort((a, b) => a - b));

    const documents = (await core.replica.records.count().exec()) + (await core.replica.entries.count().exec()) + (await core.replica.reference.count().exec());
    expect(last.total).toBeLessThanOrEqual(documents);
    expect(core.replication.status$.getValue().initialSync).toBeNull();
  });
});
