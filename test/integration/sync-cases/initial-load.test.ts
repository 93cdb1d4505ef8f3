import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { acquireConnection, releaseConnection } from '../../../sync/replica/sqlite/connection-pool.js';
import type { HarnessWorkstation } from '../../support/sync-harness.js';
import { SyncHarness } from '../../support/sync-harness.js';

/**
 * The initial load (sync/client/initial-load.ts) fills an empty replica in large pages without
 * RxDB's meta rows, then hands over to RxDB's replication. These tests check what must still hold
 * afterwards. A local edit of a loaded record is pushed as an edit of the server's version (no
 * false conflict), and a newer server version replaces a loaded document. A document written here
 * before the load is pushed, and a load stopped halfway resumes without losing or doubling
 * anything.
 */

async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface LoadRow {
  stored: number;
  done: boolean;
}

function loadProgress(workstation: HarnessWorkstation): Map<string, LoadRow> {
  const file = join(workstation.directory.path, `${workstation.replicaName}.sqlite`);
  const database = acquireConnection(file);
  try {
    const exists = database.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'hms_initial_load'`).get();
    if (!exists) return new Map();
    const rows = database.prepare('SELECT replication, progress FROM hms_initial_load').all() as { replication: string; progress: string }[];
    return new Map(rows.map((row) => [row.replication.split('-')[2] ?? row.replication, JSON.parse(row.progress) as LoadRow]));
  } finally {
    releaseConnection(file);
  }
}

function metaRowCount(workstation: HarnessWorkstation, collection: string): number {
  const file = join(workstation.directory.path, `${workstation.replicaName}.sqlite`);
  const database = acquireConnection(file);
  try {
    const tables = database.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rx-replication-meta-%'`).pluck().all() as string[];
    let count = 0;
    for (const table of tables) {
      count += database.prepare(`SELECT count(*) FROM "${table}" WHERE id IN (SELECT id || '|0' FROM "${collection}-v1")`).pluck().get() as number;
    }
    return count;
  } finally {
    releaseConnection(file);
  }
}

describe('initial load into an empty replica', () => {
  let harness: SyncHarness;
  let wsA: HarnessWorkstation;
  let wsB: HarnessWorkstation;
  let patients: string[];

  beforeAll(async () => {
    harness = await SyncHarness.start({ databasePrefix: 'initial_load' });
    wsA = await harness.addWorkstation('ws-a', { direct: true });
    wsB = await harness.addWorkstation('ws-b', { direct: true });
    patients = await wsA.listPatients();
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('loads every collection without a meta row per document', async () => {
    const progress = loadProgress(wsA);
    expect([...progress.keys()].sort()).toEqual(['entries', 'records', 'reference']);
    for (const row of progress.values()) expect(row.done).toBe(true);
    expect(progress.get('records')?.stored).toBeGreaterThan(patients.length);
    // Only records the workstation wrote itself may have one yet; none was edited.
    expect(metaRowCount(wsA, 'records')).toBe(0);
    expect(await harness.converge()).toBeTruthy();
  });

  it('pushes a loaded record edit without conflict', async () => {
    const patient = `Patient/${patients[0] as string}`;
    await wsA.editPatientPhone(patients[0] as string, '+44 20 7946 0101');
    await wsA.waitSynced();
    expect(wsA.conflictRecords()).toEqual([]);
    expect(wsA.outcomes.filter((outcome) => outcome.documentId === patient).map((outcome) => outcome.outcome)).toEqual(['accepted']);
    // The edit wrote RxDB's record of the loaded version first, then the push replaced it.
    expect(metaRowCount(wsA, 'records')).toBe(1);
    await wsB.waitSynced();
    await harness.converge();
  });

  it('replaces a loaded document with the newer version another workstation pushed', async () => {
    const patient = `Patient/${patients[1] as string}`;
    await wsB.editPatientPhone(patients[1] as string, '+44 20 7946 0202');
    await wsB.waitSynced();
    await waitUntil(async () => JSON.stringify((await wsA.core.replica.records.findOne(patient).exec())?.toJSON() ?? {}).includes('0202'), 'the edit to reach ws-a', 30_000);
    expect(wsA.conflictRecords()).toEqual([]);
    await harness.converge();
  });

  it('pushes what was written before the load and resumes a load stopped halfway', async () => {
    // Pages of 5 documents, so that the load is stopped with most of the ward still to come.
    const wsC = await harness.addWorkstation('ws-c', { direct: true, signIn: false, sync: { initialLoadPageSize: 5 } });
    await wsC.signIn();
    await waitUntil(async () => (loadProgress(wsC).get('records')?.stored ?? 0) >= 10, 'part of the records to load', 30_000);
    await wsC.close();
    const stopped = loadProgress(wsC).get('records') as LoadRow;
    expect(stopped.done).toBe(false);

    await wsC.open();
    await wsC.waitSynced(60_000);
    const resumed = loadProgress(wsC);
    for (const row of resumed.values()) expect(row.done).toBe(true);
    // The sign-in's AuditEvents, written before and between the loads, reached the server.
    expect(await harness.unconfirmedWrites()).toEqual([]);
    const audits = await harness.idsWrittenBy('entries', 'ws-c');
    expect(audits.length).toBeGreaterThan(0);
    expect(await harness.duplicateWrites()).toEqual([]);
    await harness.converge();
  });
});
