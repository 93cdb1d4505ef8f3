import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ConflictRecord } from '../../../sync/client/conflict-log.js';
import type { FhirResource } from '../../../sync/protocol/documents.js';
import type { HarnessWorkstation } from '../../support/sync-harness.js';
import { CLOCK, SyncHarness } from '../../support/sync-harness.js';

/**
 * SYNC-23: two offline workstations create a document with the same deterministic id. The server
 * must not let the second insert overwrite the first: the second push gets a conflict although it
 * assumed no master, and the documented rule decides. A mergeable document must end with both
 * sides' items on every replica, a new one included. A document that cannot be merged must be
 * kept for a person to review, never silently replaced.
 *
 * The product has no fluid balance chart. Its mergeable resources are Patient and
 * AllergyIntolerance, whose lists merge item by item when the items carry FHIR element ids (see
 * sync/protocol/conflict-rules.ts). So the chart with one id per patient and day becomes an
 * AllergyIntolerance with one id per patient and substance, and each workstation's intake entry
 * becomes a reaction with its own element id. The entries that cannot be merged are vital signs
 * sets charted on both workstations under one client-chosen id.
 */

const BOUND_MS = 15_000;

interface Reaction {
  id: string;
  manifestation: { text: string }[];
}

function allergy(id: string, patientId: string, reaction: Reaction): FhirResource {
  return {
    resourceType: 'AllergyIntolerance',
    id,
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
    code: { coding: [{ system: 'http://snomed.info/sct', code: '764146007', display: 'Penicillin' }] },
    patient: { reference: `Patient/${patientId}` },
    recordedDate: CLOCK.now().toISOString(),
    reaction: [reaction],
  };
}

describe('SYNC-23: same document id created offline twice', () => {
  let harness: SyncHarness;
  let wsA: HarnessWorkstation;
  let wsB: HarnessWorkstation;
  let wsC: HarnessWorkstation;
  let patients: string[];
  const recordedOnB: ConflictRecord[] = [];

  beforeAll(async () => {
    harness = await SyncHarness.start({ databasePrefix: 'sync_23' });
    wsA = await harness.addWorkstation('ws-a', { ownProxy: true });
    wsB = await harness.addWorkstation('ws-b', { ownProxy: true });
    wsC = await harness.addWorkstation('ws-c', { direct: true });
    wsB.core.replication.conflicts$.subscribe((record) => recordedOnB.push(record));
    patients = await wsA.listPatients();
  });

  afterAll(async () => {
    await harness?.close();
  });

  async function goOffline(...workstations: HarnessWorkstation[]): Promise<void> {
    for (const workstation of workstations) {
      await workstation.proxy.refuse({ resetOpen: true });
      await workstation.waitForState('offline');
    }
  }

  /** Reconnects the workstation and waits until it has sent every pending change. */
  async function reconnect(workstation: HarnessWorkstation): Promise<void> {
    await workstation.proxy.accept();
    await workstation.waitSynced(BOUND_MS);
  }

  it('merges the items of a mergeable document', async () => {
    const patientId = patients[0] as string;
    const id = `AllergyIntolerance/allergy-${patientId}-penicillin`;
    const fhirId = id.slice('AllergyIntolerance/'.length);
    await goOffline(wsA, wsB);
    await wsA.createRecord(allergy(fhirId, patientId, { id: 'reaction-ws-a', manifestation: [{ text: 'Urticaria' }] }));
    await wsB.createRecord(allergy(fhirId, patientId, { id: 'reaction-ws-b', manifestation: [{ text: 'Wheeze' }] }));

    await reconnect(wsA);
    expect((await harness.serverDocuments('records', [id])).get(id)?.hash).toBe(wsA.confirmed.get(id)?.hash);
    await reconnect(wsB);

    expect(recordedOnB.map((record) => [record.documentId, record.outcome, record.rule])).toEqual([[id, 'merged', 'field-merge']]);
    const wsD = await harness.addWorkstation('ws-d', { direct: true });
    const server = (await harness.serverDocuments('records', [id])).get(id)?.hash as string;
    for (const workstation of [wsA, wsB, wsC, wsD]) {
      await workstation.waitForDocuments('records', new Map([[id, server]]), BOUND_MS);
      const reactions = (await workstation.core.replica.records.findOne(id).exec())?.resource.reaction as Reaction[];
      expect(reactions.map((reaction) => reaction.id).sort(), workstation.name).toEqual(['reaction-ws-a', 'reaction-ws-b']);
    }
  });

  it('keeps the losing version of an entry for review', async () => {
    const observationId = randomUUID();
    const id = `Observation/${observationId}`;
    await goOffline(wsA, wsB);
    await wsA.recordVitals(patients[1] as string, { pulse: 72 }, { observationId });
    await wsB.recordVitals(patients[1] as string, { pulse: 118 }, { observationId });

    await reconnect(wsA);
    await reconnect(wsB);

    const conflict = recordedOnB.find((record) => record.documentId === id);
    expect(conflict?.outcome).toBe('server-kept');
    expect(conflict?.rule).toBe('append-only');
    expect(conflict?.status).toBe('open');
    expect(wsB.status.openConflicts).toBeGreaterThanOrEqual(1);
    // The server's copy is kept everywhere, and B's own version stays in its conflict log.
    const server = (await harness.serverDocuments('entries', [id])).get(id)?.hash;
    expect(server).toBe(wsA.confirmed.get(id)?.hash);
    expect(JSON.stringify(conflict?.local.resource)).toContain('"value":118');
    expect(JSON.stringify(conflict?.server.resource)).toContain('"value":72');
    await wsB.waitForDocuments('entries', new Map([[id, server as string]]), BOUND_MS);
  });

  it('converges with nothing lost silently', async () => {
    await harness.converge(20_000);

    // The losing vital signs set is neither on the server nor rejected: it waits in the conflict
    // log. The allergy's confirmed states were merged, which the first test checks item by item.
    const openOnB = new Set(recordedOnB.filter((record) => record.status === 'open').map((record) => record.documentId));
    const unconfirmed = await harness.unconfirmedWrites(['entries']);
    expect(unconfirmed.filter((problem) => ![...openOnB].some((id) => problem.includes(id)))).toEqual([]);
    expect(await harness.duplicateWrites()).toEqual([]);
    expect(wsA.conflicts).toEqual([]);
  });
});
