import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import type { HarnessWorkstation } from '../../support/sync-harness.js';
import { CLOCK, SyncHarness } from '../../support/sync-harness.js';

/**
 * SYNC-04: WS-A charts vital signs while offline, with a clinical time older than changes that
 * other workstations have pulled since. When WS-A pushes them late, WS-C must receive them within
 * one pull cycle, once with the live event stream and once with checkpoint pulls only. The server
 * assigns its own feed position on write, so the client's time is stored as data only.
 *
 * Scaled down for CI: the case's two hours pass in seconds. The workstations' clock reads 10:00
 * and WS-A charts with a clinical time of 08:15. The Patient edit plays WS-B's 09:00 change.
 */

/** Time from WS-A's reconnect until WS-C has stored the late entry, as one pull cycle at most. */
const PULL_CYCLE_BOUND_MS = 10_000;
const CLINICAL_TIME = new Date(CLOCK.now().getTime() - 105 * 60_000).toISOString();

describe('SYNC-04: late push of an offline entry', () => {
  let harness: SyncHarness;
  let wsA: HarnessWorkstation;
  let wsB: HarnessWorkstation;
  let patients: string[];
  let phoneNumber = 0;

  beforeAll(async () => {
    harness = await SyncHarness.start({ databasePrefix: 'sync_04', heartbeatIntervalMs: 500 });
    wsA = await harness.addWorkstation('ws-a', { ownProxy: true });
    wsB = await harness.addWorkstation('ws-b', { direct: true });
    patients = await wsA.listPatients();
  });

  afterEach(async () => {
    await wsA.proxy.heal();
  });

  afterAll(async () => {
    await harness?.close();
  });

  /**
   * Charts vital signs on WS-A while it is offline, has WS-B edit a Patient and waits until
   * `reader` has stored that edit, then reconnects WS-A. Returns the late entry's id and the
   * time of the reconnect.
   */
  async function pushLateEntry(reader: HarnessWorkstation): Promise<{ id: string; reconnectedAt: number }> {
    await wsA.proxy.refuse({ resetOpen: true });
    await wsA.waitForState('offline');
    const id = await wsA.recordVitals(patients[0] as string, { pulse: 104, respiratoryRate: 22 }, { effectiveDateTime: CLINICAL_TIME });

    phoneNumber++;
    const edited = await wsB.editPatientPhone(patients[1] as string, `+1 555 040${phoneNumber}`);
    await wsB.waitSynced();
    await reader.waitForDocuments('records', new Map([[edited, wsB.confirmed.get(edited)?.hash as string]]), PULL_CYCLE_BOUND_MS);

    await wsA.proxy.accept();
    return { id, reconnectedAt: Date.now() };
  }

  it('reaches a workstation on the event stream', async () => {
    const wsC = await harness.addWorkstation('ws-c', { direct: true });
    const { id, reconnectedAt } = await pushLateEntry(wsC);

    await wsC.waitForDocuments('entries', new Map([[id, wsA.confirmed.get(id)?.hash as string]]), PULL_CYCLE_BOUND_MS);
    const receivedAfterMs = Date.now() - reconnectedAt;

    // The clinical time travels as data: the chart shows the entry at 08:15, when it was taken.
    const local = await wsC.core.replica.entries.findOne(id).exec();
    expect(local?.effective).toBe(CLINICAL_TIME);
    expect(local?.resource.effectiveDateTime).toBe(CLINICAL_TIME);
    console.log(`SYNC-04 with the event stream: the late entry reached WS-C ${receivedAfterMs} ms after WS-A reconnected`);
    await wsC.close();
  });

  it('reaches a workstation on checkpoint pulls only', async () => {
    const wsC = await harness.addWorkstation('ws-c-no-stream', { ownProxy: true, streamSilenceTimeoutMs: 1_500 });
    const streamRefused = wsC.proxy.addRule({ match: { method: 'GET', path: '/sync/stream' }, action: { kind: 'status', status: 503 } });
    wsC.proxy.resetAll();

    try {
      const { id, reconnectedAt } = await pushLateEntry(wsC);
      await wsC.waitForDocuments('entries', new Map([[id, wsA.confirmed.get(id)?.hash as string]]), PULL_CYCLE_BOUND_MS);
      expect(streamRefused.hits).toBeGreaterThan(0);
      console.log(`SYNC-04 on checkpoint pulls: the late entry reached WS-C ${Date.now() - reconnectedAt} ms after WS-A reconnected`);
    } finally {
      streamRefused.remove();
      await wsC.close();
    }
  });

  it('converges with the late entries once', async () => {
    await harness.converge(20_000);

    expect(await harness.unconfirmedWrites()).toEqual([]);
    expect(await harness.duplicateWrites()).toEqual([]);
    expect(wsA.conflicts).toEqual([]);
    expect(await wsA.pendingTruthViolations()).toEqual([]);
  });
});
