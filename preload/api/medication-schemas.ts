import { z } from 'zod';

import { CHECK_PROBLEM_CODES } from './clinical/medication-check.js';
import { patientId, recordSyncState } from './schemas.js';

/**
 * Shapes of the medication calls: the patient's MAR (medication administration record) with its
 * scheduled doses and "as needed" orders, the bedside check of a scanned package and the recording
 * of a dose given or held.
 */

const isoDateTime = z.iso.datetime({ offset: true });

/** `due`: inside the time window now. `overdue`: its window has passed and nothing was recorded. */
export const marDoseState = z.enum(['upcoming', 'due', 'overdue', 'given', 'held']);
export type MarDoseState = z.infer<typeof marDoseState>;

export const marOrder = z.object({
  id: z.string(),
  drug: z.string(),
  gtin: z.string().nullable(),
  /** The ordered dose with its unit, such as "1 g". */
  dose: z.string(),
  route: z.string(),
  frequency: z.string(),
  /** MedicationRequest.status: `active`, `on-hold`, `stopped`, ... */
  status: z.string(),
  /** True for an "as needed" (PRN) order, which has no scheduled doses. */
  asNeeded: z.boolean(),
  /** The indication of an as-needed order (asNeededCodeableConcept), such as "pain or fever"; null when it gives none. */
  indication: z.string().nullable(),
});
export type MarOrder = z.infer<typeof marOrder>;

export const marAdministration = z.object({
  id: z.string(),
  effectiveDateTime: z.string(),
  performer: z.string(),
  lot: z.string().nullable(),
  expiry: z.string().nullable(),
  holdReason: z.string().nullable(),
  /** The reason an as-needed dose was given (reasonCode text); null for a scheduled dose. */
  reason: z.string().nullable(),
  /** True when the dose was given over a failed bedside check, with a reason on record. */
  overridden: z.boolean(),
  syncState: recordSyncState,
});
export type MarAdministration = z.infer<typeof marAdministration>;

export const marDose = z.object({
  orderId: z.string(),
  scheduledAt: isoDateTime,
  state: marDoseState,
  administration: marAdministration.nullable(),
});
export type MarDose = z.infer<typeof marDose>;

/** A maximum of an as-needed order over a rolling period, with what was given in the period up to now. */
export const marAsNeededMaximum = z.object({
  kind: z.enum(['doses', 'amount']),
  max: z.number().positive(),
  /** The amount's unit, such as "g"; empty for a count of doses. */
  unit: z.string(),
  periodHours: z.number().positive(),
  /** Doses or amount given in the period; null when a recorded dose does not convert to the unit. */
  given: z.number().nonnegative().nullable(),
});
export type MarAsNeededMaximum = z.infer<typeof marAsNeededMaximum>;

/** An active or on-hold "as needed" order on the MAR, with its limits and the doses given. */
export const marAsNeededOrder = z.object({
  orderId: z.string(),
  minIntervalMinutes: z.number().positive().nullable(),
  maxima: z.array(marAsNeededMaximum),
  dosesInLast24Hours: z.number().int().nonnegative(),
  lastGiven: marAdministration.nullable(),
  /** The earliest time of the next dose, or null when it may be given now. */
  nextAllowedAt: isoDateTime.nullable(),
  /** The doses given or recorded in the MAR's range, newest first. */
  administrations: z.array(marAdministration),
});
export type MarAsNeededOrder = z.infer<typeof marAsNeededOrder>;

export const marView = z.object({
  patientId: z.string(),
  /** The core's clock when the view was built; states are relative to it. */
  now: isoDateTime,
  windowMinutes: z.number().int().positive(),
  /** The time range of `doses`. */
  from: isoDateTime,
  to: isoDateTime,
  orders: z.array(marOrder),
  /** Doses in time order. */
  doses: z.array(marDose),
  asNeeded: z.array(marAsNeededOrder),
});
export type MarView = z.infer<typeof marView>;

/** A raw scan as the scanner sent it: the core parses it again with its own clock. */
const rawScan = z.string().min(1, 'The scan is empty').max(512, 'A scan has at most 512 characters');
/** The MRN the wristband scan gave, or null when the wristband was not scanned. */
const wristbandMrn = z.string().min(1).max(64).nullable();

export const medicationCheckInput = z.object({ patientId, wristbandMrn, scan: rawScan });
export type MedicationCheckInput = z.infer<typeof medicationCheckInput>;

export const checkProblem = z.object({
  code: z.enum(CHECK_PROBLEM_CODES),
  overridable: z.boolean(),
  details: z.record(z.string(), z.union([z.string(), z.number()])),
});
export type CheckProblemView = z.infer<typeof checkProblem>;

export const medicationCheckResult = z.object({
  outcome: z.enum(['pass', 'blocked']),
  problems: z.array(checkProblem),
  match: z
    .object({
      orderId: z.string(),
      drug: z.string(),
      /** Null for an as-needed order. */
      scheduledAt: isoDateTime.nullable(),
      minutesFromScheduled: z.number().int().nullable(),
      /** For an as-needed order: the last dose's time (null for none) and the next allowed time (null for now). */
      asNeeded: z.object({ lastGivenAt: isoDateTime.nullable(), nextAllowedAt: isoDateTime.nullable() }).nullable(),
      unitsPerDose: z.number().int().nullable(),
      unitName: z.string(),
    })
    .nullable(),
  overridable: z.boolean(),
  product: z.object({ gtin: z.string(), name: z.string(), lot: z.string().nullable(), expiry: z.string().nullable(), serial: z.string().nullable() }).nullable(),
  /** The order's dose and route, to show beside the match; null without a match. */
  order: marOrder.nullable(),
});
export type MedicationCheckView = z.infer<typeof medicationCheckResult>;

export const OVERRIDE_REASON_MIN_LENGTH = 10;

export const administerInput = z.object({
  patientId,
  wristbandMrn,
  scan: rawScan,
  /** The dose the check matched; the core checks again and refuses a different match. */
  orderId: z.string().min(1).max(64),
  /** The scheduled dose; absent for a dose of an as-needed order. */
  scheduledAt: isoDateTime.optional(),
  /** Required for a dose of an as-needed order: why it is given, such as the order's indication. */
  asNeededReason: z.string().trim().min(1, 'Give the reason for this as-needed dose').max(200).optional(),
  /** Chosen by the screen, so that a retried save stores the dose once. */
  administrationId: z.uuid().optional(),
  /** Required when the check failed on problems that may be overridden; recorded on the administration. */
  overrideReason: z
    .string()
    .trim()
    .min(OVERRIDE_REASON_MIN_LENGTH, `Give the reason for overriding the check, at least ${OVERRIDE_REASON_MIN_LENGTH} characters`)
    .max(500)
    .optional(),
});
export type AdministerInput = z.infer<typeof administerInput>;

export const holdReasonCode = z.enum(['patient-refused', 'nil-by-mouth', 'patient-away', 'clinical-decision']);
export type HoldReasonCode = z.infer<typeof holdReasonCode>;

export const holdDoseInput = z.object({
  patientId,
  orderId: z.string().min(1).max(64),
  scheduledAt: isoDateTime,
  reason: holdReasonCode,
  administrationId: z.uuid().optional(),
});
export type HoldDoseInput = z.infer<typeof holdDoseInput>;
