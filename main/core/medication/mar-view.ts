import { scheduledDoseTimes } from '../../../preload/api/clinical/dose-schedule.js';
import type { CheckedOrder, DoseState } from '../../../preload/api/clinical/medication-check.js';
import type { MarAdministration, MarDose, MarDoseState, MarOrder, MarView } from '../../../preload/api/medication-schemas.js';
import type { MedicationOrder, RecordedAdministration } from '../../../sync/protocol/fhir/medication.js';

/**
 * Builds the MAR from orders, recorded administrations and the clock: the scheduled doses of each
 * order in the range, each with what became of it. Pure, so tests give the clock.
 */

const HOUR_MS = 60 * 60 * 1000;
/** Hours of the MAR before and after the clock's time: one shift back and one ahead, about. */
export const MAR_HOURS_BEFORE = 12;
export const MAR_HOURS_AFTER = 12;

/**
 * Orders whose doses the MAR schedules; an order on hold shows its doses with its status, and the
 * check refuses them. TODO: list stopped orders' recorded doses and "as needed" orders, which have
 * no scheduled doses and so do not appear yet.
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
    overridden: administration.overridden,
    syncState: administration.syncState,
  };
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

export function buildMarView(input: MarInput): MarView {
  const { from, to } = marRange(input.now);
  const windowMs = input.windowMinutes * 60_000;
  const doses: MarDose[] = scheduledDoses(input, from, to).map(({ order, scheduledAt, administration }) => {
    let state: MarDoseState = openState(scheduledAt, input.now, windowMs);
    if (administration) state = administration.status === 'not-done' ? 'held' : 'given';
    return { orderId: order.id, scheduledAt: scheduledAt.toISOString(), state, administration: administration ? administrationView(administration) : null };
  });
  doses.sort((a, b) => a.scheduledAt.localeCompare(b.scheduledAt) || a.orderId.localeCompare(b.orderId));

  return {
    patientId: input.patientId,
    now: input.now.toISOString(),
    windowMinutes: input.windowMinutes,
    from: from.toISOString(),
    to: to.toISOString(),
    orders: input.orders.map(marOrderOf),
    doses,
  };
}

/** Returns the orders as the bedside check reads them: each with its scheduled doses in the MAR's range. */
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
        if (dose.administration) state = dose.administration.status === 'not-done' ? 'held' : 'given';
        return { scheduledAt: dose.scheduledAt.toISOString(), state };
      }),
  }));
}
