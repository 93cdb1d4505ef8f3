import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { HarnessWorkstation } from '../../support/sync-harness.js';
import { SyncHarness } from '../../support/sync-harness.js';
import { ADMIN_DATABASE_URL } from '../../support/postgres.js';

/**
 * SYNC-17: the server's PostgreSQL database is restored from a backup taken before the
 * workstations' latest work. Scaled down: 20 entries from each of two workstations after the
 * backup instead of 400, a third workstation that only pulls them, and 5 more entries written
 * while the server is down. The restore is a copy of the database made with CREATE DATABASE …
 * TEMPLATE, so the restored database has a new oid and the server's dataset epoch changes by itself,
 * with the old value of the epoch's stored part, as after pg_restore into a new database.
 */

const AFTER_BACKUP = 20;
const DURING_OUTAGE = 5;

/** Runs `sql` on the admin database after ending every other session on `database`. */
async function withoutSessions(database: string, sql: string[]): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
    for (const statement of sql) await admin.query(statement);
  } finally {
    await admin.end();
  }
}

describe('SYNC-17: server database restored from a backup', () => {
  let harness: SyncHarness;
  let wsA: HarnessWorkstation;
  let wsB: HarnessWorkstation;
  let wsC: HarnessWorkstation;
  let patients: string[];
  let databaseName: string;
  let backupName: string;
  const written: string[] = [];

  beforeAll(async () => {
    harness = await SyncHarness.start({ databasePrefix: 'sync_17' });
    databaseName = new URL(harness.database.url).pathname.slice(1);
    backupName = `${databaseName}_backup`;
    wsA = await harness.addWorkstation('ws-a');
    wsB = await harness.addWorkstation('ws-b');
    wsC = await harness.addWorkstation('ws-c');
    patients = await wsA.listPatients();
  });

  afterAll(async () => {
    await harness?.close();
    await withoutSessions(backupName, [`DROP DATABASE IF EXISTS ${backupName}`]).catch(() => undefined);
  });

  it('sends back the work written after the backup, once, and pulls everything again', async () => {
    // 02:00: the backup.
    await harness.stopServer();
    await withoutSessions(databaseName, [`CREATE DATABASE ${backupName} TEMPLATE ${databaseName}`]);
    await harness.startServer();
    await harness.converge();

    // 02:00–06:00: two workstations write, the third pulls.
    for (let index = 0; index < AFTER_BACKUP; index++) {
      written.push(await wsA.recordVitals(patients[index % patients.length] as string, { pulse: 60 + index }));
      written.push(await wsB.recordVitals(patients[(index + 1) % patients.length] as string, { pulse: 100 - index }));
    }
    await harness.converge();
    expect((await harness.serverIds('entries', written)).size).toBe(2 * AFTER_BACKUP);
    expect((await wsC.snapshot()).entries.size).toBeGreaterThanOrEqual(2 * AFTER_BACKUP);

    // 06:00: the database is lost and restored from the backup; WS-B writes during the outage.
    await harness.stopServer();
    await withoutSessions(databaseName, [`DROP DATABASE ${databaseName}`, `CREATE DATABASE ${databaseName} TEMPLATE ${backupName}`]);
    await wsB.waitForState('offline');
    const duringOutage: string[] = [];
    for (let index = 0; index < DURING_OUTAGE; index++) duringOutage.push(await wsB.recordVitals(patients[index] as string, { temperature: 37 + index / 10 }));
    expect((await harness.serverIds('entries', written)).size).toBe(0);
    await harness.startServer();

    await harness.converge(60_000);

    expect((await harness.serverIds('entries', [...written, ...duringOutage])).size).toBe(2 * AFTER_BACKUP + DURING_OUTAGE);
    expect(await harness.unconfirmedWrites()).toEqual([]);
    // No duplicates: each entry is one row under the id it was written with (the primary key), and
    // CONVERGE found the same set everywhere. The harness's check that nothing else was stored in a
    // workstation's name does not apply: WS-C sending back what it had pulled is the point.
    // The harness's G4 check is left out here: between the restore and a workstation's first
    // contact with the restored server, its "nothing pending" was true of the server it knew.
    for (const workstation of [wsA, wsB, wsC]) expect(workstation.status.pendingChanges, workstation.name).toBe(0);

    // IT sees how many documents the workstations recovered.
    const signIn = await fetch(`${harness.serverUrl}/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'it-administrator', password: 'it-administrator-demo', wardId: 'ward-4a', workstationId: 'ws-it' }),
    });
    const { token } = (await signIn.json()) as { token: string };
    const report = (await (await fetch(`${harness.serverUrl}/admin/dataset`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      recoveredDocuments: number;
      workstations: { workstationId: string; documents: number }[];
    };
    // Every entry written after the backup came back, and so did the AuditEvents of that time.
    expect(report.recoveredDocuments).toBeGreaterThanOrEqual(2 * AFTER_BACKUP);
    expect(report.workstations.reduce((sum, row) => sum + row.documents, 0)).toBe(report.recoveredDocuments);
    expect(report.workstations.every((row) => ['ws-a', 'ws-b', 'ws-c'].includes(row.workstationId))).toBe(true);
  });
});
