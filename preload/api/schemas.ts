import { z } from 'zod';

import { ROLES } from './roles.js';

/**
 * Data shapes that cross the renderer boundary. Inputs are validated by the core's gateway;
 * results are typed for the renderer. Field names follow FHIR where a FHIR element exists.
 */

const isoDateTime = z.iso.datetime({ offset: true });
const isoDate = z.iso.date();

/** FHIR logical id of a Patient (Patient.id), without the `Patient/` prefix. */
export const patientId = z
  .string()
  .min(1, 'patientId is empty')
  .max(64, 'patientId is longer than 64 characters')
  .regex(/^[A-Za-z0-9\-.]+$/, 'patientId may contain only letters, digits, "-" and "." (FHIR id)');

export const signInInput = z.object({
  username: z.string().trim().min(1, 'Enter your username').max(64),
  password: z.string().min(1, 'Enter your password').max(256),
});
export type SignInInput = z.infer<typeof signInInput>;

export const userSummary = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(z.enum(ROLES)),
});
export type UserSummary = z.infer<typeof userSummary>;

export const sessionInfo = z.object({
  user: userSummary,
  ward: z.object({ id: z.string(), name: z.string() }),
  workstationId: z.string(),
  signedInAt: isoDateTime,
  /** `offline`: signed in against the password verifier cached at an earlier online sign-in. */
  mode: z.enum(['online', 'offline']),
  /** Minutes without activity after which the workstation locks, as policy sets them. */
  lockAfterMinutes: z.number().int().positive(),
});
export type SessionInfo = z.infer<typeof sessionInfo>;

/**
 * The kind of Location this workstation is enrolled to, read from that Location in the replica.
 * `department`: a laboratory department (Location.type HLAB). `ward`: Location.physicalType `wa`.
 * Null while the replica does not have the Location yet, or when it is typed as neither.
 */
export const wardEnrolment = z.object({ kind: z.enum(['ward', 'department']).nullable() });
export type WardEnrolment = z.infer<typeof wardEnrolment>;

/** The workstation's session as the renderer sees it: who is signed in and whether it is locked. */
export const sessionState = z.object({
  session: sessionInfo.nullable(),
  /** While locked, the screen shows no patient data and only unlock or another sign-in is allowed. */
  locked: z.boolean(),
  /** When the workstation locks if no activity comes first; null without an unlocked session. */
  lockAt: isoDateTime.nullable(),
});
export type SessionState = z.infer<typeof sessionState>;

/** The answer to reported activity: the new time of the inactivity lock. */
export const activityResult = z.object({ lockAt: isoDateTime.nullable() });

export const unlockInput = z.object({
  password: z.string().min(1, 'Enter your password').max(256),
});

export const administrativeGender = z.enum(['male', 'female', 'other', 'unknown']);

/**
 * "No known allergies" and "not recorded" are different facts and are shown differently:
 * `none-known` needs a recorded statement, `unknown` means no statement was recorded.
 */
export const allergyStatus = z.enum(['allergies', 'none-known', 'unknown']);
export type AllergyStatus = z.infer<typeof allergyStatus>;

export const allergySummary = z.object({
  substance: z.string(),
  criticality: z.enum(['low', 'high', 'unable-to-assess']).nullable(),
  reactions: z.array(z.string()),
  generated: z.boolean(),
});
export type AllergySummary = z.infer<typeof allergySummary>;

export const news2ResponseLevel = z.enum(['zero', 'low', 'low-medium', 'medium', 'high']);
export const spo2Scale = z.union([z.literal(1), z.literal(2)]);

export const news2Summary = z.object({
  total: z.number().int(),
  responseLevel: news2ResponseLevel,
  singleParameterThree: z.boolean(),
  effectiveDateTime: isoDateTime,
});
export type News2Summary = z.infer<typeof news2Summary>;

export const wardPatientRow = z.object({
  patientId: z.string(),
  bed: z.string().nullable(),
  name: z.string(),
  birthDate: isoDate.nullable(),
  ageYears: z.number().int().nullable(),
  gender: administrativeGender,
  mrn: z.string().nullable(),
  allergyStatus,
  allergyCount: z.number().int(),
  /** The newest complete set's NEWS2; older than `latestVitals` when newer sets are incomplete. */
  latestNews2: news2Summary.nullable(),
  /**
   * The newest set of vitals, complete or not, so that a newer incomplete set, even one with a
   * sub-score of 3, is never hidden behind an older complete score.
   */
  latestVitals: z
    .object({
      effectiveDateTime: isoDateTime,
      complete: z.boolean(),
      singleParameterThree: z.boolean(),
    })
    .nullable(),
});
export type WardPatientRow = z.infer<typeof wardPatientRow>;

export const spo2ScaleDecision = z.object({
  scale: spo2Scale,
  /** Display name of the clinician who set scale 2; null for the default scale 1. */
  decidedBy: z.string().nullable(),
  decidedAt: isoDateTime.nullable(),
});
export type SpO2ScaleDecision = z.infer<typeof spo2ScaleDecision>;

export const patientChart = z.object({
  patientId: z.string(),
  name: z.string(),
  mrn: z.string().nullable(),
  birthDate: isoDate.nullable(),
  ageYears: z.number().int().nullable(),
  gender: administrativeGender,
  bed: z.string().nullable(),
  wardName: z.string().nullable(),
  allergyStatus,
  allergies: z.array(allergySummary),
  spo2Scale: spo2ScaleDecision,
  /**
   * `ward`: a patient of this workstation's ward. `emergency`: a patient outside it, opened by
   * breaking the glass; read-only and audited as emergency access.
   */
  access: z.enum(['ward', 'emergency']),
  /** For emergency access: the reason given and when the glass was broken; null for the ward's patients. */
  emergencyAccess: z.object({ reason: z.string(), openedAt: isoDateTime, openedBy: z.string() }).nullable(),
});
export type PatientChart = z.infer<typeof patientChart>;

export const patientSearchInput = z.object({
  /** MRN, or any part of the name in any order; accents and case do not matter. */
  query: z.string().trim().min(2, 'Enter at least 2 characters of a name or an MRN').max(100),
});

export const patientSearchResult = z.object({
  patientId: z.string(),
  name: z.string(),
  mrn: z.string().nullable(),
  birthDate: isoDate.nullable(),
  ageYears: z.number().int().nullable(),
  gender: administrativeGender,
  wardName: z.string().nullable(),
  bed: z.string().nullable(),
  /** False for a patient of another ward: opening their chart means breaking the glass. */
  inScope: z.boolean(),
});
export type PatientSearchResult = z.infer<typeof patientSearchResult>;

export const BREAK_THE_GLASS_REASON_MIN_LENGTH = 10;

export const breakTheGlassInput = z.object({
  patientId,
  /** The clinical reason for emergency access, recorded in the audit trail and reported to the server. */
  reason: z
    .string()
    .trim()
    .min(BREAK_THE_GLASS_REASON_MIN_LENGTH, `Give the clinical reason for emergency access, at least ${BREAK_THE_GLASS_REASON_MIN_LENGTH} characters`)
    .max(500),
});

/**
 * One set of bedside observations as a nurse enters it. Every parameter is optional so that a
 * partial set can be charted; the ranges reject typing slips, not unusual patients.
 */
export const vitalSignsInput = z
  .object({
    respiratoryRate: z.number().int('Respiratory rate must be a whole number').min(0).max(80).optional(),
    spo2: z.number().int('SpO2 must be a whole number').min(40).max(100).optional(),
    onOxygen: z.boolean().optional(),
    systolicBloodPressure: z.number().int('Systolic blood pressure must be a whole number').min(30).max(300).optional(),
    pulse: z.number().int('Pulse must be a whole number').min(0).max(300).optional(),
    consciousness: z.enum(['A', 'C', 'V', 'P', 'U']).optional(),
    temperature: z
      .number()
      .min(25)
      .max(45)
      .refine((celsius) => Math.abs(celsius * 10 - Math.round(celsius * 10)) < 1e-9, 'Temperature has at most one decimal place, as charted')
      .optional(),
  })
  .strict()
  .refine((set) => Object.values(set).some((value) => value !== undefined), {
    message: 'Enter at least one observation',
  });
export type VitalSignsInput = z.infer<typeof vitalSignsInput>;

export const recordVitalsInput = z.object({
  patientId,
  /**
   * Client-chosen id of this set (a UUID), kept for every retry of one save. A retry after a lost
   * response then returns the stored set instead of charting it twice.
   */
  observationId: z.uuid('observationId must be a UUID').optional(),
  observations: vitalSignsInput,
  /** When the observations were taken; defaults to now. Must not lie in the future. */
  effectiveDateTime: isoDateTime.optional(),
});
export type RecordVitalsInput = z.infer<typeof recordVitalsInput>;

export const news2Score = z.object({
  subScores: z.record(z.string(), z.number().int()),
  total: z.number().int().nullable(),
  complete: z.boolean(),
  missing: z.array(z.string()),
  singleParameterThree: z.boolean(),
  responseLevel: news2ResponseLevel.nullable(),
  scale: spo2Scale,
});

/**
 * Where one record stands with the central server: `pending` written here and not yet confirmed,
 * `synced` confirmed (or received from the server), `conflict` the server kept another version
 * and a person must review it, `rejected` refused by the server for good and kept here.
 */
export const recordSyncState = z.enum(['pending', 'synced', 'conflict', 'rejected']);
export type RecordSyncState = z.infer<typeof recordSyncState>;

export const vitalSignsSet = z.object({
  /** Observation.id of the vital signs panel. */
  id: z.string(),
  patientId: z.string(),
  effectiveDateTime: isoDateTime,
  recordedBy: z.string(),
  observations: z.object({
    respiratoryRate: z.number().optional(),
    spo2: z.number().optional(),
    onOxygen: z.boolean().optional(),
    systolicBloodPressure: z.number().optional(),
    pulse: z.number().optional(),
    consciousness: z.enum(['A', 'C', 'V', 'P', 'U']).optional(),
    temperature: z.number().optional(),
  }),
  news2: news2Score,
  /** True for observations generated by the demo seed rather than charted by a person. */
  generated: z.boolean(),
  syncState: recordSyncState,
});
export type VitalSignsSet = z.infer<typeof vitalSignsSet>;

export const setSpO2ScaleInput = z.object({
  patientId,
  scale: spo2Scale,
});

/** `sign-in-needed`: the server ended the sync sign-in; changes wait here until a user signs in online. */
export const syncState = z.enum(['online', 'syncing', 'offline', 'stopped', 'sign-in-needed']);
export type SyncState = z.infer<typeof syncState>;

export const syncStatus = z.object({
  state: syncState,
  /** Local writes that the server has not yet confirmed. */
  pendingChanges: z.number().int(),
  /** When the oldest of them was written; null when none is pending. */
  oldestPendingAt: isoDateTime.nullable(),
  /** Local writes the server refused for good; they stay on this workstation for review. */
  rejectedChanges: z.number().int(),
  /** Conflicts where the server's version replaced local content, waiting for a person. */
  openConflicts: z.number().int(),
  /** Whether changes made elsewhere arrive as they happen: the live stream is up and caught up. */
  liveUpdates: z.object({ flowing: z.boolean(), interruptedSince: isoDateTime.nullable() }),
  /** Progress of the first download into an empty replica; null when none is running. */
  initialSync: z.object({ received: z.number().int(), total: z.number().int().nullable() }).nullable(),
  lastSuccessfulSyncAt: isoDateTime.nullable(),
  /** Reason the last attempt failed, for the operator. It never contains patient data. */
  lastError: z.string().nullable(),
});
export type SyncStatus = z.infer<typeof syncStatus>;

export const replicaChanged = z.object({
  /** FHIR resource types whose documents changed in the replica. */
  resourceTypes: z.array(z.string()),
});

export const empty = z.object({}).strict();
