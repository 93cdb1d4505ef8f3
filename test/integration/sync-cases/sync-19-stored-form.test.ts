import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ConflictRecord } from '../../../sync/client/conflict-log.js';
import type { FhirResource } from '../../../sync/protocol/documents.js';
import { toEntryDocument } from '../../../sync/protocol/documents.js';
import { buildVitalSignsPanel } from '../../../sync/protocol/fhir/vital-signs.js';
import type { PushResponse, SignInResponse } from '../../../sync/protocol/wire.js';
import { entriesSchema, recordsSchema } from '../../../sync/replica/schemas.js';
import type { HarnessWorkstation } from '../../support/sync-harness.js';
import { CLOCK, fingerprint, SyncHarness, WARD_ID } from '../../support/sync-harness.js';

/**
 * SYNC-19: the server keeps a document in a form slightly different from what the client sent, so
 * the client's assumed master never matches and every later push is a false conflict. The
 * product's server stores each document as jsonb exactly as sent and compares canonical JSON, so
 * these checks look for any drift: PostgreSQL's jsonb keeps 36.50 as written and parses 1e2 to
 * 100, never normalises Unicode, and drops no member. A JSON client that spells numbers and
 * escapes differently from JavaScript is played by raw HTTP requests.
 *
 * Scaled down for CI: the three edits are 200 ms apart instead of 1 s.
 */

const EDIT_INTERVAL_MS = 200;
const COMPOSED = 'M\u00fcller';
const DECOMPOSED = 'Mu\u0308ller';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Compiles the replica's schema so that it rejects any member beyond its properties and RxDB's deletion flag. */
function strictValidator(schema: typeof recordsSchema | typeof entriesSchema) {
  const ajv = new Ajv({ strict: false });
  return ajv.compile({ type: 'object', properties: { ...schema.properties, _deleted: { type: 'boolean' } }, required: schema.required, additionalProperties: false });
}

describe('SYNC-19: the stored form matches the sent one', () => {
  let harness: SyncHarness;
  let wsA: HarnessWorkstation;
  let wsB: HarnessWorkstation;
  let wsC: HarnessWorkstation;
  let patients: string[];

  beforeAll(async () => {
    harness = await SyncHarness.start({ databasePrefix: 'sync_19' });
    await harness.trackRevisions();
    wsA = await harness.addWorkstation('ws-a', { ownProxy: true });
    wsB = await harness.addWorkstation('ws-b', { direct: true });
    wsC = await harness.addWorkstation('ws-c', { direct: true });
    patients = await wsA.listPatients();
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('stores three edits as three revisions', async () => {
    const patientId = patients[0] as string;
    const id = `Patient/${patientId}`;
    const edits: ((resource: FhirResource) => FhirResource)[] = [
      (resource) => ({ ...resource, contact: [{ name: { family: COMPOSED } }] }),
      (resource) => ({ ...resource, contact: [{ name: { family: DECOMPOSED } }] }),
      // An optional member left undefined, which JSON drops, and one set to null, which it keeps.
      (resource) => ({ ...resource, telecom: [{ system: 'phone', value: '+1 555 0190', use: undefined, period: null }] }),
    ];

    for (const edit of edits) {
      await wsA.editRecord(id, edit);
      await wsA.waitSynced();
      expect((await harness.serverDocuments('records', [id])).get(id)?.hash).toBe(wsA.confirmed.get(id)?.hash);
      await sleep(EDIT_INTERVAL_MS);
    }

    const revisions = await harness.serverRevisions(id);
    expect(revisions.map((revision) => revision.workstationId)).toEqual(['ws-a', 'ws-a', 'ws-a']);
    expect(new Set(revisions.map((revision) => revision.txid)).size).toBe(3);
    expect(wsA.outcomes.filter((outcome) => outcome.documentId === id).map((outcome) => outcome.outcome)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(wsA.conflicts).toEqual([]);

    const stored = revisions.at(-1)?.document as { resource: { contact: { name: { family: string } }[]; telecom: Record<string, unknown>[] } };
    expect(stored.resource.contact[0]?.name.family).toBe(DECOMPOSED);
    expect(stored.resource.telecom[0]).toEqual({ system: 'phone', value: '+1 555 0190', period: null });
    await wsC.waitForDocuments('records', new Map([[id, wsA.confirmed.get(id)?.hash as string]]), 10_000);
  });

  it('treats another spelling of one state as a replay', async () => {
    const signIn = await fetch(`${harness.serverUrl}/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'nurse', password: 'nurse-demo', workstationId: 'ws-raw', wardId: WARD_ID }),
    });
    const { token } = (await signIn.json()) as SignInResponse;

    const panel = toEntryDocument(
      buildVitalSignsPanel({
        id: 'sync-19-spelling',
        patientId: patients[1] as string,
        effectiveDateTime: CLOCK.now().toISOString(),
        performer: { reference: 'Practitioner/user-nurse', display: `Nurse ${DECOMPOSED}` },
        observations: { temperature: 36.5, spo2: 100, pulse: 80 },
        scale: 1,
      }),
    );
    const json = JSON.stringify({ rows: [{ newDocumentState: { ...panel, _deleted: false } }] });
    expect(json).toContain('"value":36.5,');
    expect(json).toContain('"value":100,');
    // The same state as another JSON writer may spell it: a trailing zero, an exponent, escapes.
    const firstSpelling = json.replace('"value":36.5,', '"value":36.50,').replace('"value":100,', '"value":1e2,').replace('u\u0308', '\\u0075\\u0308');
    const push = async (body: string) => {
      const response = await fetch(`${harness.serverUrl}/sync/entries/push`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
      expect(response.status).toBe(200);
      return (await response.json()) as PushResponse;
    };

    expect((await push(firstSpelling)).conflicts).toEqual([]);
    const first = (await harness.serverDocuments('entries', [panel.id])).get(panel.id);
    expect((await push(json)).conflicts).toEqual([]);
    const second = (await harness.serverDocuments('entries', [panel.id])).get(panel.id);

    expect(second?.txid, 'the replay wrote nothing').toBe(first?.txid);
    expect(first?.hash).toBe(fingerprint({ ...panel, _deleted: false }).hash);
    await wsC.waitForDocuments('entries', new Map([[panel.id, first?.hash as string]]), 10_000);
    const local = await wsC.core.replica.entries.findOne(panel.id).exec();
    expect((local?.resource.performer as { display: string }[])[0]?.display).toBe(`Nurse ${DECOMPOSED}`);
    expect(strictValidator(entriesSchema)(local?.toJSON())).toBe(true);
  });

  it('settles a real conflict with a reply the client schema accepts', async () => {
    const patientId = patients[2] as string;
    const id = `Patient/${patientId}`;
    const recorded: ConflictRecord[] = [];
    const subscription = wsA.core.replication.conflicts$.subscribe((record) => recorded.push(record));
    try {
      await wsA.proxy.refuse({ resetOpen: true });
      await wsA.waitForState('offline');
      await wsA.editPatientPhone(patientId, '+1 555 0191');
      await wsB.editPatientNextOfKin(patientId, 'Example');
      await wsB.waitSynced();
      await wsA.proxy.accept();
      await harness.converge(20_000);
    } finally {
      subscription.unsubscribe();
    }

    expect(recorded.map((record) => [record.documentId, record.outcome])).toEqual([[id, 'merged']]);
    const validate = strictValidator(recordsSchema);
    const reply = recorded[0]?.server;
    expect(validate(reply), JSON.stringify(validate.errors)).toBe(true);
    const final = (await harness.serverRevisions(id)).at(-1)?.document as { resource: { telecom?: unknown; contact?: unknown } };
    expect(final.resource.telecom).toEqual([{ system: 'phone', value: '+1 555 0191' }]);
    expect(final.resource.contact).toHaveLength(1);
    const pulled = await wsC.core.replica.records.findOne(id).exec();
    expect(validate(pulled?.toJSON()), JSON.stringify(validate.errors)).toBe(true);
  });
});
