import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { HarnessWorkstation } from '../../support/sync-harness.js';
import { describeDifferences, SyncHarness } from '../../support/sync-harness.js';

/**
 * SYNC-07: live-stream events arrive while a push waits for its reply. WS-A's Patient edit is
 * committed, but the reply is held back 2 s. Meanwhile the server's copy of that Patient changes
 * again and WS-B charts vital signs for another patient, so two announcements reach WS-A before
 * its reply. WS-A must end with the server's copy and the vital signs, and must never keep a
 * checkpoint past documents it did not store.
 *
 * The product's server stores documents as sent and owns no field of them, so the server-side
 * change to the Patient, which the case makes a server-owned field, is WS-B's next-of-kin edit on
 * top of WS-A's. The fault proxy holds the push reply after the server committed and announced it.
 * The scratch replica of the case is WS-D, a new workstation that pulls everything from the start.
 */

const REPLY_DELAY_MS = 2_000;
const BOUND_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SYNC-07: stream events during an in-flight push', () => {
  let harness: SyncHarness;
  let wsA: HarnessWorkstation;
  let wsB: HarnessWorkstation;
  let patients: string[];

  beforeAll(async () => {
    harness = await SyncHarness.start({ databasePrefix: 'sync_07', heartbeatIntervalMs: 500 });
    wsA = await harness.addWorkstation('ws-a', { ownProxy: true });
    wsB = await harness.addWorkstation('ws-b', { direct: true });
    patients = await wsA.listPatients();
  });

  afterAll(async () => {
    await harness?.close();
  });

  /** Waits until the server stores `id` with the fingerprint `hash`. */
  async function waitForServerState(id: string, hash: string | undefined): Promise<void> {
    const deadline = Date.now() + BOUND_MS;
    while ((await harness.serverDocuments('records', [id])).get(id)?.hash !== hash) {
      if (Date.now() > deadline) throw new Error(`Timed out after ${BOUND_MS} ms waiting for ${id} on the server`);
      await sleep(20);
    }
  }

  it('keeps what the stream announced during the push', async () => {
    const orderId = `Patient/${patients[0] as string}`;
    const delayedReply = wsA.proxy.addRule({
      match: { method: 'POST', path: '/sync/records/push', bodyIncludes: orderId },
      action: { kind: 'delay-response', ms: REPLY_DELAY_MS },
      times: 1,
    });

    const editedAt = Date.now();
    await wsA.editPatientPhone(patients[0] as string, '+1 555 0707');
    await waitForServerState(orderId, wsA.confirmed.get(orderId)?.hash);

    // The server's copy moves on while WS-A still waits for its reply.
    await wsB.waitForDocuments('records', new Map([[orderId, wsA.confirmed.get(orderId)?.hash as string]]), BOUND_MS);
    await wsB.editPatientNextOfKin(patients[0] as string, 'Example');
    const vitals = await wsB.recordVitals(patients[1] as string, { pulse: 72 });
    await wsB.waitSynced();
    const serverCopy = (await harness.serverDocuments('records', [orderId])).get(orderId)?.hash as string;
    expect(serverCopy).toBe(wsB.confirmed.get(orderId)?.hash);
    expect(Date.now() - editedAt, 'the second change committed inside the reply delay').toBeLessThan(REPLY_DELAY_MS);
    expect(wsA.outcomes.filter((outcome) => outcome.documentId === orderId), 'WS-A has no reply yet').toEqual([]);

    await wsA.waitForDocuments('records', new Map([[orderId, serverCopy]]), BOUND_MS);
    await wsA.waitForDocuments('entries', new Map([[vitals, wsB.confirmed.get(vitals)?.hash as string]]), BOUND_MS);
    await wsA.waitSynced();

    expect(delayedReply.hits).toBe(1);
    expect(wsA.outcomes.filter((outcome) => outcome.documentId === orderId).map((outcome) => outcome.outcome)).toEqual(['accepted']);
    expect(wsA.conflicts).toEqual([]);
  });

  it('matches a fresh full pull', async () => {
    const wsD = await harness.addWorkstation('ws-d', { direct: true });
    await harness.converge(BOUND_MS);

    const differences = describeDifferences(await withoutAuditEvents(wsD), await withoutAuditEvents(wsA), ['ws-d', 'ws-a']);
    expect(differences).toEqual([]);
    expect(await harness.unconfirmedWrites(['entries'])).toEqual([]);
    expect(await harness.duplicateWrites()).toEqual([]);
  });
});

/** Fingerprints the workstation's replica without its own AuditEvents, which never travel to other workstations. */
async function withoutAuditEvents(workstation: HarnessWorkstation) {
  const snapshot = await workstation.snapshot();
  for (const id of [...snapshot.entries.keys()]) if (id.startsWith('AuditEvent/')) snapshot.entries.delete(id);
  return snapshot;
}
