import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ConflictRecord } from '../../../sync/client/conflict-log.js';
import type { PushOutcome } from '../../../sync/client/replication.js';
import type { FhirResource } from '../../../sync/protocol/documents.js';
import { toEntryDocument } from '../../../sync/protocol/documents.js';
import { buildSpO2ScaleDecision } from '../../../sync/protocol/fhir/vital-signs.js';
import type { HarnessWorkstation } from '../../support/sync-harness.js';
import { CLOCK, SyncHarness } from '../../support/sync-harness.js';
import { SyncClient } from '../server/helpers.js';

/**
 * SYNC-15: the server's copy overrides a nurse's offline edit by rule, or the server rejects the
 * edit. The local version must never just disappear: a conflict record keeps both versions, and
 * the replication reports each pushed document's outcome (accepted, conflict or rejected) so that
 * the UI, which another change builds, can tell the nurse.
 *
 * The product has no medication orders. The documented rule that plays "a discontinuation wins"
 * is the one for Encounters, which the hospital's admission system owns: the server's copy always
 * wins. So the nurse moves her patient to another bed while offline, and meanwhile WS-B, playing
 * the admission system, moves the patient elsewhere. In the variant, the nurse changes a doctor's
 * SpO2 scale decision, which only doctors may write, so the server rejects it.
 */

const BOUND_MS = 15_000;

/** Reads the bed of the Encounter's active location. */
function bedOf(resource: Record<string, unknown>): string | undefined {
  const locations = resource.location as { location: { reference: string }; status?: string }[];
  return locations.find((entry) => entry.status === 'active')?.location.reference;
}

describe('SYNC-15: the server overrides a local edit', () => {
  let harness: SyncHarness;
  let wsA: HarnessWorkstation;
  let wsB: HarnessWorkstation;
  let patients: string[];
  const recorded: ConflictRecord[] = [];
  const outcomes: PushOutcome[] = [];

  beforeAll(async () => {
    harness = await SyncHarness.start({ databasePrefix: 'sync_15' });
    wsA = await harness.addWorkstation('ws-a', { ownProxy: true });
    wsB = await harness.addWorkstation('ws-b', { direct: true });
    wsA.core.replication.conflicts$.subscribe((record) => recorded.push(record));
    wsA.core.replication.outcomes$.subscribe((batch) => outcomes.push(...batch));
    patients = await wsA.listPatients();
  });

  afterAll(async () => {
    await harness?.close();
  });

  /** Lists the ward's beds that no Encounter in the replica uses. */
  async function freeBeds(workstation: HarnessWorkstation): Promise<string[]> {
    const encounters = await workstation.core.replica.records.find({ selector: { resourceType: 'Encounter' } }).exec();
    const used = new Set(encounters.map((encounter) => bedOf(encounter.resource)));
    const locations = await workstation.core.replica.reference.find({ selector: { resourceType: 'Location', wardId: 'ward-4a' } }).exec();
    const beds = locations.filter((location) => (location.resource.physicalType as { coding: { code: string }[] }).coding[0]?.code === 'bd');
    return beds.map((bed) => `Location/${bed.resource.id as string}`).filter((bed) => !used.has(bed));
  }

  /** Returns a copy of the Encounter with the patient in `bed`. */
  function moveTo(bed: string): (resource: FhirResource) => FhirResource {
    return (resource) => ({ ...resource, location: [{ location: { reference: bed }, status: 'active' }] });
  }

  it('keeps the nurse version when the admission system wins', async () => {
    const patientId = patients[0] as string;
    const encounter = (await wsA.core.replica.records.find({ selector: { resourceType: 'Encounter', patientId } }).exec())[0];
    const id = encounter?.id as string;
    const [nurseBed, admissionBed] = (await freeBeds(wsA)) as [string, string];

    await wsA.proxy.refuse({ resetOpen: true });
    await wsA.waitForState('offline');
    await wsA.editRecord(id, moveTo(nurseBed));
    const vitals = await wsA.recordVitals(patientId, { pulse: 64 });
    await wsB.editRecord(id, moveTo(admissionBed));
    await wsB.waitSynced();
    await wsA.proxy.accept();
    await wsA.waitSynced(BOUND_MS);
    await harness.converge(BOUND_MS);

    const outcome = (documentId: string) => outcomes.filter((entry) => entry.documentId === documentId).map((entry) => entry.outcome);
    expect(outcome(id)).toEqual(['conflict']);
    expect(outcome(vitals)).toEqual(['accepted']);

    const conflicts = recorded.filter((record) => record.documentId === id);
    expect(conflicts.map((record) => [record.outcome, record.rule, record.status])).toEqual([['server-kept', 'server-owned', 'open']]);
    const conflict = conflicts[0] as ConflictRecord;
    expect(bedOf(conflict.local.resource)).toBe(nurseBed);
    expect(bedOf(conflict.server.resource)).toBe(admissionBed);
    expect(bedOf(conflict.settled.resource)).toBe(admissionBed);
    expect(conflict.patientId).toBe(patientId);
    expect(Number.isNaN(Date.parse(conflict.detectedAt))).toBe(false);
    expect(wsA.status.openConflicts).toBe(1);
    // Who wrote each version, where and when.
    expect(conflict.authors.local).toEqual({ userId: 'user-nurse', workstationId: 'ws-a' });
    expect(conflict.authors.server).toMatchObject({ id, userId: 'user-nurse', userName: 'Demo Nurse', workstationId: 'ws-b' });
    expect(Number.isNaN(Date.parse(conflict.authors.server?.writtenAt ?? ''))).toBe(false);

    // The rule's outcome is on every replica and the server; only the conflict log keeps the nurse's version.
    for (const workstation of [wsA, wsB]) {
      expect(bedOf((await workstation.core.replica.records.findOne(id).exec())?.resource ?? {}), workstation.name).toBe(admissionBed);
    }
  });

  it('reports an edit the server rejects', async () => {
    const patientId = patients[1] as string;
    const doctor = await SyncClient.signIn(harness.serverUrl, { username: 'doctor', workstationId: 'ws-doctor' });
    const decision = toEntryDocument(
      buildSpO2ScaleDecision({
        id: 'sync-15-scale',
        patientId,
        scale: 2,
        effectiveDateTime: CLOCK.now().toISOString(),
        performer: { reference: 'Practitioner/user-doctor', display: 'Demo Doctor' },
      }),
    );
    expect((await doctor.push('entries', [{ newDocumentState: { ...decision, _deleted: false } }])).status).toBe(200);
    await wsA.waitForDocuments('entries', new Map([[decision.id, (await harness.serverDocuments('entries', [decision.id])).get(decision.id)?.hash as string]]), BOUND_MS);

    const local = await wsA.core.replica.entries.findOne(decision.id).exec();
    await local?.incrementalModify((data) => ({ ...data, resource: { ...data.resource, valueInteger: 1 } }));
    const deadline = Date.now() + BOUND_MS;
    while (!outcomes.some((entry) => entry.documentId === decision.id) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));

    const rejections = outcomes.filter((entry) => entry.documentId === decision.id);
    expect(rejections.map((entry) => entry.outcome)).toEqual(['rejected']);
    expect(rejections[0]?.reason).toMatch(/doctor/);
    expect(wsA.rejected().map((row) => row.documentId)).toContain(decision.id);
    expect(wsA.status.rejectedChanges).toBeGreaterThanOrEqual(1);
    // The server keeps the doctor's decision.
    const stored = await harness.query<{ scale: number }>(`SELECT (document->'resource'->>'valueInteger')::int AS scale FROM documents WHERE id = $1`, [decision.id]);
    expect(stored[0]?.scale).toBe(2);
  });
});
