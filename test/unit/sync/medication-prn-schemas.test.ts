import { describe, expect, it } from 'vitest';

import { buildMedicationAdministration, GTIN_SYSTEM } from '../../../sync/protocol/fhir/medication.js';
import { medicationAdministrationResource, medicationRequestResource } from '../../../sync/protocol/fhir/medication-schemas.js';

const UCUM = 'http://unitsofmeasure.org';
const DOSAGE = {
  route: { coding: [{ system: 'http://snomed.info/sct', code: '26643006', display: 'Oral route' }] },
  doseAndRate: [{ doseQuantity: { value: 1, unit: 'g', system: UCUM, code: 'g' } }],
};

function order(dosage: Record<string, unknown>) {
  return {
    resourceType: 'MedicationRequest',
    id: 'order-prn',
    status: 'active',
    intent: 'order',
    medicationCodeableConcept: { coding: [{ system: GTIN_SYSTEM, code: '09520123456788' }] },
    subject: { reference: 'Patient/p-1' },
    dosageInstruction: [{ ...DOSAGE, ...dosage }],
  };
}

function administration(overrides: Partial<Parameters<typeof buildMedicationAdministration>[0]>) {
  return buildMedicationAdministration({
    id: 'adm-1',
    patientId: 'p-1',
    orderId: 'order-prn',
    status: 'completed',
    effectiveDateTime: '2026-12-04T12:05:00.000Z',
    performer: { reference: 'Practitioner/user-nurse', display: 'Demo Nurse' },
    product: { gtin: '09520123456788', name: 'Paracetamol 500 mg tablets' },
    ...overrides,
  });
}

describe('as-needed medication schemas', () => {
  it('accepts an as-needed order without timing', () => {
    const maxDosePerPeriod = { numerator: { value: 4, unit: 'g', system: UCUM, code: 'g' }, denominator: { value: 24, unit: 'h', system: UCUM, code: 'h' } };
    expect(medicationRequestResource.safeParse(order({ asNeededCodeableConcept: { text: 'Pain or fever' }, maxDosePerPeriod })).success).toBe(true);
    expect(medicationRequestResource.safeParse(order({ asNeededBoolean: true })).success).toBe(true);
  });

  it('rejects a scheduled order without timing', () => {
    expect(medicationRequestResource.safeParse(order({})).success).toBe(false);
    expect(medicationRequestResource.safeParse(order({ asNeededBoolean: false, timing: { repeat: {} } })).success).toBe(false);
  });

  it('rejects both asNeeded elements together', () => {
    expect(medicationRequestResource.safeParse(order({ asNeededBoolean: true, asNeededCodeableConcept: { text: 'Pain' } })).success).toBe(false);
  });

  it('accepts a dose given for a reason without a scheduled time', () => {
    const resource = administration({ reason: { text: 'Headache' } });
    expect(resource.extension).toBeUndefined();
    expect(resource.reasonCode).toEqual([{ text: 'Headache' }]);
    expect(medicationAdministrationResource.safeParse(resource).success).toBe(true);
  });

  it('rejects a dose with neither scheduled time nor reason', () => {
    expect(medicationAdministrationResource.safeParse(administration({})).success).toBe(false);
  });
});
