import { describe, expect, it } from 'vitest';

import type { AsNeededLimits } from '../../../preload/api/clinical/as-needed.js';
import { asNeededLimitsOf, asNeededState } from '../../../preload/api/clinical/as-needed.js';
import type { FhirResource } from '../../../sync/protocol/documents.js';
import { readMedicationOrder } from '../../../sync/protocol/fhir/medication.js';

const local = (hours: number, minutes = 0) => new Date(2026, 11, 4, hours, minutes);
const GRAM = { value: 1, code: 'g' };

/** Paracetamol 1 g every 4 to 6 hours as needed for pain or fever, at most 4 g in 24 hours. */
const PRN_REQUEST: FhirResource & { dosageInstruction: Record<string, unknown>[] } = {
  resourceType: 'MedicationRequest',
  id: 'order-prn',
  status: 'active',
  subject: { reference: 'Patient/p-1' },
  medicationCodeableConcept: { coding: [{ system: 'https://www.gs1.org/gtin', code: '09520123456788' }], text: 'Paracetamol 500 mg tablets' },
  dosageInstruction: [
    {
      text: 'Every 4 to 6 hours as needed for pain or fever, at most 4 g in 24 hours',
      timing: { repeat: { frequency: 1, period: 4, periodMax: 6, periodUnit: 'h' } },
      asNeededCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '22253000', display: 'Pain' }], text: 'Pain or fever' },
      route: { coding: [{ system: 'http://snomed.info/sct', code: '26643006', display: 'Oral route' }] },
      doseAndRate: [{ doseQuantity: { value: 1, unit: 'g', system: 'http://unitsofmeasure.org', code: 'g' } }],
      maxDosePerPeriod: { numerator: { value: 4, unit: 'g', system: 'http://unitsofmeasure.org', code: 'g' }, denominator: { value: 24, unit: 'h', system: 'http://unitsofmeasure.org', code: 'h' } },
    },
  ],
};

function limitsOf(resource: FhirResource): AsNeededLimits {
  const order = readMedicationOrder(resource);
  return asNeededLimitsOf({ timing: order.timing, ...(order.maxDosePerPeriod ? { maxDosePerPeriod: order.maxDosePerPeriod } : {}) });
}

function withDosage(changes: Record<string, unknown>): FhirResource {
  return { ...PRN_REQUEST, dosageInstruction: [{ ...PRN_REQUEST.dosageInstruction[0], ...changes }] };
}

describe('as-needed order reading', () => {
  it('reads the indication and the maximum', () => {
    const order = readMedicationOrder(PRN_REQUEST);
    expect(order.asNeeded).toBe(true);
    expect(order.asNeededFor).toEqual({ text: 'Pain or fever', coding: { system: 'http://snomed.info/sct', code: '22253000', display: 'Pain' } });
    expect(order.maxDosePerPeriod).toEqual({ amount: { value: 4, unit: 'g', code: 'g' }, periodHours: 24 });
  });

  it('takes asNeededBoolean without an indication', () => {
    const order = readMedicationOrder(withDosage({ asNeededCodeableConcept: undefined, asNeededBoolean: true }));
    expect(order.asNeeded).toBe(true);
    expect(order.asNeededFor).toBeUndefined();
  });

  it('reads the interval and an amount maximum', () => {
    expect(limitsOf(PRN_REQUEST)).toEqual({ minIntervalMinutes: 240, maxima: [{ kind: 'amount', max: 4, unit: 'g', code: 'g', periodHours: 24 }] });
  });

  it('reads a maximum count of doses', () => {
    const limits = limitsOf(withDosage({ maxDosePerPeriod: { numerator: { value: 3, code: '{dose}' }, denominator: { value: 1, code: 'd' } } }));
    expect(limits.maxima).toEqual([{ kind: 'doses', max: 3, periodHours: 24 }]);
  });

  it('reads several doses per period as a count', () => {
    const limits = limitsOf(withDosage({ timing: { repeat: { frequency: 4, period: 1, periodUnit: 'd' } }, maxDosePerPeriod: undefined }));
    expect(limits).toEqual({ minIntervalMinutes: null, maxima: [{ kind: 'doses', max: 4, periodHours: 24 }] });
  });

  it('reads minutes as an interval unit', () => {
    expect(limitsOf(withDosage({ timing: { repeat: { frequency: 1, period: 30, periodUnit: 'min' } } })).minIntervalMinutes).toBe(30);
  });

  it('ignores a maximum without a time unit', () => {
    expect(limitsOf(withDosage({ maxDosePerPeriod: { numerator: { value: 4, code: 'g' }, denominator: { value: 1, code: 'tablet' } } })).maxima).toEqual([]);
  });
});

describe('as-needed state', () => {
  const limits: AsNeededLimits = { minIntervalMinutes: 240, maxima: [{ kind: 'amount', max: 4, unit: 'g', code: 'g', periodHours: 24 }] };

  it('allows the first dose now', () => {
    const state = asNeededState(limits, GRAM, [], local(12));
    expect(state).toEqual({ lastGivenAt: null, dosesInLast24Hours: 0, totals: [{ maximum: limits.maxima[0], given: 0 }], tooSoon: false, exceeded: [], unverifiable: [], nextAllowedAt: null });
  });

  it('waits for the interval after a dose', () => {
    const state = asNeededState(limits, GRAM, [{ at: local(10).toISOString(), amount: GRAM }], local(12));
    expect(state.lastGivenAt).toBe(local(10).toISOString());
    expect(state.tooSoon).toBe(true);
    expect(state.nextAllowedAt).toBe(local(14).toISOString());
  });

  it('allows a dose when the interval has passed exactly', () => {
    const state = asNeededState(limits, GRAM, [{ at: local(8).toISOString(), amount: GRAM }], local(12));
    expect(state.tooSoon).toBe(false);
    expect(state.nextAllowedAt).toBeNull();
  });

  it('totals the doses of the rolling period', () => {
    const given = [local(-13), local(2), local(6), local(10)].map((at) => ({ at: at.toISOString(), amount: GRAM }));
    const state = asNeededState(limits, GRAM, given, local(15));
    expect(state.totals[0]?.given).toBe(3);
    expect(state.dosesInLast24Hours).toBe(3);
    expect(state.exceeded).toEqual([]);
    expect(state.nextAllowedAt).toBeNull();
  });

  it('converts recorded amounts to the maximum unit', () => {
    const given = [{ at: local(2).toISOString(), amount: { value: 1500, code: 'mg' } }, { at: local(7).toISOString(), amount: null }];
    expect(asNeededState(limits, GRAM, given, local(12)).totals[0]?.given).toBe(2.5);
  });

  it('flags a dose over the maximum with the time it is allowed', () => {
    const given = [local(0), local(4), local(8), local(12)].map((at) => ({ at: at.toISOString(), amount: GRAM }));
    const state = asNeededState(limits, GRAM, given, local(17));
    expect(state.tooSoon).toBe(false);
    expect(state.exceeded).toEqual([{ maximum: limits.maxima[0], given: 4, after: 5 }]);
    // The midnight dose leaves the 24 hours at the next midnight, which makes room for one more gram.
    expect(state.nextAllowedAt).toBe(local(24).toISOString());
  });

  it('counts doses for a count maximum', () => {
    const countLimits: AsNeededLimits = { minIntervalMinutes: null, maxima: [{ kind: 'doses', max: 2, periodHours: 24 }] };
    const given = [local(1), local(3)].map((at) => ({ at: at.toISOString(), amount: null }));
    const state = asNeededState(countLimits, undefined, given, local(5));
    expect(state.exceeded).toEqual([{ maximum: countLimits.maxima[0], given: 2, after: 3 }]);
    expect(state.nextAllowedAt).toBe(local(25).toISOString());
  });

  it('gives no total for amounts that do not convert', () => {
    const state = asNeededState(limits, { value: 2, code: '{tablet}' }, [{ at: local(10).toISOString(), amount: null }], local(15));
    expect(state.totals[0]?.given).toBeNull();
    expect(state.exceeded).toEqual([]);
    expect(state.unverifiable).toEqual([limits.maxima[0]]);
  });

  it('verifies amounts that convert', () => {
    const state = asNeededState(limits, { value: 500, code: 'mg' }, [{ at: local(10).toISOString(), amount: { value: 1, code: 'g' } }], local(15));
    expect(state.totals[0]?.given).toBe(1);
    expect(state.unverifiable).toEqual([]);
  });

  it('flags a next dose that does not convert', () => {
    const state = asNeededState(limits, { value: 2, code: '{tablet}' }, [], local(15));
    expect(state.totals[0]?.given).toBe(0);
    expect(state.unverifiable).toEqual([limits.maxima[0]]);
  });
});
