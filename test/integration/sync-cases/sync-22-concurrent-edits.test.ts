import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ConflictRecord } from '../../../sync/client/conflict-log.js';
import type { ServerTestHooks } from '../../../sync/server/context.js';
import { integerBetween, seededRandom, testSeed } from '../../support/seeded-random.js';
import type { HarnessWorkstation } from '../../support/sync-harness.js';
import { fingerprint, SyncHarness } from '../../support/sync-harness.js';

/**
 * SYNC-22: two workstations push non-overlapping edits of one Patient at once, both assuming the
 * same revision. The server's compare-then-write must be atomic, so exactly one push is accepted
 * and the other gets a conflict whose master state is the accepted one. The conflict handler then
 * merges the two: the phone number and the next of kin both end on the server and on every replica.
 * The server's afterLock test hook pauses each push between reading the stored state and writing.
 *
 * Scaled down for CI: HMS_SYNC22_ROUNDS rounds per setup (15 by default, 1,000 in the case) with
 * pauses of 0 to 200 ms, on one server instance and on two instances sharing one PostgreSQL.
 */

const ROUNDS = Number(process.env.HMS_SYNC22_ROUNDS ?? 15);
const MAX_PAUSE_MS = 200;
const ROUND_BOUND_MS = 15_000;
const SEED = testSeed();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface PatientElements {
  telecom?: { value?: string }[];
  contact?: { name?: { family?: string } }[];
}

describe(`SYNC-22: concurrent pushes of one Patient (seed ${SEED})`, () => {
  const random = seededRandom(SEED);
  const hooks: ServerTestHooks = {
    afterLock: async () => {
      await sleep(integerBetween(random, 0, MAX_PAUSE_MS));
    },
  };
  let harness: SyncHarness;
  let wsA: HarnessWorkstation;
  let wsB: HarnessWorkstation;
  let wsC: HarnessWorkstation;
  let patients: string[];

  beforeAll(async () => {
    harness = await SyncHarness.start({ databasePrefix: 'sync_22', testHooks: hooks });
    wsA = await harness.addWorkstation('ws-a', { direct: true });
    wsB = await harness.addWorkstation('ws-b', { direct: true });
    wsC = await harness.addWorkstation('ws-c', { direct: true });
    patients = await wsA.listPatients();
  });

  afterAll(async () => {
    await harness?.close();
  });

  /** Waits until each workstation stores the server's copy of `id`, and returns that copy's fingerprint hash. */
  async function waitForAgreement(id: string, workstations: HarnessWorkstation[]): Promise<string> {
    const deadline = Date.now() + ROUND_BOUND_MS;
    for (;;) {
      const server = (await harness.serverDocuments('records', [id])).get(id)?.hash as string;
      const local = await Promise.all(workstations.map(async (workstation) => workstation.core.replica.records.findOne(id).exec()));
      if (local.every((document) => document && fingerprint(document.toJSON(true) as Record<string, unknown>).hash === server)) return server;
      if (Date.now() > deadline) throw new Error(`Timed out after ${ROUND_BOUND_MS} ms waiting for ${workstations.map((workstation) => workstation.name).join(', ')} to agree on ${id}`);
      await sleep(50);
    }
  }

  /** Plays the race `ROUNDS` times between `first` and `second`, checking each round's end state. */
  async function playRounds(label: string, first: HarnessWorkstation, second: HarnessWorkstation, patientId: string): Promise<void> {
    const id = `Patient/${patientId}`;
    const recorded: ConflictRecord[] = [];
    const subscriptions = [first, second].map((workstation) => workstation.core.replication.conflicts$.subscribe((record) => recorded.push(record)));
    const winners = new Set<string>();
    try {
      await waitForAgreement(id, [first, second, wsC]);
      for (let round = 0; round < ROUNDS; round++) {
        const phone = `+1 555 22${String(round).padStart(2, '0')}`;
        const family = `${label}Kin${round}`;
        const conflictsBefore = recorded.length;

        const [phoneHash, kinHash] = await Promise.all([
          first.editPatientPhone(patientId, phone).then(() => first.confirmed.get(id)?.hash as string),
          sleep(integerBetween(random, 0, 5)).then(() => second.editPatientNextOfKin(patientId, family).then(() => second.confirmed.get(id)?.hash as string)),
        ]);
        await Promise.all([first.waitSynced(ROUND_BOUND_MS), second.waitSynced(ROUND_BOUND_MS)]);
        await waitForAgreement(id, [first, second, wsC]);

        const stored = (await harness.serverRevisions(id)).at(-1)?.document as { resource: PatientElements };
        expect(stored.resource.telecom?.[0]?.value, `${label} round ${round}: phone number kept`).toBe(phone);
        expect(stored.resource.contact?.[0]?.name?.family, `${label} round ${round}: next of kin kept`).toBe(family);

        const roundConflicts = recorded.slice(conflictsBefore);
        expect(roundConflicts.map((record) => record.outcome), `${label} round ${round}: one push lost the race and merged`).toEqual(['merged']);
        const conflict = roundConflicts[0] as ConflictRecord;
        const winnerHash = conflict.documentId === id && fingerprint(conflict.server as unknown as Record<string, unknown>).hash;
        expect([phoneHash, kinHash], `${label} round ${round}: the conflict carries the accepted state`).toContain(winnerHash);
        winners.add(winnerHash === phoneHash ? first.name : second.name);
      }
    } finally {
      for (const subscription of subscriptions) subscription.unsubscribe();
    }
    console.log(`SYNC-22 ${label} seed ${SEED}: ${ROUNDS} rounds, first accepted push from ${[...winners].sort().join(' and ')}`);
  }

  it('loses no update on one server instance', async () => {
    await harness.trackRevisions();
    await playRounds('one', wsA, wsB, patients[0] as string);
  });

  it('loses no update on two server instances', async () => {
    const secondInstance = await harness.addServerInstance();
    const wsB2 = await harness.addWorkstation('ws-b2', { serverUrl: secondInstance });
    await playRounds('two', wsA, wsB2, patients[1] as string);
  });

  it('converges with nothing lost', async () => {
    await harness.converge(20_000);

    expect(await harness.unconfirmedWrites(['entries'])).toEqual([]);
    expect(await harness.duplicateWrites()).toEqual([]);
    expect(wsC.conflicts).toEqual([]);
  });
});
