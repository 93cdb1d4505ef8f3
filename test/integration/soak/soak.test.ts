import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { FaultRule } from '../../support/fault-proxy.js';
import { integerBetween, seededRandom, testSeed } from '../../support/seeded-random.js';
import type { HarnessWorkstation } from '../../support/sync-harness.js';
import { SyncHarness } from '../../support/sync-harness.js';

/**
 * Soak: three workstations chart vital signs and edit Patients for HMS_SOAK_SECONDS, 45 s by
 * default for CI. `npm run test:soak` runs it for 600 s. Meanwhile the fault proxy injects random
 * faults: refused connections, a black hole, latency, resets part-way through a push, and
 * responses cut after the server committed. The server restarts once and one workstation closes
 * and reopens once. Then the faults heal, and every replica and the server must converge with:
 *
 * - G1: every entry a workstation confirmed is on the server, or listed there as rejected;
 * - G2: nothing stored twice or in a workstation's name that it never wrote;
 * - G4: no moment at which a pending count of 0 hid an entry the server did not have;
 * - no silent overwrite: each workstation's last value of each Patient element it edited reached
 *   the server in some revision, or is kept in that workstation's conflict log.
 *
 * Patient edits bypass the outbox (see HarnessWorkstation.editRecord), so G1 and G4 cover entries,
 * and the overwrite check covers the Patients.
 */

const SOAK_SECONDS = Number(process.env.HMS_SOAK_SECONDS ?? 45);
const SEED = testSeed();
/** Patients that all three workstations edit, so their edits collide. */
const CONTESTED_PATIENTS = 4;
/** Time from the heal until every replica equals the server, for a run of up to a few minutes. */
const CONVERGE_BOUND_MS = 120_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type FaultKind = 'refuse' | 'black-hole' | 'delay' | 'reset-mid-push' | 'cut-after-commit';
const FAULT_KINDS: readonly FaultKind[] = ['refuse', 'black-hole', 'delay', 'reset-mid-push', 'cut-after-commit'];

/** The last value a workstation set for each edited element of a Patient, by patient id. */
type LastEdits = Map<string, { phone?: string; nextOfKin?: string }>;

interface PatientElements {
  telecom?: { value?: string }[];
  contact?: { name?: { family?: string } }[];
}

describe(`soak under random faults (seed ${SEED}, ${SOAK_SECONDS} s)`, () => {
  const random = seededRandom(SEED);
  let harness: SyncHarness;
  let workstations: HarnessWorkstation[];
  let patients: string[];
  const lastEdits = new Map<string, LastEdits>();
  const writes = { vitals: 0, patientEdits: 0 };
  const faults = new Map<FaultKind | 'server-restart' | 'workstation-restart', number>();

  beforeAll(async () => {
    harness = await SyncHarness.start({ databasePrefix: 'soak', heartbeatIntervalMs: 500, random });
    await harness.trackRevisions();
    workstations = [];
    for (const name of ['ws-a', 'ws-b', 'ws-c']) {
      workstations.push(
        await harness.addWorkstation(name, {
          connectivity: { minProbeIntervalMs: 100, maxProbeIntervalMs: 1_000 },
          streamSilenceTimeoutMs: 1_500,
          requestTimeoutMs: 3_000,
          sync: { retry: { minDelayMs: 200, maxDelayMs: 2_000 } },
        }),
      );
      lastEdits.set(name, new Map());
    }
    patients = await (workstations[0] as HarnessWorkstation).listPatients();
  });

  afterAll(async () => {
    await harness?.close();
  });

  function count(kind: FaultKind | 'server-restart' | 'workstation-restart'): void {
    faults.set(kind, (faults.get(kind) ?? 0) + 1);
  }

  /** Makes one random write: mostly vital signs, sometimes an edit of a contested Patient. */
  async function writeOnce(workstation: HarnessWorkstation, sequence: number): Promise<void> {
    if (random() < 0.7) {
      await workstation.recordVitals(patients[integerBetween(random, 0, patients.length - 1)] as string, { pulse: integerBetween(random, 50, 130) });
      writes.vitals++;
      return;
    }
    const patientId = patients[integerBetween(random, 0, CONTESTED_PATIENTS - 1)] as string;
    const edits = (lastEdits.get(workstation.name) as LastEdits).get(patientId) ?? {};
    if (random() < 0.5) {
      edits.phone = `+1 555 ${workstation.name.slice(-1)}${String(sequence).padStart(5, '0')}`;
      await workstation.editPatientPhone(patientId, edits.phone);
    } else {
      edits.nextOfKin = `Kin-${workstation.name}-${sequence}`;
      await workstation.editPatientNextOfKin(patientId, edits.nextOfKin);
    }
    (lastEdits.get(workstation.name) as LastEdits).set(patientId, edits);
    writes.patientEdits++;
  }

  /** The write each workstation is running, so a restart can wait for it to finish. */
  const writesInFlight = new Map<string, Promise<void>>();

  /** Writes until `deadline`, as a nurse charting through the shift, waiting while `paused()` returns a promise. */
  async function writeUntil(workstation: HarnessWorkstation, deadline: number, paused: () => Promise<void> | undefined): Promise<void> {
    let sequence = 0;
    while (Date.now() < deadline) {
      await paused();
      const write = writeOnce(workstation, sequence++);
      writesInFlight.set(workstation.name, write);
      await write;
      await sleep(integerBetween(random, 50, 400));
    }
  }

  /** Applies one random fault for a random time, then ends it. */
  async function injectFault(): Promise<void> {
    const kind = FAULT_KINDS[integerBetween(random, 0, FAULT_KINDS.length - 1)] as FaultKind;
    const durationMs = integerBetween(random, 500, 3_000);
    count(kind);
    let rule: FaultRule | undefined;
    switch (kind) {
      case 'refuse':
        await harness.proxy.refuse({ resetOpen: true });
        break;
      case 'black-hole':
        harness.proxy.blackHole(true);
        break;
      case 'delay':
        harness.proxy.latencyMs = integerBetween(random, 50, 500);
        break;
      case 'reset-mid-push':
        rule = harness.proxy.addRule({ match: { method: 'POST', path: /^\/sync\/(records|entries)\/push/ }, action: { kind: 'reset-request', afterBytes: (length) => 1 + Math.floor(random() * (length - 1)) }, probability: 0.5 });
        break;
      case 'cut-after-commit':
        rule = harness.proxy.addRule({ match: { method: 'POST', path: /^\/sync\/(records|entries)\/push/ }, action: { kind: 'cut-response' }, probability: 0.5 });
        break;
    }
    await sleep(durationMs);
    rule?.remove();
    await harness.proxy.heal();
  }

  it('converges with every invariant holding', { timeout: SOAK_SECONDS * 1_000 + CONVERGE_BOUND_MS + 60_000 }, async () => {
    const startedAt = Date.now();
    const deadline = startedAt + SOAK_SECONDS * 1_000;
    const restarted = workstations[2] as HarnessWorkstation;
    let reopening: Promise<void> | undefined;

    const writers = workstations.map((workstation) => writeUntil(workstation, deadline, () => (workstation === restarted ? reopening : undefined)));

    const faultLoop = (async () => {
      let serverRestarted = false;
      let workstationRestarted = false;
      while (Date.now() < deadline) {
        const elapsed = (Date.now() - startedAt) / (deadline - startedAt);
        if (!serverRestarted && elapsed > 0.35) {
          serverRestarted = true;
          count('server-restart');
          await harness.stopServer();
          await sleep(integerBetween(random, 500, 2_000));
          await harness.startServer();
        } else if (!workstationRestarted && elapsed > 0.6) {
          workstationRestarted = true;
          count('workstation-restart');
          // The writer waits at its next write until the workstation is back and signed in.
          let reopened: () => void = () => undefined;
          reopening = new Promise((resolve) => (reopened = resolve));
          await writesInFlight.get(restarted.name);
          await restarted.close();
          await sleep(integerBetween(random, 500, 2_000));
          await restarted.open();
          await restarted.signIn();
          reopening = undefined;
          reopened();
        } else {
          await injectFault();
        }
        await sleep(integerBetween(random, 300, 1_500));
      }
    })();

    await Promise.all([...writers, faultLoop]);
    await harness.proxy.heal();
    const healedAt = Date.now();
    const counts = await harness.converge(CONVERGE_BOUND_MS);
    const convergedMs = Date.now() - healedAt;

    expect(await harness.unconfirmedWrites(['entries']), 'G1').toEqual([]);
    expect(await harness.duplicateWrites(), 'G2').toEqual([]);
    for (const workstation of workstations) expect(await workstation.pendingTruthViolations(), `G4 on ${workstation.name}`).toEqual([]);
    expect(await silentOverwrites(), 'no silent overwrite').toEqual([]);

    const conflicts = new Map<string, number>();
    for (const workstation of workstations) for (const record of workstation.conflictRecords()) conflicts.set(record.outcome, (conflicts.get(record.outcome) ?? 0) + 1);
    console.log(
      [
        `Soak seed ${SEED}: ${SOAK_SECONDS} s, ${writes.vitals} vital signs sets and ${writes.patientEdits} Patient edits on 3 workstations`,
        `faults: ${[...faults].map(([kind, times]) => `${kind} ${times}`).join(', ')}; proxy faulted ${harness.proxy.stats.requestsFaulted} requests`,
        `conflicts: ${[...conflicts].map(([outcome, times]) => `${outcome} ${times}`).join(', ') || 'none'}`,
        `converged ${convergedMs} ms after the heal: ${counts.records} records and ${counts.entries} entries on every replica`,
      ].join('\n'),
    );
  });

  /**
   * Lists each workstation's last Patient values that reached no server revision and are not in
   * its conflict log either: values overwritten without anyone having seen them.
   */
  async function silentOverwrites(): Promise<string[]> {
    const problems: string[] = [];
    for (const workstation of workstations) {
      const records = workstation.conflictRecords();
      for (const [patientId, edits] of lastEdits.get(workstation.name) as LastEdits) {
        const id = `Patient/${patientId}`;
        const versions = [
          ...(await harness.serverRevisions(id)).map((revision) => (revision.document as { resource: PatientElements }).resource),
          ...records.filter((record) => record.documentId === id).map((record) => record.local.resource as PatientElements),
        ];
        if (edits.phone && !versions.some((resource) => resource.telecom?.some((telecom) => telecom.value === edits.phone))) {
          problems.push(`${workstation.name}: the last phone number set on ${id} is neither on the server nor in the conflict log`);
        }
        if (edits.nextOfKin && !versions.some((resource) => resource.contact?.some((contact) => contact.name?.family === edits.nextOfKin))) {
          problems.push(`${workstation.name}: the last next of kin set on ${id} is neither on the server nor in the conflict log`);
        }
      }
    }
    return problems;
  }
});
