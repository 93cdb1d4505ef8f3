import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { ChartReader } from '../../../main/core/services/chart-reader.js';
import { ContactService } from '../../../main/core/services/contact-service.js';
import { withPhone } from '../../../main/core/services/patient-contact.js';
import type { ReviewSetup } from './review-setup.js';
import { openReviewSetup, PATIENT, recordConflict, SILENT } from './review-setup.js';

const KIN = { name: 'Ben Muller', relationship: 'son', phone: '07700 900456' };

describe('ContactService', () => {
  let setup: ReviewSetup;
  let emergencyReader: ChartReader | undefined;
  let contacts: ContactService;

  beforeEach(async () => {
    setup = await openReviewSetup('contacts');
    emergencyReader = undefined;
    contacts = new ContactService({
      reader: setup.reader,
      readerFor: async (patientId) => ((await setup.reader.patient(patientId)) ? setup.reader : emergencyReader),
      writer: setup.writer,
      states: setup.states,
      conflicts: setup.conflicts,
      logger: SILENT,
    });
  });

  afterEach(async () => {
    await setup.close();
  });

  it('reads the details of a synced patient', async () => {
    expect(await contacts.get('p-1')).toEqual({ patientId: 'p-1', phone: '07700 900000', nextOfKin: null, syncState: 'synced', openConflict: null, editable: true });
  });

  it('writes a change through the outbox and shows it pending', async () => {
    const updated = await contacts.update({ patientId: 'p-1', phone: '07700 900123', nextOfKin: KIN });

    expect(updated).toMatchObject({ phone: '07700 900123', nextOfKin: KIN, syncState: 'pending' });
    expect(setup.outbox.pendingAmong('records', ['Patient/p-1'])).toEqual(['Patient/p-1']);
    const stored = await setup.reader.patient('p-1');
    expect(stored?.resource.telecom).toEqual([{ id: 'phone', system: 'phone', value: '07700 900123' }]);
    expect(stored?.mrn).toBe('10000001');
    expect(stored?.nameNorm).toBe('muller ana');
  });

  it('keeps the base of the first unsent edit', async () => {
    await contacts.update({ patientId: 'p-1', phone: '07700 900123', nextOfKin: null });
    await contacts.update({ patientId: 'p-1', phone: '07700 900124', nextOfKin: null });

    expect(setup.bases.get('records', 'Patient/p-1')?.resource).toEqual(PATIENT);

    setup.outbox.confirm('records', setup.outbox.sequences('records', ['Patient/p-1']));
    await contacts.update({ patientId: 'p-1', phone: '07700 900125', nextOfKin: null });

    expect(setup.bases.get('records', 'Patient/p-1')?.resource).toEqual(withPhone(PATIENT, '07700 900124'));
  });

  it('writes nothing when the details are unchanged', async () => {
    const same = await contacts.update({ patientId: 'p-1', phone: '07700 900000', nextOfKin: null });

    expect(same.syncState).toBe('synced');
    expect(setup.outbox.count()).toBe(0);
  });

  it('changes only the element that differs', async () => {
    const before = (await setup.reader.patient('p-1'))?.resource;
    await contacts.update({ patientId: 'p-1', phone: '07700 900000', nextOfKin: KIN });

    const after = (await setup.reader.patient('p-1'))?.resource;
    expect(after?.telecom).toEqual(before?.telecom);
    expect(after?.contact).toHaveLength(1);
  });

  it('shows an open conflict and the state conflict', async () => {
    const record = recordConflict(setup.conflicts, { base: PATIENT, local: withPhone(PATIENT, '07700 900111'), server: withPhone(PATIENT, '07700 900222') });

    const contact = await contacts.get('p-1');

    expect(contact.syncState).toBe('conflict');
    expect(contact.openConflict).toEqual({ id: record.id, rule: 'field-merge', elements: ['telecom'], detectedAt: '2026-12-04T10:00:00.000Z' });
  });

  it('shows a refused record as rejected', async () => {
    setup.outbox.reject('records', 'Patient/p-1', 'HTTP 403: patient p-1 is not in ward ward-4a', new Date('2026-12-04T09:00:00Z'));

    expect((await contacts.get('p-1')).syncState).toBe('rejected');
  });

  it('refuses a patient of another ward and an unknown one', async () => {
    const otherWardPatient = { ...(await setup.reader.patient('p-1')), patientId: 'p-9' };
    // Only `patient` is read for contact details; the rest of a chart reader is not needed here.
    emergencyReader = { patient: async () => otherWardPatient } as unknown as ChartReader;

    await expect(contacts.update({ patientId: 'p-9', phone: '123 456', nextOfKin: null })).rejects.toMatchObject({ code: 'forbidden' });
    expect(await contacts.get('p-9')).toMatchObject({ editable: false, syncState: 'synced' });
    emergencyReader = undefined;
    await expect(contacts.get('p-404')).rejects.toMatchObject({ code: 'not-found' });
  });
});
