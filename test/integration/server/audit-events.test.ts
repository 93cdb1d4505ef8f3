import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { WireDocument } from '../../../sync/protocol/wire.js';
import type { SyncServer } from '../../../sync/server/app.js';
import type { TestStorage } from './helpers.js';
import { auditEventDocument, BACKENDS, createStorage, EventStreamReader, isResync, LogCapture, patientIdsOfWard, refusalOf, signInAuditEventDocument, startServer, SyncClient, vitalSignsDocument, WARD_4A, WARD_7B, wireDocumentOf } from './helpers.js';

/** Free text that only an AuditEvent's break-the-glass reason contains, to check that no log line repeats it. */
const REASON = 'Collapsed in the corridor, suspected sepsis, chart needed now';

describe.each(BACKENDS)('AuditEvents on %s', (backend) => {
  let storage: TestStorage;
  let server: SyncServer;
  let logs: LogCapture;
  let nurse4a: SyncClient;
  let nurse7b: SyncClient;
  let patients4a: string[];
  let patients7b: string[];

  async function storedRow(id: string): Promise<{ document: WireDocument; txid: string } | undefined> {
    const { rows } = await server.database.query<{ document: WireDocument; txid: string }>("SELECT document, txid::text AS txid FROM documents WHERE collection = 'entries' AND id = $1", [id]);
    return rows[0];
  }

  beforeAll(async () => {
    storage = await createStorage(backend, 'audit');
    logs = new LogCapture();
    server = await startServer(storage, { logger: logs.logger });
    nurse4a = await SyncClient.signIn(server.url, { wardId: WARD_4A, workstationId: 'ws-audit-4a' });
    nurse7b = await SyncClient.signIn(server.url, { wardId: WARD_7B, workstationId: 'ws-audit-7b' });
    patients4a = await patientIdsOfWard(server, WARD_4A);
    patients7b = await patientIdsOfWard(server, WARD_7B);
  });

  afterAll(async () => {
    try {
      await server?.close();
    } finally {
      await storage?.cleanup();
    }
  });

  it("accepts an AuditEvent about another ward's patient", async () => {
    const audit = auditEventDocument('break-the-glass-7b', [patients7b[0] as string], { breakTheGlassReason: REASON, workstationId: 'ws-audit-4a' });
    const pushed = await nurse4a.push('entries', [{ newDocumentState: audit }]);
    expect(pushed.status).toBe(200);
    expect(pushed.body.conflicts).toEqual([]);
    expect((await storedRow(audit.id))?.document).toEqual(audit);
  });

  it('accepts AuditEvents about no patient or several', async () => {
    const signInEvent = signInAuditEventDocument('sign-in-no-patient', { id: 'user-nurse', name: 'Demo Nurse' });
    const wardList = auditEventDocument('ward-list-read', [patients4a[0] as string, patients4a[1] as string]);
    expect(signInEvent.patientId).toBe('');
    expect(wardList.patientId).toBe('');

    const pushed = await nurse4a.push('entries', [{ newDocumentState: signInEvent }, { newDocumentState: wardList }]);
    expect(pushed.status).toBe(200);
    expect((await storedRow(signInEvent.id))?.document).toEqual(signInEvent);
    expect((await storedRow(wardList.id))?.document).toEqual(wardList);
  });

  it('accepts the AuditEvent of a failed sign-in without a user id', async () => {
    const failed = auditEventDocument('failed-sign-in', [], { user: { id: null, name: 'nurse' }, outcome: '4', outcomeDescription: 'invalid-credentials' });
    const pushed = await nurse4a.push('entries', [{ newDocumentState: failed }]);
    expect(pushed.status).toBe(200);
  });

  it.each([
    ['type', (resource: Record<string, unknown>) => ({ ...resource, type: undefined })],
    ['action', (resource: Record<string, unknown>) => ({ ...resource, action: 'X' })],
    ['recorded', (resource: Record<string, unknown>) => ({ ...resource, effectiveDateTime: '2026-03-02T08:00:00Z', recorded: undefined })],
    ['recorded', (resource: Record<string, unknown>) => ({ ...resource, recorded: '2026-03-02T08:00:00' })],
    ['agent', (resource: Record<string, unknown>) => ({ ...resource, agent: undefined })],
    ['agent', (resource: Record<string, unknown>) => ({ ...resource, agent: [] })],
    ['agent.0.requestor', (resource: Record<string, unknown>) => ({ ...resource, agent: [{ who: { display: 'Demo Nurse' } }] })],
  ])('rejects an AuditEvent with an invalid %s', async (field, edit) => {
    const valid = auditEventDocument(`invalid-${field.replace(/\W/g, '-')}`, [patients4a[0] as string]);
    const resource = JSON.parse(JSON.stringify(edit(valid.resource))) as WireDocument['resource'];
    const invalid = { ...valid, resource };
    const pushed = await nurse4a.push('entries', [{ newDocumentState: invalid }]);
    const refusal = refusalOf(pushed, valid.id);
    expect(refusal.status).toBe(400);
    const message = refusal.reason;
    expect(message).toContain(valid.id);
    expect(message).toContain(field);
    expect(await storedRow(valid.id)).toBeUndefined();
  });

  it('rejects a change to a stored AuditEvent with 403', async () => {
    const original = auditEventDocument('changed-later', [patients4a[0] as string]);
    expect((await nurse4a.push('entries', [{ newDocumentState: original }])).status).toBe(200);

    const changed = wireDocumentOf({ ...original.resource, outcome: '8' });
    const pushed = await nurse4a.push('entries', [{ newDocumentState: changed, assumedMasterState: original }]);
    expect(refusalOf(pushed, original.id).status).toBe(403);
    expect(refusalOf(pushed, original.id).reason).toContain('immutable');
    expect((await storedRow(original.id))?.document).toEqual(original);
  });

  it('rejects the deletion of a stored AuditEvent with 403', async () => {
    const original = auditEventDocument('deleted-later', [patients4a[0] as string]);
    expect((await nurse4a.push('entries', [{ newDocumentState: original }])).status).toBe(200);

    const pushed = await nurse4a.push('entries', [{ newDocumentState: { ...original, _deleted: true }, assumedMasterState: original }]);
    expect(refusalOf(pushed, original.id).status).toBe(403);
    expect(refusalOf(pushed, original.id).reason).toContain('cannot be deleted');
    expect((await storedRow(original.id))?.document).toEqual(original);
  });

  it('treats a replayed AuditEvent as a no-op', async () => {
    const audit = auditEventDocument('replayed', [patients4a[0] as string]);
    expect((await nurse4a.push('entries', [{ newDocumentState: audit }])).status).toBe(200);
    const before = await storedRow(audit.id);

    const replayed = await nurse4a.push('entries', [{ newDocumentState: audit }]);
    expect(replayed.status).toBe(200);
    expect(replayed.body.conflicts).toEqual([]);
    expect(await storedRow(audit.id)).toEqual(before);
  });

  it('never returns AuditEvents in a pull', async () => {
    const before4a = await nurse4a.pullAll('entries');
    const stream = await EventStreamReader.open(server.url, nurse4a.token);
    await stream.next(isResync());
    const own = auditEventDocument('about-own-patient', [patients4a[2] as string]);
    const panel = vitalSignsDocument('beside-an-audit-event', patients4a[2] as string);
    expect((await nurse4a.push('entries', [{ newDocumentState: own }, { newDocumentState: panel }])).status).toBe(200);
    expect(await storedRow(own.id)).toBeDefined();

    // A resync comes once the push is visible to pulls, or early while an older transaction of the
    // PostgreSQL cluster holds it back, so pull after each resync until the panel arrives.
    const received: WireDocument[] = [];
    try {
      let checkpoint = before4a.checkpoint;
      while (!received.some((document) => document.id === panel.id)) {
        await stream.next(isResync('entries'));
        const page = await nurse4a.pullAll('entries', checkpoint);
        received.push(...page.documents);
        checkpoint = page.checkpoint;
      }
    } finally {
      stream.close();
    }
    expect(received.map((document) => document.id)).toEqual([panel.id]);
    for (const client of [nurse4a, nurse7b]) {
      const { documents } = await client.pullAll('entries');
      expect(documents.filter((document) => document.resourceType === 'AuditEvent')).toEqual([]);
    }
  });

  it('logs counts of pushed AuditEvents only', async () => {
    const audit = auditEventDocument('logged-counts', [patients7b[1] as string], { breakTheGlassReason: REASON });
    const signInEvent = signInAuditEventDocument('logged-counts-sign-in', { id: 'user-nurse', name: 'Demo Nurse' });
    expect((await nurse4a.push('entries', [{ newDocumentState: audit }, { newDocumentState: signInEvent }])).status).toBe(200);

    const line = logs.withMessage('audit events received').at(-1);
    expect(line).toMatchObject({ level: 30, userId: 'user-nurse', workstationId: 'ws-audit-4a', received: 2, stored: 2, alreadyStored: 0, breakTheGlass: 1 });
    expect(logs.text()).not.toContain(REASON);
  });
});
