import { describe, expect, it } from 'vitest';

import { contactDetailsOf, NEXT_OF_KIN_ELEMENT_ID, PHONE_ELEMENT_ID, sameNextOfKin, withNextOfKin, withPhone } from '../../../main/core/services/patient-contact.js';
import { resolveConflict } from '../../../sync/protocol/conflict-rules.js';
import type { FhirResource } from '../../../sync/protocol/documents.js';
import { toRecordDocument } from '../../../sync/protocol/documents.js';

/** A Patient as Synthea writes it: one home phone without an element id, no contacts. */
const SYNTHEA_PATIENT: FhirResource = {
  resourceType: 'Patient',
  id: 'p-1',
  name: [{ use: 'official', family: 'Muller', given: ['Ana'] }],
  telecom: [
    { system: 'email', value: 'ana@example.org' },
    { system: 'phone', value: '555-123-4567', use: 'home' },
  ],
};

const KIN = { name: 'Ben Muller', relationship: 'son', phone: '07700 900456' };

describe('patient contact details', () => {
  it('reads the first phone number and no next of kin', () => {
    expect(contactDetailsOf(SYNTHEA_PATIENT)).toEqual({ phone: '555-123-4567', nextOfKin: null });
  });

  it('replaces the phone number in place with the element id', () => {
    const changed = withPhone(SYNTHEA_PATIENT, '07700 900123');

    expect(changed.telecom).toEqual([
      { system: 'email', value: 'ana@example.org' },
      { id: PHONE_ELEMENT_ID, system: 'phone', value: '07700 900123', use: 'home' },
    ]);
    expect(SYNTHEA_PATIENT.telecom).toHaveLength(2);
  });

  it('adds a phone number to a patient without one', () => {
    const changed = withPhone({ resourceType: 'Patient', id: 'p-2' }, '01632 960001');

    expect(changed.telecom).toEqual([{ id: PHONE_ELEMENT_ID, system: 'phone', value: '01632 960001' }]);
  });

  it('removes the phone number and an emptied list', () => {
    const withoutEmail = { ...SYNTHEA_PATIENT, telecom: [{ system: 'phone', value: '555-123-4567' }] };

    expect('telecom' in withPhone(withoutEmail, null)).toBe(false);
    expect(withPhone(SYNTHEA_PATIENT, null).telecom).toEqual([{ system: 'email', value: 'ana@example.org' }]);
  });

  it('writes the next of kin with its role, relation and phone', () => {
    const changed = withNextOfKin(SYNTHEA_PATIENT, KIN);

    expect(changed.contact).toEqual([
      {
        id: NEXT_OF_KIN_ELEMENT_ID,
        relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0131', code: 'N', display: 'Next-of-Kin' }] }, { text: 'son' }],
        name: { text: 'Ben Muller' },
        telecom: [{ system: 'phone', value: '07700 900456' }],
      },
    ]);
    expect(contactDetailsOf(changed).nextOfKin).toEqual({ name: 'Ben Muller', relationship: 'son', phone: '07700 900456' });
  });

  it('keeps other contacts and the hidden elements of the next of kin', () => {
    const employer = { relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0131', code: 'E' }] }], name: { text: 'Acme' } };
    const kin = {
      relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0131', code: 'N' }] }],
      name: { family: 'Muller', given: ['Clara'] },
      gender: 'female',
    };
    const patient = { ...SYNTHEA_PATIENT, contact: [employer, kin] };

    expect(contactDetailsOf(patient).nextOfKin).toEqual({ name: 'Clara Muller', relationship: null, phone: null });
    const changed = withNextOfKin(patient, { name: 'Clara Muller', relationship: 'daughter', phone: null });

    expect((changed.contact as unknown[])[0]).toEqual(employer);
    expect((changed.contact as unknown[])[1]).toMatchObject({ id: NEXT_OF_KIN_ELEMENT_ID, gender: 'female', name: { text: 'Clara Muller' } });
    expect('contact' in withNextOfKin({ ...SYNTHEA_PATIENT, contact: [kin] }, null)).toBe(false);
  });

  it('compares the stored next of kin with the form', () => {
    expect(sameNextOfKin({ name: 'Ben Muller', relationship: null, phone: null }, { name: 'Ben Muller', relationship: '', phone: null })).toBe(true);
    expect(sameNextOfKin({ name: 'Ben Muller', relationship: 'son', phone: null }, { name: 'Ben Muller', relationship: 'son', phone: '1234' })).toBe(false);
    expect(sameNextOfKin(null, null)).toBe(true);
    expect(sameNextOfKin(null, KIN)).toBe(false);
  });
});

describe('patient contact edits under the conflict rules', () => {
  const document = (resource: FhirResource) => ({ ...toRecordDocument(resource, { wardOfLocation: () => undefined }), _deleted: false });
  const base = withPhone(SYNTHEA_PATIENT, '07700 900000');

  it('meets a conflict when two workstations set the phone number', () => {
    const resolution = resolveConflict({
      base: document(base),
      local: document(withPhone(base, '07700 900111')),
      master: document(withPhone(base, '07700 900222')),
    });

    expect(resolution.outcome).toBe('needs-review');
    expect(resolution.overlapping).toEqual(['telecom']);
    expect(contactDetailsOf(resolution.document.resource).phone).toBe('07700 900222');
  });

  it('merges a phone number here with a next of kin there', () => {
    const resolution = resolveConflict({
      base: document(base),
      local: document(withPhone(base, '07700 900111')),
      master: document(withNextOfKin(base, KIN)),
    });

    expect(resolution.outcome).toBe('merged');
    expect(contactDetailsOf(resolution.document.resource)).toEqual({ phone: '07700 900111', nextOfKin: { name: 'Ben Muller', relationship: 'son', phone: '07700 900456' } });
  });
});
