import { z } from 'zod';

import { patientId, recordSyncState } from './schemas.js';
import { conflictRule } from './sync-review-schemas.js';

/**
 * The editable contact details of a patient: the phone number (Patient.telecom) and the next of
 * kin (Patient.contact). They are the first demographics a ward edits, so they are also where two
 * workstations can change the same record offline and meet in a conflict.
 */

const PHONE_MAX_LENGTH = 30;

/** A phone number as staff type it: digits with spaces, brackets, dots or dashes, and a leading "+". */
export const phoneNumber = z
  .string()
  .trim()
  .min(1, 'Enter a phone number')
  .max(PHONE_MAX_LENGTH, `A phone number has at most ${PHONE_MAX_LENGTH} characters`)
  // abort: a value that is not a phone number at all gets one message, not a second about its digits.
  .regex(/^\+?[\d\s().-]+$/, { message: 'A phone number contains only digits, spaces, brackets, dots, dashes and a leading "+"', abort: true })
  .refine((value) => (value.match(/\d/g) ?? []).length >= 3, 'A phone number has at least 3 digits');

export const nextOfKinInput = z
  .object({
    name: z.string().trim().min(1, 'Enter the name of the next of kin').max(100, 'The name has at most 100 characters'),
    /** Relation to the patient, such as "daughter", or empty when not given. */
    relationship: z.string().trim().max(50, 'The relationship has at most 50 characters'),
    phone: phoneNumber.nullable(),
  })
  .strict();
export type NextOfKinInput = z.infer<typeof nextOfKinInput>;

/** The whole contact block as the form sends it; null removes the phone number or the next of kin. */
export const updateContactInput = z.object({
  patientId,
  phone: phoneNumber.nullable(),
  nextOfKin: nextOfKinInput.nullable(),
});
export type UpdateContactInput = z.infer<typeof updateContactInput>;

export const nextOfKin = z.object({
  name: z.string(),
  relationship: z.string().nullable(),
  phone: z.string().nullable(),
});
export type NextOfKin = z.infer<typeof nextOfKin>;

export const patientContact = z.object({
  patientId: z.string(),
  phone: z.string().nullable(),
  nextOfKin: nextOfKin.nullable(),
  /** Sync state of the Patient record these details belong to. */
  syncState: recordSyncState,
  /** The newest open conflict about the Patient record, so that the chart can name what was not applied. */
  openConflict: z
    .object({
      id: z.number().int(),
      rule: conflictRule,
      /** FHIR elements of the Patient whose local value the server's replaced, such as `telecom`. */
      elements: z.array(z.string()),
      detectedAt: z.iso.datetime({ offset: true }),
    })
    .nullable(),
  /** False for a patient opened with emergency access: their own ward edits their record. */
  editable: z.boolean(),
});
export type PatientContact = z.infer<typeof patientContact>;
