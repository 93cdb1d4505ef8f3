import type { AsNeededLimits, AsNeededMaximum, GivenDose } from './as-needed.js';
import { asNeededState } from './as-needed.js';
import { UNIT_FACTORS } from './ucum-units.js';

/**
 * The bedside medication check (barcode medication administration): a scanned package is matched
 * to one scheduled dose of the patient's orders, or to an "as needed" order, and checked for the
 * five rights, that is right patient, drug, dose, route and time. For an as-needed order the right
 * time is the order's minimum interval since the last dose and its maxima per period. Pure: the
 * clock, the orders and the formulary are inputs, so the core and its tests run the same rules.
 *
 * Each failed check is a problem. Some problems may be overridden with a documented reason (a
 * wristband that cannot be scanned, a dose given outside its window on a doctor's instruction).
 * Others block outright because no reason makes them safe: an expired package, another patient's
 * medication, a drug without an order, a dose already given.
 */

export interface ScannedPackage {
  /** GTIN of AI (01), 14 digits, or null when the scan carries none. */
  gtin: string | null;
  /** Expiry date of AI (17) as an ISO date, or null. */
  expiry: string | null;
  lot: string | null;
  serial: string | null;
  /** The parser's error for an invalid scan (bad check digit, expired, ...), or null. */
  error: { code: string; message: string } | null;
}

export interface CheckedProduct {
  gtin: string;
  name: string;
  /** SNOMED CT code of the active ingredient. */
  ingredient: string;
  /** Ingredient per unit in a UCUM unit (mg, g, ug, mL); absent when the formulary does not give it. */
  strength?: { value: number; code: string };
  unitName: string;
  /** SNOMED CT codes of the routes this dose form can be given by; empty when unknown. */
  routes: readonly string[];
}

export type DoseState = 'open' | 'given' | 'held';

export interface CheckedOrder {
  id: string;
  status: string;
  gtin: string | null;
  drug: string;
  dose?: { value: number; unit: string; code: string };
  route?: { code: string; display: string };
  /** The order's scheduled doses around the clock's time, with what became of each; none for an as-needed order. */
  doses: readonly { scheduledAt: string; state: DoseState }[];
  /** Present for an "as needed" order: its limits and the doses given within its longest period. */
  asNeeded?: { limits: AsNeededLimits; given: readonly GivenDose[] };
}

export interface MedicationCheckInput {
  now: Date;
  /** Minutes before or after a scheduled time within which a dose counts as on time. */
  windowMinutes: number;
  patient: { id: string; mrn: string | null };
  /** The MRN read from the patient's wristband at the bedside, or null when none was scanned. */
  wristbandMrn: string | null;
  scan: ScannedPackage;
  /** The patient's medication orders. */
  orders: readonly CheckedOrder[];
  /** GTINs and ingredient codes ordered for the ward's other patients, to tell a wrong patient from a wrong drug. */
  orderedForOthers: ReadonlySet<string>;
  formulary: ReadonlyMap<string, CheckedProduct>;
}

export const CHECK_PROBLEM_CODES = [
  'scan-invalid',
  'not-a-medication',
  'expired',
  'patient-not-identified',
  'wrong-patient',
  'unknown-product',
  'no-order',
  'order-not-active',
  'no-dose-scheduled',
  'already-given',
  'wrong-time',
  'dose-mismatch',
  'route-mismatch',
  'as-needed-too-soon',
  'as-needed-maximum',
  'as-needed-maximum-unverified',
] as const;
export type CheckProblemCode = (typeof CHECK_PROBLEM_CODES)[number];

/**
 * Problems a nurse may override with a documented reason; every other problem blocks.
 * `as-needed-too-soon` may be overridden, as an early scheduled dose may. The interval guards
 * against routine repeats, and an early dose can have reasons that the prescriber agrees to at the
 * bedside, such as a vomited dose or pain before a dressing change. `as-needed-maximum` blocks,
 * because the maximum is the prescriber's limit of the total dose (4 g of paracetamol a day, for
 * the liver), and a dose over it needs a changed order from the prescriber, not a nurse's reason.
 * `as-needed-maximum-unverified` may be overridden: the workstation cannot add the doses up, so
 * the nurse counts them from the MAR and records the count in the reason. Blocking would
 * withhold pain relief for a unit mismatch in the records.
 */
export const OVERRIDABLE_PROBLEMS: ReadonlySet<CheckProblemCode> = new Set([
  'patient-not-identified',
  'wrong-time',
  'dose-mismatch',
  'route-mismatch',
  'as-needed-too-soon',
  'as-needed-maximum-unverified',
]);

export interface CheckProblem {
  code: CheckProblemCode;
  overridable: boolean;
  /** Values the message names: dates, times, doses, minutes. Never the patient's identifiers. */
  details: Record<string, string | number>;
}

export interface DoseMatch {
  orderId: string;
  drug: string;
  /** The scheduled dose the scan is for; null for an as-needed order. */
  scheduledAt: string | null;
  /** Minutes from the scheduled time to the clock's time: negative early, positive late; null for an as-needed order. */
  minutesFromScheduled: number | null;
  /** For an as-needed order: when the last dose was given (null for none) and when the next is allowed (null for now). */
  asNeeded: { lastGivenAt: string | null; nextAllowedAt: string | null } | null;
  /** How many units (tablets, syringes) of the scanned package make the ordered dose; null when unknown. */
  unitsPerDose: number | null;
  unitName: string;
}

export interface MedicationCheckResult {
  outcome: 'pass' | 'blocked';
  problems: CheckProblem[];
  match: DoseMatch | null;
  /** True when every problem may be overridden and a dose was matched, so a reason lets the dose be recorded. */
  overridable: boolean;
  product: { gtin: string; name: string; lot: string | null; expiry: string | null; serial: string | null } | null;
}

const MINUTE_MS = 60_000;
/** Formats a maximum's total for a problem's details: "3 g" for an amount, "3" for a count of doses. */
function totalText(maximum: AsNeededMaximum, value: number): string {
  const rounded = Math.round(value * 1000) / 1000;
  return maximum.kind === 'doses' ? String(rounded) : `${rounded} ${maximum.unit}`;
}


function problem(code: CheckProblemCode, details: Record<string, string | number> = {}): CheckProblem {
  return { code, overridable: OVERRIDABLE_PROBLEMS.has(code), details };
}

/** Returns the clock's local calendar date as YYYY-MM-DD, because a printed expiry date is a local date. */
function localIsoDate(now: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Returns ordered dose / strength when both are in convertible units, else null. */
export function unitsPerDose(dose: { value: number; code: string }, strength: { value: number; code: string }): number | null {
  const doseUnit = UNIT_FACTORS[dose.code];
  const strengthUnit = UNIT_FACTORS[strength.code];
  if (!doseUnit || !strengthUnit || doseUnit.dimension !== strengthUnit.dimension || strength.value <= 0) return null;
  return (dose.value * doseUnit.factor) / (strength.value * strengthUnit.factor);
}

function isWhole(value: number): boolean {
  return Math.abs(value - Math.round(value)) < 1e-9 && Math.round(value) >= 1;
}

/** Returns the patient's orders for the scanned product: those of the same GTIN, else those of the same active ingredient. */
function candidateOrders(input: MedicationCheckInput, gtin: string, product: CheckedProduct | undefined): CheckedOrder[] {
  const sameGtin = input.orders.filter((order) => order.gtin === gtin);
  if (sameGtin.length > 0 || !product?.ingredient) return sameGtin;
  return input.orders.filter((order) => order.gtin !== null && input.formulary.get(order.gtin)?.ingredient === product.ingredient);
}

interface ChosenDose {
  order: CheckedOrder;
  scheduledAt: string;
  state: DoseState;
  distanceMs: number;
}

/** Picks the dose the scan is for: an open dose inside the window, else a recorded one inside it, else the nearest open one. */
function chooseDose(orders: readonly CheckedOrder[], now: Date, windowMs: number): ChosenDose | undefined {
  const doses: ChosenDose[] = orders.flatMap((order) =>
    order.doses.map((dose) => ({ order, scheduledAt: dose.scheduledAt, state: dose.state, distanceMs: Math.abs(new Date(dose.scheduledAt).getTime() - now.getTime()) })),
  );
  const byDistance = (a: ChosenDose, b: ChosenDose) => a.distanceMs - b.distanceMs;
  const open = doses.filter((dose) => dose.state === 'open').sort(byDistance);
  const openInWindow = open.find((dose) => dose.distanceMs <= windowMs);
  if (openInWindow) return openInWindow;
  const recordedInWindow = doses.filter((dose) => dose.state !== 'open' && dose.distanceMs <= windowMs).sort(byDistance)[0];
  return recordedInWindow ?? open[0];
}

/** Runs the five-rights check of one scanned package against the patient's scheduled doses and as-needed orders. */
export function checkMedicationScan(input: MedicationCheckInput): MedicationCheckResult {
  const { scan, now } = input;
  const problems: CheckProblem[] = [];
  const finish = (match: DoseMatch | null = null, product: MedicationCheckResult['product'] = null): MedicationCheckResult => ({
    outcome: problems.length === 0 ? 'pass' : 'blocked',
    problems,
    match,
    overridable: problems.length > 0 && match !== null && problems.every((entry) => entry.overridable),
    product,
  });

  if (scan.error && scan.error.code !== 'expired') {
    problems.push(problem('scan-invalid', { reason: scan.error.message }));
    return finish();
  }
  if (!scan.gtin) {
    problems.push(problem('not-a-medication'));
    return finish();
  }

  const product = input.formulary.get(scan.gtin);
  const scanned = { gtin: scan.gtin, name: product?.name ?? '', lot: scan.lot, expiry: scan.expiry, serial: scan.serial };
  if (scan.error?.code === 'expired' || (scan.expiry !== null && scan.expiry < localIsoDate(now))) {
    problems.push(problem('expired', { expiry: scan.expiry ?? '' }));
  }

  if (input.wristbandMrn === null) problems.push(problem('patient-not-identified'));
  else if (input.wristbandMrn !== input.patient.mrn) problems.push(problem('wrong-patient', { source: 'wristband' }));

  const candidates = candidateOrders(input, scan.gtin, product);
  if (candidates.length === 0) {
    const forOthers = input.orderedForOthers.has(scan.gtin) || (product?.ingredient !== undefined && input.orderedForOthers.has(product.ingredient));
    if (forOthers) problems.push(problem('wrong-patient', { source: 'order' }));
    else problems.push(problem(product ? 'no-order' : 'unknown-product', { gtin: scan.gtin }));
    return finish(null, scanned);
  }

  const active = candidates.filter((order) => order.status === 'active');
  if (active.length === 0) {
    problems.push(problem('order-not-active', { status: candidates[0]?.status ?? '' }));
    return finish(null, scanned);
  }

  const windowMs = input.windowMinutes * MINUTE_MS;
  const chosen = chooseDose(active.filter((order) => !order.asNeeded), now, windowMs);
  // An open scheduled dose inside its window comes first, then an as-needed order, then the other scheduled doses.
  const asNeededOrder = active.find((order) => order.asNeeded !== undefined);
  const scheduledFirst = chosen !== undefined && chosen.state === 'open' && chosen.distanceMs <= windowMs;
  if (asNeededOrder && !scheduledFirst) return finish(checkProductFit(asNeededOrder, product, problems, asNeededMatch(asNeededOrder, now, problems)), scanned);
  if (!chosen) {
    problems.push(problem('no-dose-scheduled'));
    return finish(null, scanned);
  }

  const { order } = chosen;
  const minutesFromScheduled = Math.round((now.getTime() - new Date(chosen.scheduledAt).getTime()) / MINUTE_MS);
  if (chosen.state !== 'open') problems.push(problem('already-given', { scheduledAt: chosen.scheduledAt, state: chosen.state }));
  else if (chosen.distanceMs > windowMs) problems.push(problem('wrong-time', { scheduledAt: chosen.scheduledAt, minutes: minutesFromScheduled, window: input.windowMinutes }));
  return finish(checkProductFit(order, product, problems, { orderId: order.id, drug: order.drug, scheduledAt: chosen.scheduledAt, minutesFromScheduled, asNeeded: null }), scanned);
}

/** Checks the time of an as-needed dose against the order's interval and maxima, and returns the match without the product's units. */
function asNeededMatch(order: CheckedOrder, now: Date, problems: CheckProblem[]): Omit<DoseMatch, 'unitsPerDose' | 'unitName'> {
  const terms = order.asNeeded as NonNullable<CheckedOrder['asNeeded']>;
  const state = asNeededState(terms.limits, order.dose, terms.given, now);
  if (state.tooSoon && state.lastGivenAt !== null) {
    problems.push(
      problem('as-needed-too-soon', {
        lastGivenAt: state.lastGivenAt,
        minutesSince: Math.round((now.getTime() - Date.parse(state.lastGivenAt)) / MINUTE_MS),
        interval: terms.limits.minIntervalMinutes ?? 0,
        nextAllowedAt: state.nextAllowedAt ?? now.toISOString(),
      }),
    );
  }
  for (const maximum of state.unverifiable) {
    problems.push(problem('as-needed-maximum-unverified', { max: totalText(maximum, maximum.max), hours: maximum.periodHours }));
  }
  for (const entry of state.exceeded) {
    problems.push(
      problem('as-needed-maximum', {
        kind: entry.maximum.kind,
        given: totalText(entry.maximum, entry.given),
        after: totalText(entry.maximum, entry.after),
        max: totalText(entry.maximum, entry.maximum.max),
        hours: entry.maximum.periodHours,
        nextAllowedAt: state.nextAllowedAt ?? now.toISOString(),
      }),
    );
  }
  return {
    orderId: order.id,
    drug: order.drug,
    scheduledAt: null,
    minutesFromScheduled: null,
    asNeeded: { lastGivenAt: state.lastGivenAt, nextAllowedAt: state.nextAllowedAt },
  };
}

/** Checks that the scanned product makes the ordered dose by the ordered route, and completes the match with the units to give. */
function checkProductFit(order: CheckedOrder, product: CheckedProduct | undefined, problems: CheckProblem[], partial: Omit<DoseMatch, 'unitsPerDose' | 'unitName'>): DoseMatch {
  let units: number | null = null;
  if (product?.strength && order.dose) {
    const ratio = unitsPerDose(order.dose, product.strength);
    if (ratio !== null && isWhole(ratio)) units = Math.round(ratio);
    else {
      problems.push(
        problem('dose-mismatch', {
          ordered: `${order.dose.value} ${order.dose.unit}`,
          strength: `${product.strength.value} ${product.strength.code}`,
          unitName: product.unitName,
        }),
      );
    }
  }

  if (product && order.route && product.routes.length > 0 && !product.routes.includes(order.route.code)) {
    problems.push(problem('route-mismatch', { route: order.route.display }));
  }

  return { ...partial, unitsPerDose: units, unitName: product?.unitName ?? '' };
}
