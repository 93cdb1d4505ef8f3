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

  it('gives the check each dose with its state', () => {
    const [order] = checkedOrders({ patientId: 'p-1', now: local(13), windowMinutes: 30, orders: [ORDER], administrations: [administration(local(12).toISOString(), 'completed')] });
    expect(order?.doses.find((dose) => dose.scheduledAt === local(12).toISOString())?.state).toBe('given');
    expect(order?.doses.find((dose) => dose.scheduledAt === local(18).toISOString())?.state).toBe('open');
  });
});
