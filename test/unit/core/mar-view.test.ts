import { describe, expect, it } from 'vitest';

import type { AdministrationWithState } from '../../../main/core/medication/mar-view.js';
import { buildMarView, checkedOrders } from '../../../main/core/medication/mar-view.js';
import type { MedicationOrder } from '../../../sync/protocol/fhir/medication.js';

const local = (hours: number, minutes = 0) => new Date(2026, 11, 4, hours, minutes);

const ORDER: MedicationOrder = {
  id: 'order-1',
  patientId: 'p-1',
  status: 'active',
  gtin: '09520123456788',
  drug: 'Paracetamol 500 mg tablets',
  dose: { value: 1, unit: 'g', code: 'g' },
  route: { code: '26643006', display: 'Oral route' },
  frequencyText: 'Four times a day',
  timing: { timeOfDay: ['06:00:00', '12:00:00', '18:00:00', '22:00:00'] },
  asNeeded: false,
  authoredOn: undefined,
};

function administration(scheduledAt: string, status: string): AdministrationWithState {
  return {
    id: `adm-${scheduledAt}`,
    orderId: 'order-1',
    status,
    scheduledAt,
    effectiveDateTime: scheduledAt,
    performer: 'Demo Nurse',
    gtin: ORDER.gtin,
    lot: 'L1',
    expirationDate: '2030-12-31',
    holdReason: status === 'not-done' ? 'Patient refused' : undefined,
    reason: undefined,
    dose: { value: 1, code: 'g' },
    overridden: false,
    syncState: 'synced',
  };
}

function statesAt(now: Date, administrations: AdministrationWithState[] = [], orders: MedicationOrder[] = [ORDER]) {
  const view = buildMarView({ patientId: 'p-1', now, windowMinutes: 30, orders, administrations });
  return Object.fromEntries(view.doses.map((dose) => [new Date(dose.scheduledAt).getHours(), dose.state]));
}

describe('MAR view', () => {
  it('marks the window edges due', () => {
    expect(statesAt(local(11, 30))[12]).toBe('due');
    expect(statesAt(local(12, 30))[12]).toBe('due');
  });

  it('marks doses outside the window', () => {
    expect(statesAt(local(11, 29))[12]).toBe('upcoming');
    expect(statesAt(local(12, 31))[12]).toBe('overdue');
  });

  it('matches administrations by instant, not by text', () => {
    const noonWithoutMillis = local(12).toISOString().replace('.000Z', 'Z');
    const states = statesAt(local(13), [administration(noonWithoutMillis, 'completed'), administration(local(6).toISOString(), 'not-done')]);
    expect(states[12]).toBe('given');
    expect(states[6]).toBe('held');
  });

  it('ignores administrations entered in error', () => {
    expect(statesAt(local(13), [administration(local(12).toISOString(), 'entered-in-error')])[12]).toBe('overdue');
  });

  it('schedules no doses of stopped or as-needed orders', () => {
    expect(statesAt(local(13), [], [{ ...ORDER, status: 'stopped' }])).toEqual({});
    expect(statesAt(local(13), [], [{ ...ORDER, asNeeded: true }])).toEqual({});
  });

  it('keeps the recorded doses of a stopped order', () => {
    const recorded = [
      administration(local(6).toISOString(), 'not-done'),
      administration(local(12).toISOString(), 'completed'),
      administration(local(0).toISOString(), 'entered-in-error'),
      // Scheduled the day before, before the MAR's range starts at 01:00.
      administration(local(-2).toISOString(), 'completed'),
    ];
    for (const status of ['stopped', 'completed', 'cancelled']) {
      expect(statesAt(local(13), recorded, [{ ...ORDER, status }]), status).toEqual({ 6: 'held', 12: 'given' });
    }
    const view = buildMarView({ patientId: 'p-1', now: local(13), windowMinutes: 30, orders: [{ ...ORDER, status: 'stopped' }], administrations: recorded });
    expect(view.doses.find((dose) => dose.state === 'given')?.administration).toMatchObject({ performer: 'Demo Nurse', lot: 'L1', syncState: 'synced' });
  });

  it('leaves ended orders out of the check', () => {
    const [order] = checkedOrders({ patientId: 'p-1', now: local(13), windowMinutes: 30, orders: [{ ...ORDER, status: 'stopped' }], administrations: [administration(local(12).toISOString(), 'completed')] });
    expect(order?.doses).toEqual([]);
  });

  it('gives the check each dose with its state', () => {
    const [order] = checkedOrders({ patientId: 'p-1', now: local(13), windowMinutes: 30, orders: [ORDER], administrations: [administration(local(12).toISOString(), 'completed')] });
    expect(order?.doses.find((dose) => dose.scheduledAt === local(12).toISOString())?.state).toBe('given');
    expect(order?.doses.find((dose) => dose.scheduledAt === local(18).toISOString())?.state).toBe('open');
  });

  describe('as-needed section', () => {
    const PRN: MedicationOrder = {
      ...ORDER,
      id: 'order-prn',
      frequencyText: 'Every 4 to 6 hours as needed, at most 4 g in 24 hours',
      timing: { timeOfDay: [], frequency: 1, period: 4, periodUnit: 'h' },
      asNeeded: true,
      asNeededFor: { text: 'Pain or fever' },
      maxDosePerPeriod: { amount: { value: 4, unit: 'g', code: 'g' }, periodHours: 24 },
    };

    function given(at: Date, overrides: Partial<AdministrationWithState> = {}): AdministrationWithState {
      return { ...administration(at.toISOString(), 'completed'), id: `prn-${at.toISOString()}`, orderId: 'order-prn', scheduledAt: undefined, reason: 'Pain or fever', ...overrides };
    }

    function sectionAt(now: Date, administrations: AdministrationWithState[], orders: MedicationOrder[] = [ORDER, PRN]) {
      return buildMarView({ patientId: 'p-1', now, windowMinutes: 30, orders, administrations });
    }

    it('lists the order with nothing given', () => {
      const view = sectionAt(local(13), []);
      expect(view.orders.find((order) => order.id === 'order-prn')).toMatchObject({ asNeeded: true, indication: 'Pain or fever' });
      expect(view.asNeeded).toEqual([
        { orderId: 'order-prn', minIntervalMinutes: 240, maxima: [{ kind: 'amount', max: 4, unit: 'g', periodHours: 24, given: 0 }], dosesInLast24Hours: 0, lastGiven: null, nextAllowedAt: null, administrations: [] },
      ]);
      expect(view.doses.every((dose) => dose.orderId === 'order-1')).toBe(true);
    });

    it('shows the last dose, the 24-hour total and the next time', () => {
      const view = sectionAt(local(13), [given(local(-14)), given(local(3, 10), { syncState: 'synced' }), given(local(11, 30), { syncState: 'pending', performer: 'Night Nurse' })]);
      const [section] = view.asNeeded;
      expect(section?.lastGiven).toMatchObject({ effectiveDateTime: local(11, 30).toISOString(), performer: 'Night Nurse', reason: 'Pain or fever', syncState: 'pending' });
      expect(section?.dosesInLast24Hours).toBe(2);
      expect(section?.maxima[0]?.given).toBe(2);
      expect(section?.nextAllowedAt).toBe(local(15, 30).toISOString());
      // The dose of the day before, at 10:00, is outside the 24 hours and the MAR's range, which starts at 01:00.
      expect(section?.administrations.map((entry) => entry.effectiveDateTime)).toEqual([local(11, 30).toISOString(), local(3, 10).toISOString()]);
    });

    it('says now once the interval has passed', () => {
      expect(sectionAt(local(15, 30), [given(local(11, 30))]).asNeeded[0]?.nextAllowedAt).toBeNull();
    });

    it('waits for the maximum to free a dose', () => {
      const doses = [local(0), local(4), local(8), local(12)].map((at) => given(at));
      expect(sectionAt(local(17), doses).asNeeded[0]?.nextAllowedAt).toBe(local(24).toISOString());
    });

    it('ignores held and erroneous records', () => {
      const view = sectionAt(local(13), [given(local(11), { status: 'entered-in-error' }), given(local(12), { status: 'not-done' })]);
      expect(view.asNeeded[0]?.lastGiven).toBeNull();
      expect(view.asNeeded[0]?.dosesInLast24Hours).toBe(0);
    });

    it('lists an order on hold but not a stopped one', () => {
      expect(sectionAt(local(13), [], [{ ...PRN, status: 'on-hold' }]).asNeeded.map((entry) => entry.orderId)).toEqual(['order-prn']);
      expect(sectionAt(local(13), [], [{ ...PRN, status: 'stopped' }]).asNeeded).toEqual([]);
    });

    it('lists a stopped order while its doses are in range', () => {
      const stopped = [{ ...PRN, status: 'stopped' }];
      const view = sectionAt(local(13), [given(local(9)), given(local(-14))], stopped);
      expect(view.asNeeded.map((entry) => entry.orderId)).toEqual(['order-prn']);
      expect(view.asNeeded[0]?.administrations.map((entry) => entry.effectiveDateTime)).toEqual([local(9).toISOString()]);
      // A dose given before the range alone does not bring the stopped order back.
      expect(sectionAt(local(13), [given(local(-14))], stopped).asNeeded).toEqual([]);
      expect(sectionAt(local(13), [given(local(9), { status: 'not-done' })], stopped).asNeeded).toEqual([]);
    });

    it('gives the check the limits and the doses given', () => {
      const orders = checkedOrders({ patientId: 'p-1', now: local(13), windowMinutes: 30, orders: [ORDER, PRN], administrations: [given(local(11, 30))] });
      const prn = orders.find((order) => order.id === 'order-prn');
      expect(prn?.doses).toEqual([]);
      expect(prn?.asNeeded).toEqual({
        limits: { minIntervalMinutes: 240, maxima: [{ kind: 'amount', max: 4, unit: 'g', code: 'g', periodHours: 24 }] },
        given: [{ at: local(11, 30).toISOString(), amount: { value: 1, code: 'g' } }],
      });
      expect(orders.find((order) => order.id === 'order-1')?.asNeeded).toBeUndefined();
    });
  });
});
