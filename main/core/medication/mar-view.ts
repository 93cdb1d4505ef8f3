import type { AsNeededLimits, GivenDose } from '../../../preload/api/clinical/as-needed.js';
import { asNeededLimitsOf, asNeededState } from '../../../preload/api/clinical/as-needed.js';
import { scheduledDoseTimes } from '../../../preload/api/clinical/dose-schedule.js';
import type { CheckedOrder, DoseState } from '../../../preload/api/clinical/medication-check.js';
import type { MarAdministration, MarAsNeededOrder, MarDose, MarDoseState, MarOrder, MarView } from '../../../preload/api/medication-schemas.js';
import type { MedicationOrder, RecordedAdministration } from '../../../sync/protocol/fhir/medication.js';

/**
 * Builds the MAR from orders, recorded administrations and the clock: the scheduled doses of each
 * order in the range, each with what became of it, and the "as needed" orders with their limits
 * and the doses given. Pure, so tests give the clock.
 */

const HOUR_MS = 60 * 60 * 1000;
/** Hours of the MAR before and after the clock's time: one shift back and one ahead, about. */
export const MAR_HOURS_BEFORE = 12;
export const MAR_HOURS_AFTER = 12;

/**
 * Statuses of the orders whose doses the MAR schedules and of the as-needed orders it always lists.
 * An order on hold shows with its status, and the check refuses its doses. Orders of other
 * statuses (stopped, completed, cancelled, entered in error) show only the doses recorded under
 * them in the range, so that a dose given before an order was stopped stays on the MAR.
 */
const SCHEDULED_STATUSES = new Set(['active', 'on-hold']);

export type AdministrationWithState = RecordedAdministration & { syncState: MarAdministration['syncState'] };

export interface MarInput {
  patientId: string;
  now: Date;
  windowMinutes: number;
  orders: readonly MedicationOrder[];
  administrations: readonly AdministrationWithState[];
}

function doseKey(orderId: string, scheduledAt: string | Date): string {
  return `${orderId}@${new Date(scheduledAt).getTime()}`;
}

export function marRange(now: Date): { from: Date; to: Date } {
  return { from: new Date(now.getTime() - MAR_HOURS_BEFORE * HOUR_MS), to: new Date(now.getTime() + MAR_HOURS_AFTER * HOUR_MS) };
}

/** Describes an order for the MAR: drug, dose with unit, route and frequency as text. */
export function marOrderOf(order: MedicationOrder): MarOrder {
  return {
    id: order.id,
    drug: order.drug,
    gtin: order.gtin ?? null,
    dose: order.dose ? `${order.dose.value} ${order.dose.unit}` : '',
    route: order.route?.display ?? '',
    frequency: order.frequencyText,
    status: order.status,
    asNeeded: order.asNeeded,
    indication: order.asNeededFor?.text ?? null,
  };
}

function administrationView(administration: AdministrationWithState): MarAdministration {
  return {
    id: administration.id,
    effectiveDateTime: administration.effectiveDateTime,
    performer: administration.performer,
    lot: administration.lot ?? null,
    expiry: administration.expirationDate ?? null,
    holdReason: administration.holdReason ?? null,
    reason: administration.reason ?? null,
    overridden: administration.overridden,
    syncState: administration.syncState,
  };
}

/** Returns what a recorded administration made of its dose: held when it was not done, else given. */
function recordedState(administration: RecordedAdministration): 'held' | 'given' {
  return administration.status === 'not-done' ? 'held' : 'given';
}

function openState(scheduledAt: Date, now: Date, windowMs: number): MarDoseState {
  const offset = now.getTime() - scheduledAt.getTime();
  if (offset > windowMs) return 'overdue';
  if (offset < -windowMs) return 'upcoming';
  return 'due';
}

/** Returns every scheduled dose of the orders in the range, with the administration recorded for it, if any. */
function scheduledDoses(input: MarInput, from: Date, to: Date): { order: MedicationOrder; scheduledAt: Date; administration: AdministrationWithState | undefined }[] {
  const byDose = new Map<string, AdministrationWithState>();
  for (const administration of input.administrations) {
    if (!administration.scheduledAt || administration.status === 'entered-in-error') continue;
    byDose.set(doseKey(administration.orderId, administration.scheduledAt), administration);
  }
  return input.orders
    .filter((order) => SCHEDULED_STATUSES.has(order.status) && !order.asNeeded)
    .flatMap((order) => scheduledDoseTimes(order.timing, from, to).map((scheduledAt) => ({ order, scheduledAt, administration: byDose.get(doseKey(order.id, scheduledAt)) })));
}

/**
 * Returns the doses recorded in the range under the scheduled orders that no longer schedule any,
 * such as a stopped antibiotic, each with its administration.
 */
function recordedDosesOfEndedOrders(input: MarInput, from: Date, to: Date): MarDose[] {
  const ended = new Set(input.orders.filter((order) => !SCHEDULED_STATUSES.has(order.status) && !order.asNeeded).map((order) => order.id));
  const doses: MarDose[] = [];
  for (const administration of input.administrations) {
    if (!ended.has(administration.orderId) || !administration.scheduledAt || administration.status === 'entered-in-error') continue;
    const scheduledAt = new Date(administration.scheduledAt);
    if (scheduledAt.getTime() < from.getTime() || scheduledAt.getTime() >= to.getTime()) continue;
    doses.push({ orderId: administration.orderId, scheduledAt: scheduledAt.toISOString(), state: recordedState(administration), administration: administrationView(administration) });
  }
  return doses;
}

/** Tells whether the MAR lists an as-needed order: always while it is active or on hold, and afterwards while a dose given under it is in the range. */
function listsAsNeededOrder(order: MedicationOrder, input: MarInput, from: Date): boolean {
  if (!order.asNeeded) return false;
  if (SCHEDULED_STATUSES.has(order.status)) return true;
  return givenAdministrations(order, input.administrations).some((administration) => Date.parse(administration.effectiveDateTime) >= from.getTime());
}

/** Returns the limits of an as-needed order. */
export function asNeededLimitsOfOrder(order: MedicationOrder): AsNeededLimits {
  return asNeededLimitsOf({ timing: order.timing, ...(order.maxDosePerPeriod ? { maxDosePerPeriod: order.maxDosePerPeriod } : {}) });
}

/** Returns the administrations that gave a dose of the order, newest first. */
function givenAdministrations(order: MedicationOrder, administrations: readonly AdministrationWithState[]): AdministrationWithState[] {
  return administrations
    .filter((administration) => administration.orderId === order.id && administration.status === 'completed')
    .sort((a, b) => Date.parse(b.effectiveDateTime) - Date.parse(a.effectiveDateTime));
}

function givenDoses(administrations: readonly AdministrationWithState[]): GivenDose[] {
  return administrations.map((administration) => ({ at: administration.effectiveDateTime, amount: administration.dose ?? null }));
}

function asNeededOrderView(order: MedicationOrder, input: MarInput, from: Date): MarAsNeededOrder {
  const limits = asNeededLimitsOfOrder(order);
  const given = givenAdministrations(order, input.administrations);
  const state = asNeededState(limits, order.dose, givenDoses(given), input.now);
  const [last] = given;
  return {
    orderId: order.id,
    minIntervalMinutes: limits.minIntervalMinutes,
    maxima: state.totals.map(({ maximum, given: total }) => ({
      kind: maximum.kind,
      max: maximum.max,
      unit: maximum.kind === 'amount' ? maximum.unit : '',
      periodHours: maximum.periodHours,
      given: total,
    })),
    dosesInLast24Hours: state.dosesInLast24Hours,
    lastGiven: last ? administrationView(last) : null,
    nextAllowedAt: state.nextAllowedAt,
    administrations: given.filter((administration) => Date.parse(administration.effectiveDateTime) >= from.getTime()).map(administrationView),
  };
}

export function buildMarView(input: MarInput): MarView {
  const { from, to } = marRange(input.now);
  const windowMs = input.windowMinutes * 60_000;
  const doses: MarDose[] = scheduledDoses(input, from, to).map(({ order, scheduledAt, administration }) => {
    let state: MarDoseState = openState(scheduledAt, input.now, windowMs);
    if (administration) state = recordedState(administration);
    return { orderId: order.id, scheduledAt: scheduledAt.toISOString(), state, administration: administration ? administrationView(administration) : null };
  });
  doses.push(...recordedDosesOfEndedOrders(input, from, to));
  doses.sort((a, b) => a.scheduledAt.localeCompare(b.scheduledAt) || a.orderId.localeCompare(b.orderId));

  return {
    patientId: input.patientId,
    now: input.now.toISOString(),
    windowMinutes: input.windowMinutes,
    from: from.toISOString(),
    to: to.toISOString(),
    orders: input.orders.map(marOrderOf),
    doses,
    asNeeded: input.orders.filter((order) => listsAsNeededOrder(order, input, from)).map((order) => asNeededOrderView(order, input, from)),
  };
}

/** Returns the orders as the bedside check reads them: each with its scheduled doses in the MAR's range, or its as-needed limits and doses given. */
export function checkedOrders(input: MarInput): CheckedOrder[] {
  const { from, to } = marRange(input.now);
  const doses = scheduledDoses(input, from, to);
  return input.orders.map((order) => ({
    id: order.id,
    status: order.status,
    gtin: order.gtin ?? null,
    drug: order.drug,
    ...(order.dose ? { dose: order.dose } : {}),
    ...(order.route ? { route: order.route } : {}),
    doses: doses
      .filter((dose) => dose.order === order)
      .map((dose) => {
        let state: DoseState = 'open';
        if (dose.administration) state = recordedState(dose.administration);
        return { scheduledAt: dose.scheduledAt.toISOString(), state };
      }),
    ...(order.asNeeded ? { asNeeded: { limits: asNeededLimitsOfOrder(order), given: givenDoses(givenAdministrations(order, input.administrations)) } } : {}),
  }));
}
