import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { HarnessWorkstation } from '../../support/sync-harness.js';
import { SyncHarness, WARD_ID } from '../../support/sync-harness.js';

/**
 * SYNC-02: a long transaction begins before, and commits after, a short one that a workstation
 * has already pulled. WS-A must still end with every row of the long transaction. The product's
 * feed position is the writing transaction's id, served only below the snapshot's xmin, so the
 * transaction start time is never a resume position and the short change waits for the long one.
 *
 * Scaled down for CI: the case's pharmacy interface, which substitutes 500 orders in one 5 s
 * transaction, becomes another system that writes straight to the server's PostgreSQL. It amends up
 * to 500 of the ward's vital signs panels (status `amended`) in one transaction held open 2 s. The note
 * pushed meanwhile is a Patient edit. In the variant, WS-C charts 300 vital signs offline and
 * sends them in a push of up to 300 that waits 1.5 s on a row lock held by another session.
 */

const LONG_HOLD_MS = 2_000;
const ROW_LOCK_HOLD_MS = 1_500;
const AMENDED_LIMIT = 500;
const VARIANT_ENTRIES = 300;
/**
 * Longest time from a commit until WS-A has stored its rows, once nothing older is still open. The
 * snapshot horizon spans every database of the PostgreSQL cluster, so other tests' transactions
 * can add to it.
 */
const DELIVERY_BOUND_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SYNC-02: long transaction behind the reader', () => {
  let harness: SyncHarness;
  let wsA: HarnessWorkstation;
  let wsB: HarnessWorkstation;
  let wsC: HarnessWorkstation;
  let patients: string[];

  beforeAll(async () => {
    harness = await SyncHarness.start({ databasePrefix: 'sync_02' });
    wsA = await harness.addWorkstation('ws-a', { direct: true });
    wsB = await harness.addWorkstation('ws-b', { direct: true });
    // One push carries every pending entry, as in the case.
    wsC = await harness.addWorkstation('ws-c', { ownProxy: true, sync: { pushBatchSize: VARIANT_ENTRIES } });
    patients = await wsA.listPatients();
  });

  afterAll(async () => {
    await harness?.close();
  });

  /** Opens a connection of its own to the server's database, as another system writing to it would. */
  async function otherSession(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: harness.database.url });
    await client.connect();
    return client;
  }

  it('delivers every row of a long transaction and the note behind it', async () => {
    const panels = await harness.query<{ id: string; effective: string }>(
      `SELECT id, document->>'effective' AS effective FROM documents
       WHERE collection = 'entries' AND resource_type = 'Observation'
         AND patient_id IN (SELECT patient_id FROM ward_membership WHERE ward_id = $1)
       ORDER BY id LIMIT ${AMENDED_LIMIT}`,
      [WARD_ID],
    );
    expect(panels.length).toBeGreaterThanOrEqual(100);
    const ids = panels.map((panel) => panel.id);

    const pharmacy = await otherSession();
    let noteId: string;
    let noteCommittedAt: number;
    let longCommittedAt: number;
    try {
      await pharmacy.query('BEGIN');
      await pharmacy.query(`UPDATE documents SET document = jsonb_set(document, '{resource,status}', '"amended"') WHERE collection = 'entries' AND id = ANY($1::text[])`, [ids]);
      await pharmacy.query(`SELECT pg_notify('hms_changes', '{"collections":["entries"]}')`);
      const startedAt = Date.now();

      await sleep(LONG_HOLD_MS / 4);
      noteId = await wsB.editPatientPhone(patients[0] as string, '+1 555 0202');
      await wsB.waitSynced();
      noteCommittedAt = Date.now();
      // The note committed, but the long transaction began before it: WS-A must not pull past it yet.
      await sleep(LONG_HOLD_MS / 4);
      expect(await wsA.core.replica.records.findOne(noteId).exec().then((document) => document?.resource.telecom)).not.toEqual([{ system: 'phone', value: '+1 555 0202' }]);

      await sleep(Math.max(0, LONG_HOLD_MS - (Date.now() - startedAt)));
      await pharmacy.query('COMMIT');
      longCommittedAt = Date.now();
    } finally {
      await pharmacy.end();
    }

    const amended = await harness.serverDocuments('entries', ids);
    await wsA.waitForDocuments('entries', new Map([...amended].map(([id, print]) => [id, print.hash])), DELIVERY_BOUND_MS);
    const amendedAfterMs = Date.now() - longCommittedAt;
    await wsA.waitForDocuments('records', new Map([[noteId, wsB.confirmed.get(noteId)?.hash as string]]), DELIVERY_BOUND_MS);
    const noteLatencyMs = Date.now() - noteCommittedAt;

    // The note waited for the long transaction, and no longer than that plus the delivery bound.
    expect(noteLatencyMs).toBeLessThan(longCommittedAt - noteCommittedAt + DELIVERY_BOUND_MS);
    // The feed position never touched the clinical time.
    const local = await wsA.core.replica.entries.findByIds(ids).exec();
    for (const panel of panels) {
      const document = local.get(panel.id);
      expect(document?.resource.status, panel.id).toBe('amended');
      expect(document?.effective, panel.id).toBe(panel.effective);
    }
    console.log(`SYNC-02: ${ids.length} amended panels on WS-A ${amendedAfterMs} ms after the commit; the note waited ${noteLatencyMs} ms`);
  });

  it('delivers a push that waited on a row lock', async () => {
    await wsC.proxy.refuse({ resetOpen: true });
    await wsC.waitForState('offline');
    const ids: string[] = [];
    for (let index = 0; index < VARIANT_ENTRIES; index++) {
      ids.push(await wsC.recordVitals(patients[index % patients.length] as string, { pulse: 60 + (index % 40) }));
    }
    const contested = ids[VARIANT_ENTRIES / 2] as string;

    // Another session inserts one of the pending ids and keeps its transaction open: the push
    // writes the rows before it, then waits on its row lock until the other session rolls back.
    const blocker = await otherSession();
    let reconnectedAt: number;
    try {
      await blocker.query('BEGIN');
      await blocker.query(
        `INSERT INTO documents (collection, id, resource_type, patient_id, ward_id, document, deleted)
         SELECT collection, $1, resource_type, patient_id, ward_id, jsonb_set(document, '{id}', to_jsonb($1::text)), false
         FROM documents WHERE collection = 'entries' AND resource_type = 'Observation' LIMIT 1`,
        [contested],
      );
      await wsC.proxy.accept();
      reconnectedAt = Date.now();
      await sleep(ROW_LOCK_HOLD_MS);
      // The first entry's push failed while offline and is retried alone, so it may have committed;
      // the push that carries the contested id waits.
      expect((await harness.serverIds('entries', ids)).has(contested), 'the contested entry waits for the lock').toBe(false);
      await blocker.query('ROLLBACK');
    } finally {
      await blocker.end();
    }

    await wsC.waitSynced(DELIVERY_BOUND_MS + 10_000);
    const expected = new Map(ids.map((id) => [id, wsC.confirmed.get(id)?.hash as string]));
    await wsA.waitForDocuments('entries', expected, DELIVERY_BOUND_MS);
    expect(wsC.outcomes.filter((outcome) => ids.includes(outcome.documentId) && outcome.outcome !== 'accepted')).toEqual([]);
    console.log(`SYNC-02 variant: ${VARIANT_ENTRIES} entries on WS-A ${Date.now() - reconnectedAt} ms after WS-C reconnected`);
  });

  it('converges with every write on the server once', async () => {
    await harness.converge(20_000);

    expect(await harness.unconfirmedWrites()).toEqual([]);
    expect(await harness.duplicateWrites()).toEqual([]);
    for (const workstation of [wsA, wsB, wsC]) {
      expect(workstation.conflicts, `${workstation.name} met no conflict`).toEqual([]);
      expect(await workstation.pendingTruthViolations()).toEqual([]);
    }
  });
});
