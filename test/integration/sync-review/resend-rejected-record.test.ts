import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { CallResultOf } from '../../../preload/api/contract.js';
import type { HarnessWorkstation } from '../../support/sync-harness.js';
import { SyncHarness } from '../../support/sync-harness.js';
import { waitFor } from '../../support/waiting.js';

/**
 * A refused Patient edit resent from the Needs attention calls, through RxDB, the reference server
 * on PostgreSQL and a fault proxy that plays the rejection (422 for every push carrying the edit).
 * RxDB takes a refused version for the server's, so a rewrite of the same content would never be
 * pushed again. The resend must reach the server anyway and merge with what changed there since.
 */

type Contact = CallResultOf<'patient', 'getContact'>;

describe('resend of a refused Patient edit', () => {
  let harness: SyncHarness;
  let nurse: HarnessWorkstation;
  let colleague: HarnessWorkstation;
  let patients: string[];

  beforeAll(async () => {
    harness = await SyncHarness.start({ databasePrefix: 'resend_record' });
    nurse = await harness.addWorkstation('ws-nurse');
    colleague = await harness.addWorkstation('ws-colleague');
    patients = await nurse.listPatients();
  });

  afterAll(async () => {
    await harness?.close();
  });

  /** Sets the phone number on the nurse's workstation while the proxy refuses that push, and waits for the rejection. */
  async function rejectedPhoneEdit(patientId: string, phone: string): Promise<void> {
    const rejectionRule = harness.proxy.addRule({ match: { method: 'POST', path: '/sync/records/push', bodyIncludes: phone }, action: { kind: 'status', status: 422 } });
    await nurse.call('patient:updateContact', { patientId, phone, nextOfKin: null });
    await waitFor(nurse.core.replication.status$, (status) => status.rejectedChanges === 1, 'the edit refused', 15_000);
    expect(rejectionRule.hits).toBeGreaterThan(0);
    rejectionRule.remove();
  }

  async function serverPhone(patientId: string): Promise<string | null> {
    const contact = await colleague.call<Contact>('patient:getContact', { patientId });
    return contact.phone;
  }

  it('reaches the server when nothing changed there', async () => {
    const patientId = patients[0] as string;
    await rejectedPhoneEdit(patientId, '07700 900301');

    const rejected = await nurse.call<CallResultOf<'sync', 'listRejected'>>('sync:listRejected', {});
    expect(rejected).toMatchObject([{ documentId: `Patient/${patientId}`, kind: 'patient', patientId, reason: expect.stringContaining('422') }]);

    const result = await nurse.call<CallResultOf<'sync', 'resendRejected'>>('sync:resendRejected', { collection: 'records', documentId: `Patient/${patientId}` });

    expect(result).toMatchObject({ outcome: 'accepted', conflictId: null });
    await harness.converge();
    expect(await serverPhone(patientId)).toBe('07700 900301');
    expect(nurse.status.rejectedChanges).toBe(0);
    expect(nurse.status.pendingChanges).toBe(0);
    expect(nurse.status.openConflicts).toBe(0);
  });

  it('merges with an edit made on the server since', async () => {
    const patientId = patients[1] as string;
    await rejectedPhoneEdit(patientId, '07700 900302');
    await colleague.call('patient:updateContact', { patientId, phone: (await serverPhone(patientId)) ?? null, nextOfKin: { name: 'Ben Muller', relationship: 'son', phone: null } });
    await colleague.waitSynced();

    const result = await nurse.call<CallResultOf<'sync', 'resendRejected'>>('sync:resendRejected', { collection: 'records', documentId: `Patient/${patientId}` });

    expect(result.outcome).toBe('accepted');
    await harness.converge();
    const contact = await colleague.call<Contact>('patient:getContact', { patientId });
    expect(contact.phone).toBe('07700 900302');
    expect(contact.nextOfKin).toEqual({ name: 'Ben Muller', relationship: 'son', phone: null });
    expect(nurse.status.openConflicts).toBe(0);
    expect(nurse.status.pendingChanges).toBe(0);
  });

  it('keeps both versions when the server changed the same element', async () => {
    const patientId = patients[2] as string;
    await rejectedPhoneEdit(patientId, '07700 900303');
    await colleague.call('patient:updateContact', { patientId, phone: '07700 900404', nextOfKin: null });
    await colleague.waitSynced();

    const result = await nurse.call<CallResultOf<'sync', 'resendRejected'>>('sync:resendRejected', { collection: 'records', documentId: `Patient/${patientId}` });

    expect(result.outcome).toBe('conflict');
    const [conflict] = await nurse.call<CallResultOf<'sync', 'listConflicts'>>('sync:listConflicts', {});
    expect(conflict).toMatchObject({ id: result.conflictId, elements: [{ element: 'telecom', local: expect.stringContaining('07700 900303'), server: expect.stringContaining('07700 900404') }] });

    await nurse.call('sync:resolveConflict', { id: result.conflictId, decision: 'keep-mine' });
    await harness.converge();
    expect(await serverPhone(patientId)).toBe('07700 900303');
    expect(nurse.status.openConflicts).toBe(0);
  });
});
