import type { RxDocumentData, RxJsonSchema } from 'rxdb';
import { fillWithDefaultSettings, normalizeMangoQuery, now, prepareQuery } from 'rxdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { FhirResource, RecordDocument } from '../../../sync/protocol/documents.js';
import { toRecordDocument } from '../../../sync/protocol/documents.js';
import type { PushRequest } from '../../../sync/protocol/wire.js';
import { recordsSchema } from '../../../sync/replica/schemas.js';
import { getRxStorageSQLite } from '../../../sync/replica/sqlite/sqlite-storage.js';
import { canonicalJson } from '../../../sync/server/canonical-json.js';
import { makeTempDirectory } from '../../support/replica.js';
import type { HarnessWorkstation } from '../../support/sync-harness.js';
import { SyncHarness } from '../../support/sync-harness.js';

/**
 * SYNC-20: the replica's own SQLite storage must keep RxDB's replication metadata and the deleted
 * flag exactly as the protocol expects. Otherwise a second push after a restart carries a stale
 * assumed master state, internal fields leak into push payloads, or documents vanish on reload.
 *
 * The case's steps, mapped: the storage and replication suites run in
 * test/unit/replica/sqlite-storage.test.ts and test/integration/server/rxdb-replication-conformance
 * (RxDB's own suites). The kill between a document and its metadata is covered by
 * test/integration/replica-crash-safety.test.ts, which kills a writer 20 times mid-write and finds no
 * half-applied bulk write. The schema migration of step 3 is left out: every replica schema is at
 * version 0, so there is no migration to run yet. Documents with an absent or null deleted flag
 * come from another system writing to the server's PostgreSQL, and, one level down, from bulk
 * writes straight to the storage.
 */

/** Members a pushed document may carry: the replica schema's properties and RxDB's deletion flag. */
const ALLOWED_MEMBERS = new Set([...Object.keys(recordsSchema.properties), '_deleted']);

/** Captures the body of every records push that goes to `baseUrl`, by wrapping the global fetch. */
function capturePushes(baseUrl: () => string): { bodies: PushRequest[]; restore: () => void } {
  const realFetch = globalThis.fetch;
  const bodies: PushRequest[] = [];
  globalThis.fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.startsWith(`${baseUrl()}/sync/records/push`) && typeof init?.body === 'string') bodies.push(JSON.parse(init.body) as PushRequest);
    return realFetch(input, init);
  };
  return { bodies, restore: () => (globalThis.fetch = realFetch) };
}

function allergy(id: string, patientId: string): FhirResource {
  return {
    resourceType: 'AllergyIntolerance',
    id,
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
    code: { text: 'Test allergen' },
    patient: { reference: `Patient/${patientId}` },
    recordedDate: '2026-12-04',
  };
}

describe('SYNC-20: replication metadata across a restart', () => {
  let harness: SyncHarness;
  let wsA: HarnessWorkstation;
  let patients: string[];
  let capture: ReturnType<typeof capturePushes>;

  beforeAll(async () => {
    harness = await SyncHarness.start({ databasePrefix: 'sync_20' });
    wsA = await harness.addWorkstation('ws-a', { ownProxy: true });
    capture = capturePushes(() => wsA.proxy.url);
    patients = await wsA.listPatients();
  });

  afterAll(async () => {
    capture?.restore();
    await harness?.close();
  });

  it('pushes the right assumed master after a restart', async () => {
    const id = `Patient/${patients[0] as string}`;
    await wsA.editPatientPhone(patients[0] as string, '+1 555 2001');
    await wsA.waitSynced();
    await wsA.close();
    await wsA.open();
    await wsA.waitSynced();
    await wsA.editPatientPhone(patients[0] as string, '+1 555 2002');
    await wsA.waitSynced();

    const rows = capture.bodies.flatMap((body) => body.rows).filter((row) => row.newDocumentState.id === id);
    expect(rows).toHaveLength(2);
    const [first, second] = rows as [PushRequest['rows'][number], PushRequest['rows'][number]];
    expect(canonicalJson(second.assumedMasterState)).toBe(canonicalJson(first.newDocumentState));
    expect(wsA.outcomes.filter((outcome) => outcome.documentId === id).map((outcome) => outcome.outcome)).toEqual(['accepted', 'accepted']);
    expect(wsA.conflicts).toEqual([]);
    expect((await harness.serverDocuments('records', [id])).get(id)?.hash).toBe(wsA.confirmed.get(id)?.hash);
  });

  it('pushes schema fields only', () => {
    const states = capture.bodies.flatMap((body) => body.rows.flatMap((row) => [row.newDocumentState, ...(row.assumedMasterState ? [row.assumedMasterState] : [])]));
    expect(states.length).toBeGreaterThan(0);
    for (const state of states) {
      expect(Object.keys(state).filter((member) => !ALLOWED_MEMBERS.has(member)), state.id).toEqual([]);
    }
  });

  it('keeps pulled documents whatever their deleted flag', async () => {
    const patientId = patients[1] as string;
    const flags = { absent: undefined, null: null, false: false } as const;
    const ids: string[] = [];
    for (const [name, flag] of Object.entries(flags)) {
      const document: Record<string, unknown> = { ...toRecordDocument(allergy(`sync-20-${name}`, patientId), { wardOfLocation: () => undefined }) };
      if (flag !== undefined) document._deleted = flag;
      await harness.query(
        `INSERT INTO documents (collection, id, resource_type, patient_id, ward_id, document, deleted)
         VALUES ('records', $1, 'AllergyIntolerance', $2, '', $3::text::jsonb, false)`,
        [document.id, patientId, JSON.stringify(document)],
      );
      ids.push(document.id as string);
    }
    await harness.query(`SELECT pg_notify('hms_changes', '{"collections":["records"]}')`);

    const visible = async () => {
      const found = await wsA.core.replica.records.find({ selector: { resourceType: 'AllergyIntolerance', patientId } }).exec();
      return found.map((document) => document.id).filter((id) => ids.includes(id)).sort();
    };
    const deadline = Date.now() + 10_000;
    while ((await visible()).length < ids.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await visible()).toEqual([...ids].sort());

    await wsA.close();
    await wsA.open();
    expect(await visible()).toEqual([...ids].sort());
    expect(await wsA.core.replica.records.count({ selector: { resourceType: 'AllergyIntolerance', patientId } }).exec()).toBeGreaterThanOrEqual(ids.length);
  });
});

describe('SYNC-20: the storage normalises the deleted flag', () => {
  const directory = makeTempDirectory('sync-20-storage');
  const schema = fillWithDefaultSettings(recordsSchema as RxJsonSchema<RecordDocument>);
  const storage = getRxStorageSQLite({ directory: directory.path });
  const open = () =>
    storage.createStorageInstance<RecordDocument>({
      databaseName: 'sync20',
      collectionName: 'records',
      schema,
      options: {},
      multiInstance: false,
      devMode: false,
      databaseInstanceToken: 'sync-20',
    });

  afterAll(() => directory.remove());

  it('keeps documents written with an absent or null flag', async () => {
    const patientId = 'patient-sync-20';
    const flags = { absent: undefined, null: null, false: false } as const;
    const instance = await open();
    const rows = Object.entries(flags).map(([name, flag]) => {
      const document: Record<string, unknown> = { ...toRecordDocument(allergy(`storage-${name}`, patientId), { wardOfLocation: () => undefined }), _meta: { lwt: now() }, _rev: '1-sync20', _attachments: {} };
      if (flag !== undefined) document._deleted = flag;
      return { document: document as unknown as RxDocumentData<RecordDocument> };
    });
    expect((await instance.bulkWrite(rows, 'sync-20')).error).toEqual([]);
    await instance.close();

    const reopened = await open();
    try {
      const ids = rows.map((row) => row.document.id).sort();
      const byId = await reopened.findDocumentsById(ids, false);
      expect(byId.map((document) => document.id).sort()).toEqual(ids);
      for (const document of byId) expect(document._deleted, document.id).toBe(false);

      // The index cannot satisfy this selector alone, so the storage also matches each stored document.
      const query = prepareQuery(schema, normalizeMangoQuery(schema, { selector: { patientId, 'resource.code.text': 'Test allergen' } }));
      const found = await reopened.query(query);
      expect(found.documents.map((document) => document.id).sort()).toEqual(ids);
      expect((await reopened.count(query)).count).toBe(ids.length);
    } finally {
      await reopened.close();
    }
  });
});
