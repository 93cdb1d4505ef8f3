import { convertAmount } from './ucum-units.js';

/**
 * Limits of an "as needed" (PRN) medication order and what they allow at a given time: the minimum
 * interval between doses and the maxima over a rolling period, read from the FHIR R4
 * dosageInstruction. Pure: callers give the clock and the doses given, so the MAR, the bedside
 * check and their tests apply the same rules.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const UNIT_MINUTES = { min: 1, h: 60, d: 24 * 60 } as const;
/** Tolerance of amount sums, so that 4 × 0.1 g still equals 0.4 g. */
const EPSILON = 1e-9;

/** A maximum over any rolling period: a number of doses, or an amount in a UCUM unit. */
export type AsNeededMaximum =
  | { kind: 'doses'; max: number; periodHours: number }
  | { kind: 'amount'; max: number; unit: string; code: string; periodHours: number };

export interface AsNeededLimits {
  /** Minimum minutes from one dose to the next, or null when the order gives none. */
  minIntervalMinutes: number | null;
  maxima: AsNeededMaximum[];
}

/** The parts of an as-needed order that set its limits. */
export interface AsNeededTerms {
  timing: { frequency?: number; period?: number; periodUnit?: 'min' | 'h' | 'd' };
  maxDosePerPeriod?: { amount: { value: number; unit: string; code: string }; periodHours: number };
}

/** UCUM codes of a maxDosePerPeriod numerator that counts doses instead of an amount. */
const DOSE_COUNT_CODES = new Set(['', '1', '{dose}', '{doses}']);

/** Reads the limits of an as-needed order from its timing and maxDosePerPeriod. */
export function asNeededLimitsOf(terms: AsNeededTerms): AsNeededLimits {
  const { frequency, period, periodUnit } = terms.timing;
  let minIntervalMinutes: number | null = null;
  const maxima: AsNeededMaximum[] = [];

  if (frequency && period && periodUnit) {
    const periodMinutes = period * UNIT_MINUTES[periodUnit];
    // "Every 4 hours as needed" is frequency 1 per 4 h, so the period is the minimum interval.
    // "Up to 4 times a day" (frequency 4 per 1 d) limits the count over the period and sets no
    // interval, because the doses may come close together when the symptom does.
    if (frequency === 1) minIntervalMinutes = periodMinutes;
    else maxima.push({ kind: 'doses', max: frequency, periodHours: periodMinutes / 60 });
  }

  const limit = terms.maxDosePerPeriod;
  if (limit) {
    if (DOSE_COUNT_CODES.has(limit.amount.code)) maxima.push({ kind: 'doses', max: limit.amount.value, periodHours: limit.periodHours });
    else maxima.push({ kind: 'amount', max: limit.amount.value, unit: limit.amount.unit, code: limit.amount.code, periodHours: limit.periodHours });
  }
  return { minIntervalMinutes, maxima };
}

/** One dose of the order that was given. */
export interface GivenDose {
  /** When it was given (FHIR dateTime). */
  at: string;
  /** The dose recorded, or null when the record gives none, in which case the order's dose counts. */
  amount: { value: number; code: string } | null;
}

export interface MaximumTotal {
  maximum: AsNeededMaximum;
  /** Doses or amount given in the maximum's period before the clock's time; null when an amount does not convert to the maximum's unit. */
  given: number | null;
}

export interface ExceededMaximum {
  maximum: AsNeededMaximum;
  given: number;
  /** The total the next dose would make. */
  after: number;
}

export interface AsNeededState {
  lastGivenAt: string | null;
  /** Doses given in the 24 hours up to the clock's time. */
  dosesInLast24Hours: number;
  totals: MaximumTotal[];
  /** True when the minimum interval since the last dose has not passed. */
  tooSoon: boolean;
  /** The maxima that one more dose now would exceed. */
  exceeded: ExceededMaximum[];
  /**
   * The amount maxima that cannot be checked, because a dose given in their period, or the next
   * dose, is in a unit that does not convert to the maximum's (a count of "{tablet}" against a
   * dose in mg).
   */
  unverifiable: AsNeededMaximum[];
  /** The earliest time at which one more dose is inside every limit, or null when that is now. */
  nextAllowedAt: string | null;
}

interface TimedAmount {
  atMs: number;
  amount: number | null;
}

/** Returns the doses given since the maximum's period before `nowMs` began, oldest first, each in the maximum's unit (1 per dose for a count). */
function dosesInPeriod(maximum: AsNeededMaximum, given: readonly GivenDose[], orderDose: { value: number; code: string } | undefined, nowMs: number): TimedAmount[] {
  const startMs = nowMs - maximum.periodHours * HOUR_MS;
  return given
    .map((dose) => ({ dose, atMs: Date.parse(dose.at) }))
    .filter(({ atMs }) => atMs > startMs)
    .sort((a, b) => a.atMs - b.atMs)
    .map(({ dose, atMs }) => ({ atMs, amount: amountOf(maximum, dose.amount ?? orderDose ?? null) }));
}

function amountOf(maximum: AsNeededMaximum, amount: { value: number; code: string } | null): number | null {
  if (maximum.kind === 'doses') return 1;
  return amount === null ? null : convertAmount(amount, maximum.code);
}

/**
 * Returns when one more dose stops exceeding the maximum: the time at which enough of the doses now
 * in the period have left it. When the next dose alone is over the maximum, that is never, and the
 * time returned is when the last dose leaves the period, so the check still flags the dose then.
 */
function maximumAllowsAt(maximum: AsNeededMaximum, doses: readonly TimedAmount[], next: number): number {
  let remaining = doses.reduce((sum, dose) => sum + (dose.amount ?? 0), 0);
  const periodMs = maximum.periodHours * HOUR_MS;
  for (const dose of doses) {
    remaining -= dose.amount ?? 0;
    if (remaining + next <= maximum.max + EPSILON) return dose.atMs + periodMs;
  }
  return (doses.at(-1)?.atMs ?? 0) + periodMs;
}

/**
 * Returns what an as-needed order allows at `now`, given its doses given so far. `orderDose` is the
 * order's dose, which both stands for the next dose and for a recorded dose without an amount.
 * An amount maximum in a unit that the doses do not convert to gives a null total and is listed in
 * `unverifiable`, for which the check raises a problem: the nurse then counts the doses by hand.
 */
export function asNeededState(limits: AsNeededLimits, orderDose: { value: number; code: string } | undefined, given: readonly GivenDose[], now: Date): AsNeededState {
  const nowMs = now.getTime();
  const times = given.map((dose) => Date.parse(dose.at)).filter((atMs) => !Number.isNaN(atMs));
  const lastMs = times.length > 0 ? Math.max(...times) : null;
  let allowedAtMs = Number.NEGATIVE_INFINITY;

  let tooSoon = false;
  if (limits.minIntervalMinutes !== null && lastMs !== null) {
    const intervalEndMs = lastMs + limits.minIntervalMinutes * MINUTE_MS;
    tooSoon = nowMs < intervalEndMs;
    allowedAtMs = Math.max(allowedAtMs, intervalEndMs);
  }

  const totals: MaximumTotal[] = [];
  const exceeded: ExceededMaximum[] = [];
  const unverifiable: AsNeededMaximum[] = [];
  for (const maximum of limits.maxima) {
    const doses = dosesInPeriod(maximum, given, orderDose, nowMs);
    const known = doses.every((dose) => dose.amount !== null);
    const total = known ? doses.reduce((sum, dose) => sum + (dose.amount ?? 0), 0) : null;
    totals.push({ maximum, given: total });
    const next = amountOf(maximum, orderDose ?? null);
    if (total === null || next === null) {
      unverifiable.push(maximum);
      continue;
    }
    if (total + next <= maximum.max + EPSILON) continue;
    exceeded.push({ maximum, given: total, after: total + next });
    allowedAtMs = Math.max(allowedAtMs, maximumAllowsAt(maximum, doses, next));
  }

  return {
    lastGivenAt: lastMs === null ? null : new Date(lastMs).toISOString(),
    dosesInLast24Hours: times.filter((atMs) => atMs > nowMs - 24 * HOUR_MS).length,
    totals,
    tooSoon,
    exceeded,
    unverifiable,
    nextAllowedAt: allowedAtMs > nowMs ? new Date(allowedAtMs).toISOString() : null,
  };
}
