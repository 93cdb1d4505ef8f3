import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ConflictService } from '../../../main/core/services/conflict-service.js';
import { conflictElements, readableValue } from '../../../main/core/services/conflict-view.js';
import { contactDetailsOf, withNextOfKin, withPhone } from '../../../main/core/services/patient-contact.js';
import type { ConflictDocument } from '../../../sync/protocol/conflict-rules.js';
import { resolveConflict } from '../../../sync/protocol/conflict-rules.js';
import type { ReviewSetup } from './review-setup.js';
import { CLOCK, conflictDocument, NURSE, openReviewSetup, PATIENT, recordConflict, SILENT } from './review-setup.js';

describe('ConflictService', () => {
  let setup: ReviewSetup;
  let service: ConflictService;

  beforeEach(async () => {
    setup = await openReviewSetup('conflicts');
    service = new ConflictService({ conflicts: setup.conflicts, reader: setup.reader, writer: setup.writer, clock: CLOCK, logger: SILENT });
  });

  afterEach(async () => {
    await setup.close();
  });

  /** Records that two workstations set the phone number and that the replica has the server's number. */
  async function phoneConflict() {
    const server = withPhone(PATIENT, '07700 900222');
    await setup.writer.replaceDocument('records', conflictDocument(server));
    setup.outbox.confirm('records', setup.outbox.sequences('records', ['Patient/p-1']));
    return recordConflict(setup.conflicts, { base: PATIENT, local: withPhone(PATIENT, '07700 900111'), server });
  }

  it('lists an open conflict with both versions and the patient', async () => {
    const record = await phoneConflict();

    const [listed] = await service.list();

    expect(listed).toMatchObject({
      id: record.id,
      documentId: 'Patient/p-1',
      resourceType: 'Patient',
      patientId: 'p-1',
      patientName: 'MULLER, Ana',
      mrn: '10000001',
      rule: 'field-merge',
      outcome: 'needs-review',
      status: 'open',
      canKeepMine: true,
      detectedAt: '2026-12-04T10:00:00.000Z',
    });
    expect(listed?.elements).toEqual([{ element: 'telecom', local: '07700 900111', server: '07700 900222' }]);
  });

  it('closes on acknowledge and keep-server without writing', async () => {
    const first = await phoneConflict();
    const second = recordConflict(setup.conflicts, { base: PATIENT, local: withPhone(PATIENT, '01632 960001'), server: withPhone(PATIENT, '07700 900222') });

    const acknowledged = await service.resolve(first.id, 'acknowledge', NURSE);
    const kept = await service.resolve(second.id, 'keep-server', NURSE);

    expect(acknowledged).toMatchObject({ status: 'acknowledged', decision: null, canKeepMine: false });
    expect(kept).toMatchObject({ status: 'resolved', decision: 'server', closedAt: '2026-12-04T10:00:00.000Z' });
    expect(setup.conflicts.get(first.id)?.closedBy).toBe('user-nurse');
    expect(setup.outbox.count()).toBe(0);
    expect(await service.list()).toEqual([]);
    expect(await service.list({ includeClosed: true })).toHaveLength(2);
  });

  it('writes the local value again on keep-mine and keeps the rest', async () => {
    const record = await phoneConflict();
    // Another element changed on the server since the conflict; keeping mine must not undo it.
    await setup.writer.updateRecord('Patient/p-1', (current) => ({ ...current, resource: withNextOfKin(current.resource, { name: 'Ben Muller', relationship: 'son', phone: null }) }));

    const resolved = await service.resolve(record.id, 'keep-mine', NURSE);

    expect(resolved).toMatchObject({ status: 'resolved', decision: 'local' });
    const stored = await setup.reader.patient('p-1');
    expect(contactDetailsOf(stored?.resource ?? PATIENT)).toEqual({ phone: '07700 900111', nextOfKin: { name: 'Ben Muller', relationship: 'son', phone: null } });
    expect(setup.outbox.pendingAmong('records', ['Patient/p-1'])).toEqual(['Patient/p-1']);
  });

  it('refuses a second decision on a closed conflict', async () => {
    const record = await phoneConflict();
    await service.resolve(record.id, 'acknowledge', NURSE);

    await expect(service.resolve(record.id, 'keep-mine', NURSE)).rejects.toMatchObject({ code: 'conflict' });
    await expect(service.resolve(9999, 'acknowledge', NURSE)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('refuses keep-mine where the server owns the record', async () => {
    const local = { ...conflictDocument(PATIENT), id: 'Encounter/e-1', resourceType: 'Encounter', resource: { resourceType: 'Encounter', id: 'e-1', status: 'finished' } };
    const server = { ...local, resource: { ...local.resource, status: 'in-progress' } };
    const record = setup.conflicts.record({ collection: 'records', local, server, resolution: resolveConflict<ConflictDocument>({ local, master: server }), detectedAt: CLOCK.now() });

    const [listed] = await service.list();

    expect(listed).toMatchObject({ id: record?.id, rule: 'server-owned', outcome: 'server-kept', canKeepMine: false });
    expect(listed?.elements).toEqual([{ element: 'status', local: 'finished', server: 'in-progress' }]);
    await expect(service.resolve(record?.id ?? 0, 'keep-mine', NURSE)).rejects.toMatchObject({ code: 'conflict' });
    expect(setup.conflicts.get(record?.id ?? 0)?.status).toBe('open');
  });
});

describe('conflict view', () => {
  it('renders contacts and names as text', () => {
    const kin = withNextOfKin(PATIENT, { name: 'Ben Muller', relationship: 'son', phone: '07700 900456' });

    expect(readableValue('contact', kin.contact)).toBe('Ben Muller (son), 07700 900456');
    expect(readableValue('name', PATIENT.name)).toBe('Ana Muller');
    expect(readableValue('telecom', [{ system: 'phone', value: '123', use: 'mobile' }, { system: 'email', value: 'a@b.c' }])).toBe('123 (mobile); a@b.c');
    expect(readableValue('address', [{ line: ['1 High St'], city: 'Leeds' }])).toBe('1 High St; Leeds');
    expect(readableValue('telecom', undefined)).toBeNull();
  });

  it('names a deletion as the element _deleted', () => {
    const local = conflictDocument(PATIENT);

    expect(conflictElements({ overlapping: ['_deleted'], local, server: { ...local, _deleted: true } })).toEqual([{ element: '_deleted', local: 'false', server: 'true' }]);
  });
});
