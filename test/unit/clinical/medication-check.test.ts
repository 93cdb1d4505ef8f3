import { describe, expect, it } from 'vitest';

import type { AsNeededLimits } from '../../../preload/api/clinical/as-needed.js';
import type { CheckedOrder, CheckedProduct, MedicationCheckInput, ScannedPackage } from '../../../preload/api/clinical/medication-check.js';
import { checkMedicationScan, unitsPerDose } from '../../../preload/api/clinical/medication-check.js';

/** The clock of every case: 12:05 local time, five minutes after the noon drug round. */
const NOW = new Date(2026, 11, 4, 12, 5);
const at = (hours: number, minutes = 0) => new Date(2026, 11, 4, hours, minutes).toISOString();

const ORAL = '26643006';
const SUBCUTANEOUS = '34206005';

const PARACETAMOL_500: CheckedProduct = { gtin: '09520123456788', name: 'Paracetamol 500 mg tablets', ingredient: '387517004', strength: { value: 500, code: 'mg' }, unitName: 'tablet', routes: [ORAL] };
const METOPROLOL_25: CheckedProduct = { gtin: '09520123450014', name: 'Metoprolol 25 mg tablets', ingredient: '372826007', strength: { value: 25, code: 'mg' }, unitName: 'tablet', routes: [ORAL] };
const METOPROLOL_50: CheckedProduct = { gtin: '09520123450021', name: 'Metoprolol 50 mg tablets', ingredient: '372826007', strength: { value: 50, code: 'mg' }, unitName: 'tablet', routes: [ORAL] };
const ENOXAPARIN_40: CheckedProduct = { gtin: '09520123450045', name: 'Enoxaparin 40 mg syringes', ingredient: '372562003', strength: { value: 40, code: 'mg' }, unitName: 'syringe', routes: [SUBCUTANEOUS] };
const FUROSEMIDE_40: CheckedProduct = { gtin: '09520123450069', name: 'Furosemide 40 mg tablets', ingredient: '387475002', strength: { value: 40, code: 'mg' }, unitName: 'tablet', routes: [ORAL] };
const FORMULARY = new Map([PARACETAMOL_500, METOPROLOL_25, METOPROLOL_50, ENOXAPARIN_40, FUROSEMIDE_40].map((product) => [product.gtin, product]));

const PARACETAMOL_ORDER: CheckedOrder = {
  id: 'order-paracetamol',
  status: 'active',
  gtin: PARACETAMOL_500.gtin,
  drug: 'Paracetamol 500 mg tablets',
  dose: { value: 1, unit: 'g', code: 'g' },
  route: { code: ORAL, display: 'Oral route' },
  doses: [
    { scheduledAt: at(6), state: 'given' },
    { scheduledAt: at(12), state: 'open' },
    { scheduledAt: at(18), state: 'open' },
  ],
};
const METOPROLOL_ORDER: CheckedOrder = {
  id: 'order-metoprolol',
  status: 'active',
  gtin: METOPROLOL_25.gtin,
  drug: 'Metoprolol 25 mg tablets',
  dose: { value: 25, unit: 'mg', code: 'mg' },
  route: { code: ORAL, display: 'Oral route' },
  doses: [
    { scheduledAt: at(8), state: 'given' },
    { scheduledAt: at(20), state: 'open' },
  ],
};

function scanOf(gtin: string | null, overrides: Partial<ScannedPackage> = {}): ScannedPackage {
  return { gtin, expiry: '2030-01-31', lot: 'LOT42', serial: null, error: null, ...overrides };
}

function input(overrides: Partial<MedicationCheckInput> = {}): MedicationCheckInput {
  return {
    now: NOW,
    windowMinutes: 30,
    patient: { id: 'patient-a', mrn: '12345678' },
    wristbandMrn: '12345678',
    scan: scanOf(PARACETAMOL_500.gtin),
    orders: [PARACETAMOL_ORDER, METOPROLOL_ORDER],
    orderedForOthers: new Set([FUROSEMIDE_40.gtin, FUROSEMIDE_40.ingredient]),
    formulary: FORMULARY,
    ...overrides,
  };
}

function codesOf(result: ReturnType<typeof checkMedicationScan>): string[] {
  return result.problems.map((problem) => problem.code);
}

describe('medication check', () => {
  it('passes the due dose of the scanned drug', () => {
    const result = checkMedicationScan(input());
    expect(result.outcome).toBe('pass');
    expect(result.problems).toEqual([]);
    expect(result.match?.orderId).toBe('order-paracetamol');
    expect(result.match?.scheduledAt).toBe(at(12));
    expect(result.match?.minutesFromScheduled).toBe(5);
    expect(result.match?.unitsPerDose).toBe(2);
    expect(result.match?.unitName).toBe('tablet');
    expect(result.product).toEqual({ gtin: PARACETAMOL_500.gtin, name: PARACETAMOL_500.name, lot: 'LOT42', expiry: '2030-01-31', serial: null });
  });

  it('passes at both edges of the window', () => {
    const early = checkMedicationScan(input({ now: new Date(2026, 11, 4, 11, 30) }));
    const late = checkMedicationScan(input({ now: new Date(2026, 11, 4, 12, 30) }));
    expect(early.outcome).toBe('pass');
    expect(early.match?.minutesFromScheduled).toBe(-30);
    expect(late.outcome).toBe('pass');
    expect(late.match?.minutesFromScheduled).toBe(30);
  });

  it('flags a dose outside the window as wrong time', () => {
    const result = checkMedicationScan(input({ now: new Date(2026, 11, 4, 13, 0) }));
    expect(result.outcome).toBe('blocked');
    expect(codesOf(result)).toEqual(['wrong-time']);
    expect(result.problems[0]?.details).toEqual({ scheduledAt: at(12), minutes: 60, window: 30 });
    expect(result.overridable).toBe(true);
  });

  it('honours a wider window setting', () => {
    const result = checkMedicationScan(input({ now: new Date(2026, 11, 4, 13, 0), windowMinutes: 60 }));
    expect(result.outcome).toBe('pass');
  });

  it('blocks an expired package', () => {
    const result = checkMedicationScan(input({ scan: scanOf(PARACETAMOL_500.gtin, { expiry: '2026-12-03' }) }));
    expect(codesOf(result)).toEqual(['expired']);
    expect(result.problems[0]?.details).toEqual({ expiry: '2026-12-03' });
    expect(result.overridable).toBe(false);
  });

  it('accepts a package on its expiry date', () => {
    const result = checkMedicationScan(input({ scan: scanOf(PARACETAMOL_500.gtin, { expiry: '2026-12-04' }) }));
    expect(result.outcome).toBe('pass');
  });

  it('blocks a package the parser found expired', () => {
    const result = checkMedicationScan(input({ scan: scanOf(PARACETAMOL_500.gtin, { expiry: '2020-01-31', error: { code: 'expired', message: 'The product expired on 2020-01-31' } }) }));
    expect(codesOf(result)).toEqual(['expired']);
    expect(result.outcome).toBe('blocked');
  });

  it('blocks an unreadable scan with the parser reason', () => {
    const result = checkMedicationScan(input({ scan: scanOf(null, { error: { code: 'bad-check-digit', message: 'Invalid GTIN check digit' } }) }));
    expect(codesOf(result)).toEqual(['scan-invalid']);
    expect(result.problems[0]?.details).toEqual({ reason: 'Invalid GTIN check digit' });
    expect(result.match).toBeNull();
  });

  it('blocks a scan without GTIN', () => {
    expect(codesOf(checkMedicationScan(input({ scan: scanOf(null) })))).toEqual(['not-a-medication']);
  });

  it('requires the wristband but allows an override', () => {
    const result = checkMedicationScan(input({ wristbandMrn: null }));
    expect(codesOf(result)).toEqual(['patient-not-identified']);
    expect(result.overridable).toBe(true);
  });

  it('blocks a wristband of another patient', () => {
    const result = checkMedicationScan(input({ wristbandMrn: '87654321' }));
    expect(codesOf(result)).toEqual(['wrong-patient']);
    expect(result.problems[0]?.details).toEqual({ source: 'wristband' });
    expect(result.overridable).toBe(false);
  });

  it('blocks another patient medication', () => {
    const result = checkMedicationScan(input({ scan: scanOf(FUROSEMIDE_40.gtin) }));
    expect(codesOf(result)).toEqual(['wrong-patient']);
    expect(result.problems[0]?.details).toEqual({ source: 'order' });
    expect(result.match).toBeNull();
    expect(result.overridable).toBe(false);
  });

  it('blocks a drug nobody ordered', () => {
    const result = checkMedicationScan(input({ scan: scanOf(ENOXAPARIN_40.gtin) }));
    expect(codesOf(result)).toEqual(['no-order']);
    expect(result.overridable).toBe(false);
  });

  it('blocks a product missing from the formulary', () => {
    expect(codesOf(checkMedicationScan(input({ scan: scanOf('09520123450076') })))).toEqual(['unknown-product']);
  });

  it('matches another strength of the ordered drug', () => {
    const order: CheckedOrder = { ...METOPROLOL_ORDER, dose: { value: 50, unit: 'mg', code: 'mg' }, doses: [{ scheduledAt: at(12), state: 'open' }] };
    const result = checkMedicationScan(input({ orders: [order], scan: scanOf(METOPROLOL_50.gtin) }));
    expect(result.outcome).toBe('pass');
    expect(result.match?.unitsPerDose).toBe(1);
  });

  it('flags a strength that does not make the dose', () => {
    const order: CheckedOrder = { ...METOPROLOL_ORDER, doses: [{ scheduledAt: at(12), state: 'open' }] };
    const result = checkMedicationScan(input({ orders: [order], scan: scanOf(METOPROLOL_50.gtin) }));
    expect(codesOf(result)).toEqual(['dose-mismatch']);
    expect(result.problems[0]?.details).toEqual({ ordered: '25 mg', strength: '50 mg', unitName: 'tablet' });
    expect(result.overridable).toBe(true);
  });

  it('flags a route the dose form cannot take', () => {
    const order: CheckedOrder = {
      id: 'order-enoxaparin',
      status: 'active',
      gtin: ENOXAPARIN_40.gtin,
      drug: 'Enoxaparin',
      dose: { value: 40, unit: 'mg', code: 'mg' },
      route: { code: ORAL, display: 'Oral route' },
      doses: [{ scheduledAt: at(12), state: 'open' }],
    };
    const result = checkMedicationScan(input({ orders: [order], scan: scanOf(ENOXAPARIN_40.gtin) }));
    expect(codesOf(result)).toEqual(['route-mismatch']);
    expect(result.problems[0]?.details).toEqual({ route: 'Oral route' });
  });

  it('blocks a dose already given', () => {
    const order: CheckedOrder = { ...PARACETAMOL_ORDER, doses: [{ scheduledAt: at(12), state: 'given' }, { scheduledAt: at(18), state: 'open' }] };
    const result = checkMedicationScan(input({ orders: [order] }));
    expect(codesOf(result)).toEqual(['already-given']);
    expect(result.overridable).toBe(false);
  });

  it('blocks an order that is not active', () => {
    const order: CheckedOrder = { ...PARACETAMOL_ORDER, status: 'on-hold' };
    const result = checkMedicationScan(input({ orders: [order] }));
    expect(codesOf(result)).toEqual(['order-not-active']);
    expect(result.problems[0]?.details).toEqual({ status: 'on-hold' });
  });

  it('blocks an order without scheduled doses', () => {
    const order: CheckedOrder = { ...PARACETAMOL_ORDER, doses: [] };
    expect(codesOf(checkMedicationScan(input({ orders: [order] })))).toEqual(['no-dose-scheduled']);
  });

  it('reports every failed check together', () => {
    const result = checkMedicationScan(input({ wristbandMrn: null, now: new Date(2026, 11, 4, 14, 0) }));
    expect(codesOf(result)).toEqual(['patient-not-identified', 'wrong-time']);
    expect(result.overridable).toBe(true);
  });

  it('never makes a blocking problem overridable', () => {
    const result = checkMedicationScan(input({ wristbandMrn: null, scan: scanOf(PARACETAMOL_500.gtin, { expiry: '2025-01-01' }) }));
    expect(codesOf(result)).toEqual(['expired', 'patient-not-identified']);
    expect(result.overridable).toBe(false);
  });
});

describe('units per dose', () => {
  it('converts between mass units', () => {
    expect(unitsPerDose({ value: 1, code: 'g' }, { value: 500, code: 'mg' })).toBe(2);
    expect(unitsPerDose({ value: 125, code: 'ug' }, { value: 0.125, code: 'mg' })).toBeCloseTo(1);
  });

  it('returns null across dimensions', () => {
    expect(unitsPerDose({ value: 5, code: 'mL' }, { value: 500, code: 'mg' })).toBeNull();
    expect(unitsPerDose({ value: 5, code: 'puff' }, { value: 500, code: 'mg' })).toBeNull();
  });
});

describe('medication check of as-needed orders', () => {
  /** Paracetamol 1 g as needed, at least 4 hours apart, at most 4 g in 24 hours. */
  const PRN_LIMITS: AsNeededLimits = { minIntervalMinutes: 240, maxima: [{ kind: 'amount', max: 4, unit: 'g', code: 'g', periodHours: 24 }] };
  const PRN_ORDER: CheckedOrder = {
    id: 'order-paracetamol-prn',
    status: 'active',
    gtin: PARACETAMOL_500.gtin,
    drug: 'Paracetamol 500 mg tablets',
    dose: { value: 1, unit: 'g', code: 'g' },
    route: { code: ORAL, display: 'Oral route' },
    doses: [],
    asNeeded: { limits: PRN_LIMITS, given: [] },
  };
  const givenAt = (...times: Date[]) => ({ limits: PRN_LIMITS, given: times.map((time) => ({ at: time.toISOString(), amount: { value: 1, code: 'g' } })) });

  it('passes a first dose of an as-needed order', () => {
    const result = checkMedicationScan(input({ orders: [PRN_ORDER, METOPROLOL_ORDER] }));
    expect(result.outcome).toBe('pass');
    expect(result.match).toMatchObject({ orderId: PRN_ORDER.id, scheduledAt: null, minutesFromScheduled: null, asNeeded: { lastGivenAt: null, nextAllowedAt: null }, unitsPerDose: 2 });
  });

  it('flags a dose before the minimum interval', () => {
    const order = { ...PRN_ORDER, asNeeded: givenAt(new Date(2026, 11, 4, 10, 35)) };
    const result = checkMedicationScan(input({ orders: [order] }));
    expect(codesOf(result)).toEqual(['as-needed-too-soon']);
    expect(result.problems[0]?.details).toEqual({ lastGivenAt: at(10, 35), minutesSince: 90, interval: 240, nextAllowedAt: at(14, 35) });
    expect(result.overridable).toBe(true);
    expect(result.match?.asNeeded).toEqual({ lastGivenAt: at(10, 35), nextAllowedAt: at(14, 35) });
  });

  it('passes once the interval has passed', () => {
    const order = { ...PRN_ORDER, asNeeded: givenAt(new Date(2026, 11, 4, 8, 5)) };
    expect(checkMedicationScan(input({ orders: [order] })).outcome).toBe('pass');
  });

  it('blocks a dose over the maximum', () => {
    const order = { ...PRN_ORDER, asNeeded: givenAt(new Date(2026, 11, 3, 19, 0), new Date(2026, 11, 3, 23, 30), new Date(2026, 11, 4, 3, 40), new Date(2026, 11, 4, 8, 0)) };
    const result = checkMedicationScan(input({ orders: [order] }));
    expect(codesOf(result)).toEqual(['as-needed-maximum']);
    expect(result.problems[0]?.details).toEqual({ kind: 'amount', given: '4 g', after: '5 g', max: '4 g', hours: 24, nextAllowedAt: new Date(2026, 11, 4, 19, 0).toISOString() });
    expect(result.overridable).toBe(false);
  });

  it('blocks too soon and over the maximum together', () => {
    const order = { ...PRN_ORDER, asNeeded: givenAt(new Date(2026, 11, 4, 0, 0), new Date(2026, 11, 4, 4, 0), new Date(2026, 11, 4, 8, 0), new Date(2026, 11, 4, 11, 0)) };
    const result = checkMedicationScan(input({ orders: [order] }));
    expect(codesOf(result)).toEqual(['as-needed-too-soon', 'as-needed-maximum']);
    expect(result.overridable).toBe(false);
  });

  it('asks to count a maximum it cannot add up', () => {
    const inTablets = { at: new Date(2026, 11, 4, 6, 0).toISOString(), amount: { value: 2, code: '{tablet}' } };
    const order = { ...PRN_ORDER, asNeeded: { limits: PRN_LIMITS, given: [inTablets] } };
    const result = checkMedicationScan(input({ orders: [order] }));
    expect(codesOf(result)).toEqual(['as-needed-maximum-unverified']);
    expect(result.problems[0]?.details).toEqual({ max: '4 g', hours: 24 });
    expect(result.overridable).toBe(true);
    expect(result.match?.orderId).toBe(PRN_ORDER.id);
  });

  it('refuses an as-needed order on hold', () => {
    const result = checkMedicationScan(input({ orders: [{ ...PRN_ORDER, status: 'on-hold' }] }));
    expect(codesOf(result)).toEqual(['order-not-active']);
    expect(result.match).toBeNull();
  });

  it('prefers a due scheduled dose of the same drug', () => {
    const result = checkMedicationScan(input({ orders: [PRN_ORDER, PARACETAMOL_ORDER] }));
    expect(result.match?.orderId).toBe(PARACETAMOL_ORDER.id);
    expect(result.match?.scheduledAt).toBe(at(12));
  });

  it('uses the as-needed order between scheduled doses', () => {
    const result = checkMedicationScan(input({ orders: [PARACETAMOL_ORDER, PRN_ORDER], now: new Date(2026, 11, 4, 15, 0) }));
    expect(result.outcome).toBe('pass');
    expect(result.match?.orderId).toBe(PRN_ORDER.id);
  });
});
