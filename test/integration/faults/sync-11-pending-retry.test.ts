import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { HarnessWorkstation } from '../../support/sync-harness.js';
import { SyncHarness } from '../../support/sync-harness.js';

/**
 * SYNC-11: writes queued while the server was away must be sent again without a new local write.
 * The workstation comes back with pending entries while the server is down (connections reset,
 * then HTTP 503), and no one writes anything after. Everything must arrive soon after the server
 * is healthy, and the pending count must stay above 0 until the server acknowledged each entry.
 */

/** Time from a healthy server to every pending entry acknowledged. The case allows 60 s with default timers; these tests shorten the probe backoff to at most 400 ms. */
const BOUND_MS = 10_000;
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SYNC-11: pending entries resent without a new write', () => {
  let harness: SyncHarness;
  let workstation: HarnessWorkstation;
  let patients: string[];

  beforeAll(async () => {
    harness = await SyncHarness.start({ databasePrefix: 'sync_11', heartbeatIntervalMs: 500 });
    workstation = await harness.addWorkstation('ws-a', { connectivity: { minProbeIntervalMs: 100, maxProbeIntervalMs: 400 }, streamSilenceTimeoutMs: 1_500 });
    await harness.addWorkstation('ws-b', { direct: true });
    patients = await workstation.listPatients();
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('resends after refused, reset and 503', async () => {
    await harness.proxy.refuse({ resetOpen: true });
    await workstation.waitForState('offline');
    const ids = [];
    for (let index = 0; index < 4; index++) ids.push(await workstation.recordVitals(patients[index % patients.length] as string, { pulse: 70 + index }));
    expect(workstation.status.pendingChanges).toBe(4);

    // The network returns while the server restarts: first its port is closed, then it responds 503.
    await harness.stopServer();
    await harness.proxy.accept();
    await delay(1_000);
    expect(workstation.status.pendingChanges).toBe(4);

    await harness.startServer();
    const unavailable = harness.proxy.addRule({ action: { kind: 'status', status: 503 } });
    await delay(1_500);
    expect(unavailable.hits).toBeGreaterThan(0);
    expect(workstation.status.pendingChanges).toBe(4);
    expect(workstation.status.state).toBe('offline');
    expect((await harness.serverIds('entries', ids)).size).toBe(0);

    const healthyAt = Date.now();
    unavailable.remove();
    await workstation.waitSynced(BOUND_MS);
    const elapsed = Date.now() - healthyAt;

    expect(elapsed).toBeLessThan(BOUND_MS);
    expect([...(await harness.serverIds('entries', ids))].sort()).toEqual([...ids].sort());
    expect(await workstation.pendingTruthViolations()).toEqual([]);
    console.log(`SYNC-11 restart variant: 4 entries acknowledged ${elapsed} ms after the server was healthy`);
  });

  it('resends when the server is healthy on reconnect', async () => {
    await harness.proxy.refuse({ resetOpen: true });
    await workstation.waitForState('offline');
    const ids = [];
    for (let index = 0; index < 3; index++) ids.push(await workstation.recordVitals(patients[index % patients.length] as string, { respiratoryRate: 14 + index }));
    expect(workstation.status.pendingChanges).toBe(3);

    const reconnectedAt = Date.now();
    await harness.proxy.accept();
    await workstation.waitSynced(BOUND_MS);
    const elapsed = Date.now() - reconnectedAt;

    expect(elapsed).toBeLessThan(BOUND_MS);
    expect([...(await harness.serverIds('entries', ids))].sort()).toEqual([...ids].sort());
    expect(await workstation.pendingTruthViolations()).toEqual([]);
    console.log(`SYNC-11 healthy variant: 3 entries acknowledged ${elapsed} ms after reconnecting`);
  });

  it('converges with the other workstation', async () => {
    await harness.proxy.heal();
    const counts = await harness.converge(20_000);

    expect(counts.entries).toBeGreaterThan(0);
    expect(await harness.unconfirmedWrites()).toEqual([]);
    expect(await harness.duplicateWrites()).toEqual([]);
  });
});
