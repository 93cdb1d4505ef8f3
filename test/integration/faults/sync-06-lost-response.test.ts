import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import type { FaultAction } from '../../support/fault-proxy.js';
import type { HarnessWorkstation } from '../../support/sync-harness.js';
import { SyncHarness } from '../../support/sync-harness.js';

/**
 * SYNC-06: the push response is lost after the server committed, or the connection breaks while
 * the request is uploading or before the commit. The workstation retries the same documents. The
 * server must store each once and report no conflict for a replay of its own state, and the
 * pending count must return to 0.
 */

const ITERATIONS = Number(process.env.HMS_SYNC06_ITERATIONS ?? 50);
const SEED = Number(process.env.HMS_FAULT_SEED ?? Date.now() % 100_000);

/** A small deterministic generator, so a failing run can be repeated with HMS_FAULT_SEED. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const random = seededRandom(SEED);

/** Picks one of the three cut points of the case, with a random byte offset for the upload cut. */
function randomCut(): FaultAction {
  const pick = random();
  if (pick < 0.4) return { kind: 'cut-response' };
  if (pick < 0.7) return { kind: 'reset-request', afterBytes: (length) => 1 + Math.floor(random() * (length - 1)) };
  return { kind: 'reset-after-request', afterMs: Math.floor(random() * 5) };
}

/**
 * Polls the server for `id` from now on and returns the transaction id of the first version seen,
 * so a later rewrite of the same document (a second effect of one push) shows as a changed txid.
 */
function watchFirstTxid(harness: SyncHarness, id: string): { result: (timeoutMs?: number) => Promise<string | undefined> } {
  let first: string | undefined;
  let deadline = Number.POSITIVE_INFINITY;
  const loop = (async () => {
    while (first === undefined && Date.now() < deadline) {
      first = (await harness.serverDocuments('entries', [id])).get(id)?.txid;
      if (first === undefined) await new Promise((resolve) => setTimeout(resolve, 15));
    }
  })();
  return {
    result: async (timeoutMs = 5_000) => {
      deadline = Date.now() + timeoutMs;
      await loop;
      return first;
    },
  };
}

describe(`SYNC-06: push response lost (seed ${SEED})`, () => {
  let harness: SyncHarness;
  let writer: HarnessWorkstation;
  let reader: HarnessWorkstation;
  let patients: string[];
  const firstTxids = new Map<string, string>();
  const cutKinds: string[] = [];

  beforeAll(async () => {
    harness = await SyncHarness.start({ databasePrefix: 'sync_06' });
    writer = await harness.addWorkstation('ws-a', { connectivity: { minProbeIntervalMs: 50, maxProbeIntervalMs: 200 } });
    reader = await harness.addWorkstation('ws-b', { direct: true });
    patients = await writer.listPatients();
  });

  afterEach(async () => {
    // A failed test must not leave its faults on for the next one.
    await harness?.proxy.heal();
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('stores each entry once through random cuts', async () => {
    const ids: string[] = [];
    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      const action = randomCut();
      cutKinds.push(action.kind);
      const rule = harness.proxy.addRule({ match: { method: 'POST', path: '/sync/entries/push' }, action, times: 1 });

      const id = await writer.recordVitals(patients[iteration % patients.length] as string, { pulse: 60 + iteration });
      ids.push(id);
      const watcher = watchFirstTxid(harness, id);
      await writer.waitSynced(15_000);
      const txid = await watcher.result();

      expect(rule.hits, `iteration ${iteration}: the ${action.kind} fault fired`).toBe(1);
      expect(txid, `iteration ${iteration}: ${id} reached the server`).toBeDefined();
      firstTxids.set(id, txid as string);
      rule.remove();
    }

    const stored = await harness.serverDocuments('entries', ids);
    expect(stored.size).toBe(ids.length);
    for (const id of ids) expect(stored.get(id)?.txid, `${id} was written once`).toBe(firstTxids.get(id));
    const writtenByWriter = (await harness.idsWrittenBy('entries', 'ws-a')).filter((id) => id.startsWith('Observation/'));
    expect(writtenByWriter.sort()).toEqual([...ids].sort());
    expect(writer.conflicts).toEqual([]);
    expect(writer.status.pendingChanges).toBe(0);
    expect(writer.status.rejectedChanges).toBe(0);
    expect(await writer.pendingTruthViolations()).toEqual([]);
    console.log(`SYNC-06 seed ${SEED}: ${ITERATIONS} pushes through ${cutKinds.join(', ')}`);
  });

  it('keeps the count pending while every reply is lost', async () => {
    const rule = harness.proxy.addRule({ match: { method: 'POST', path: '/sync/entries/push' }, action: { kind: 'cut-response' } });
    const id = await writer.recordVitals(patients[0] as string, { pulse: 91 });

    const watcher = watchFirstTxid(harness, id);
    const txid = await watcher.result();
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    // The server has it, but never acknowledged it: the count must not claim it sent.
    expect(txid).toBeDefined();
    expect(rule.hits).toBeGreaterThanOrEqual(1);
    expect(writer.status.pendingChanges).toBe(1);

    rule.remove();
    await writer.waitSynced(15_000);
    expect((await harness.serverDocuments('entries', [id])).get(id)?.txid).toBe(txid);
    expect(writer.conflicts).toEqual([]);
  });

  it('stores a Patient edit once after a lost reply', async () => {
    const patientId = patients[1] as string;
    const rule = harness.proxy.addRule({ match: { method: 'POST', path: '/sync/records/push' }, action: { kind: 'cut-response' }, times: 1 });

    const id = await writer.editPatientPhone(patientId, '+1 555 0606');
    await writer.waitSynced(15_000);

    expect(rule.hits).toBe(1);
    expect(writer.conflicts).toEqual([]);
    expect((await harness.serverDocuments('records', [id])).get(id)?.hash).toBe(writer.confirmed.get(id)?.hash);
  });

  // A second edit made while the first one's reply is lost is pushed with the first edit's
  // assumed master state. The server already stores the first edit, so the assumption is stale.
  it('keeps a second edit made during a lost reply', async () => {
    const patientId = patients[2] as string;
    const rule = harness.proxy.addRule({ match: { method: 'POST', path: '/sync/records/push' }, action: { kind: 'cut-response' }, times: 1 });

    await writer.editPatientPhone(patientId, '+1 555 0616');
    // Wait until the first edit is committed and its reply cut, then edit again before the retry.
    const id = `Patient/${patientId}`;
    for (let attempt = 0; attempt < 100 && rule.hits === 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 10));
    await writer.editPatientPhone(patientId, '+1 555 0626');
    await writer.waitSynced(15_000);

    expect(rule.hits).toBe(1);
    expect((await harness.serverDocuments('records', [id])).get(id)?.hash).toBe(writer.confirmed.get(id)?.hash);
    expect(writer.conflicts.filter((conflict) => conflict.outcome !== 'merged')).toEqual([]);
  });

  it('converges with the other workstation', async () => {
    await harness.proxy.heal();
    await harness.converge(20_000);

    expect(reader.conflicts).toEqual([]);
    expect(await harness.unconfirmedWrites()).toEqual([]);
    expect(await harness.duplicateWrites()).toEqual([]);
  });
});
