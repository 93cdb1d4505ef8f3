import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { PushRequest } from '../../../main/core/services/direct-push.js';
import { contactDetailsOf, withNextOfKin, withPhone } from '../../../main/core/services/patient-contact.js';
import { RejectedChanges } from '../../../main/core/services/rejected-service.js';
import type { ConflictRecord } from '../../../sync/client/conflict-log.js';
import { ServerProtocolError, ServerUnreachableError } from '../../../sync/client/server-client.js';
import { toEntryDocument } from '../../../sync/protocol/documents.js';
import { buildVitalSignsPanel } from '../../../sync/protocol/fhir/vital-signs.js';
import type { PushRow } from '../../../sync/protocol/wire.js';
import type { ReviewSetup } from './review-setup.js';
import { CLOCK, openReviewSetup, PATIENT, SILENT, wireDocument } from './review-setup.js';

const VITALS_ID = 'Observation/0b6f7c1e-5a7d-4c41-9b0e-2f1d6c3a9e10';
const REJECTED_AT = new Date('2026-12-04T09:30:00.000Z');

describe('RejectedChanges', () => {
  let setup: ReviewSetup;
  let pushes: PushRow[][];
  let answer: PushRequest;
  let audited: ConflictRecord[];
  let service: RejectedChanges;

  beforeEach(async () => {
    setup = await openReviewSetup('rejected');
    pushes = [];
    audited = [];
    answer = async () => ({ conflicts: [], rejected: [] });
    service = new RejectedChanges({
      outbox: setup.outbox,
      conflicts: setup.conflicts,
      reader: setup.reader,
      writer: setup.writer,
      bases: setup.bases,
      push: async (collection, rows) => {
        pushes.push(rows);
        return answer(collection, rows);
      },
      onConflict: (record) => audited.push(record),
      clock: CLOCK,
      logger: SILENT,
    });
  });

  afterEach(async () => {
    await setup.close();
  });

  /** Charts a vitals set and lets the server refuse it, as the replication records a rejection. */
  async function rejectedVitals(): Promise<void> {
    const panel = buildVitalSignsPanel({
      id: VITALS_ID.split('/')[1] as string,
      patientId: 'p-1',
      effectiveDateTime: '2026-12-04T09:15:00.000Z',
      performer: { reference: 'Practitioner/user-nurse', display: 'Demo Nurse' },
      observations: { pulse: 88 },
      scale: 1,
    });
    await setup.writer.insertEntry(toEntryDocument(panel));
    setup.outbox.reject('entries', VITALS_ID, 'HTTP 403: patient p-1 is not in ward ward-4a', REJECTED_AT);
  }

  /** Edits the phone number here and lets the server refuse the edit. */
  async function rejectedPhoneEdit(): Promise<void> {
    await setup.writer.updateRecord('Patient/p-1', (current) => ({ ...current, resource: withPhone(current.resource, '07700 900111') }));
    setup.outbox.reject('records', 'Patient/p-1', 'HTTP 400: invalid', REJECTED_AT);
  }

  it('lists a refused change with what it is and whose', async () => {
    await rejectedVitals();

    expect(await service.list()).toEqual([
      {
        collection: 'entries',
        documentId: VITALS_ID,
        resourceType: 'Observation',
        kind: 'vital-signs',
        patientId: 'p-1',
        patientName: 'MULLER, Ana',
        mrn: '10000001',
        effectiveAt: '2026-12-04T09:15:00.000Z',
        reason: 'HTTP 403: patient p-1 is not in ward ward-4a',
        rejectedAt: REJECTED_AT.toISOString(),
      },
    ]);
  });

  it('pushes the stored document and confirms it when accepted', async () => {
    await rejectedVitals();

    const result = await service.resend('entries', VITALS_ID);

    expect(result).toEqual({ collection: 'entries', documentId: VITALS_ID, patientId: 'p-1', outcome: 'accepted', reason: null, conflictId: null });
    expect(pushes).toHaveLength(1);
    expect(pushes[0]?.[0]?.assumedMasterState).toBeUndefined();
    expect(pushes[0]?.[0]?.newDocumentState).toMatchObject({ id: VITALS_ID, _deleted: false, patientId: 'p-1' });
    expect(pushes[0]?.[0]?.newDocumentState).not.toHaveProperty('_meta');
    expect(setup.outbox.rejected()).toEqual([]);
    expect(setup.outbox.count()).toBe(0);
  });

  it('lists a change refused again with the new reason', async () => {
    await rejectedVitals();
    answer = async () => ({ conflicts: [], rejected: [{ id: VITALS_ID, status: 403, reason: 'still not in ward' }] });

    const result = await service.resend('entries', VITALS_ID);

    expect(result).toMatchObject({ outcome: 'rejected', reason: 'still not in ward' });
    expect(setup.outbox.rejected()).toEqual([{ collection: 'entries', documentId: VITALS_ID, reason: 'still not in ward', rejectedAt: CLOCK.now().toISOString() }]);
    expect(setup.outbox.count()).toBe(0);
  });

  it('takes a whole-request 4xx as a rejection of the document', async () => {
    await rejectedVitals();
    answer = async () => {
      throw new ServerProtocolError('POST /sync/entries/push failed with HTTP 422: route missing', 422);
    };

    expect(await service.resend('entries', VITALS_ID)).toMatchObject({ outcome: 'rejected', reason: 'POST /sync/entries/push failed with HTTP 422: route missing' });
  });

  it('keeps the rejection when the server cannot be reached', async () => {
    await rejectedVitals();
    answer = async () => {
      throw new ServerUnreachableError('Central server http://127.0.0.1:9 is unreachable');
    };

    await expect(service.resend('entries', VITALS_ID)).rejects.toMatchObject({ code: 'unavailable' });
    expect(setup.outbox.rejected()).toEqual([{ collection: 'entries', documentId: VITALS_ID, reason: 'HTTP 403: patient p-1 is not in ward ward-4a', rejectedAt: REJECTED_AT.toISOString() }]);
    expect(setup.outbox.count()).toBe(0);
  });

  it('resends a record edit against its base', async () => {
    await rejectedPhoneEdit();

    const result = await service.resend('records', 'Patient/p-1');

    expect(result).toMatchObject({ outcome: 'accepted', conflictId: null });
    expect(pushes[0]?.[0]?.assumedMasterState).toMatchObject({ id: 'Patient/p-1', _deleted: false, resource: PATIENT });
    expect(pushes[0]?.[0]?.newDocumentState.resource).toEqual(withPhone(PATIENT, '07700 900111'));
    expect(setup.bases.get('records', 'Patient/p-1')).toBeUndefined();
    expect(setup.outbox.count()).toBe(0);
  });

  it('merges with a server change made since the base', async () => {
    await rejectedPhoneEdit();
    const server = wireDocument(withNextOfKin(PATIENT, { name: 'Ben Muller', relationship: 'son', phone: null }));
    answer = async (_collection, rows) => (rows[0]?.assumedMasterState?.resource === server.resource ? { conflicts: [], rejected: [] } : { conflicts: [server], rejected: [] });

    const result = await service.resend('records', 'Patient/p-1');

    expect(result).toMatchObject({ outcome: 'accepted' });
    expect(setup.conflicts.get(result.conflictId as number)).toMatchObject({ status: 'merged', outcome: 'merged' });
    expect(contactDetailsOf((await setup.reader.patient('p-1'))?.resource ?? PATIENT)).toEqual({ phone: '07700 900111', nextOfKin: { name: 'Ben Muller', relationship: 'son', phone: null } });
  });

  it('reviews every difference without a base', async () => {
    await rejectedPhoneEdit();
    setup.bases.forget('records', 'Patient/p-1');
    answer = async () => ({ conflicts: [wireDocument(PATIENT)], rejected: [] });

    const result = await service.resend('records', 'Patient/p-1');

    expect(pushes[0]?.[0]?.assumedMasterState).toBeUndefined();
    expect(result.outcome).toBe('conflict');
    expect(setup.conflicts.get(result.conflictId as number)?.overlapping).toEqual(['telecom']);
  });

  it('records a conflict when the server holds another version', async () => {
    await rejectedPhoneEdit();
    const server = wireDocument(withPhone(PATIENT, '07700 900222'));
    answer = async () => ({ conflicts: [server], rejected: [] });

    const result = await service.resend('records', 'Patient/p-1');

    expect(result).toMatchObject({ outcome: 'conflict', patientId: 'p-1' });
    const record = setup.conflicts.get(result.conflictId as number);
    expect(record).toMatchObject({ status: 'open', overlapping: ['telecom'], rule: 'field-merge' });
    expect(audited.map((entry) => entry.id)).toEqual([result.conflictId]);
    // The replica now has the server's version too, and its push by the replication is pending.
    expect(contactDetailsOf((await setup.reader.patient('p-1'))?.resource ?? PATIENT).phone).toBe('07700 900222');
    expect(pushes).toHaveLength(1);
    expect(setup.outbox.rejected()).toEqual([]);
    expect(setup.outbox.pendingAmong('records', ['Patient/p-1'])).toEqual(['Patient/p-1']);
  });

  it('stores a settled version on the server first', async () => {
    await setup.writer.updateRecord('Patient/p-1', (current) => ({ ...current, resource: withNextOfKin(current.resource, { name: 'Ben Muller', relationship: 'son', phone: null }) }));
    setup.outbox.reject('records', 'Patient/p-1', 'HTTP 400: invalid', REJECTED_AT);
    setup.bases.forget('records', 'Patient/p-1');
    const server = wireDocument(withPhone(PATIENT, '07700 900222'));
    answer = async (_collection, rows) => (rows[0]?.assumedMasterState ? { conflicts: [], rejected: [] } : { conflicts: [server], rejected: [] });

    const result = await service.resend('records', 'Patient/p-1');

    expect(pushes).toHaveLength(2);
    expect(pushes[1]?.[0]?.assumedMasterState).toEqual(server);
    expect(contactDetailsOf((await setup.reader.patient('p-1'))?.resource ?? PATIENT)).toEqual({ phone: '07700 900222', nextOfKin: { name: 'Ben Muller', relationship: 'son', phone: null } });
    expect(result.conflictId).not.toBeNull();
  });

  it('refuses to resend what is not refused', async () => {
    await expect(service.resend('entries', VITALS_ID)).rejects.toMatchObject({ code: 'not-found' });
    expect(pushes).toEqual([]);
  });
});
