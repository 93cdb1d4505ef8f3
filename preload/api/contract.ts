import { z } from 'zod';

import { itCalls } from './it-calls.js';
import { scanCalls, scanEvents } from './scan-calls.js';
import { medicationCalls } from './medication-calls.js';
import type { Role } from './roles.js';
import { CHART_READERS, IMAGE_VIEWERS, LAB_STAFF, PATIENT_FINDERS, WARD_CLINICIANS } from './roles.js';
import {
  activityResult,
  breakTheGlassInput,
  empty,
  patientChart,
  patientId,
  patientSearchInput,
  patientSearchResult,
  recordVitalsInput,
  replicaChanged,
  sessionInfo,
  sessionState,
  setSpO2ScaleInput,
  signInInput,
  syncStatus,
  unlockInput,
  vitalSignsSet,
  wardEnrolment,
  wardPatientRow,
} from './schemas.js';
import { patientContact, updateContactInput } from './patient-contact-schemas.js';
import {
  labChanged,
  labConnection,
  labMatchInput,
  labMessageDetail,
  labMessageView,
  labRecentInput,
  labRejectInput,
  labReviewId,
  labReviewItem,
} from './lab-schemas.js';
import { labSpecimenInput, labSpecimenView } from './lab-specimen-schemas.js';
import {
  cacheStudyInput,
  getStudyInput,
  imagingPrefetchProgress,
  imagingStudy,
  listStudiesInput,
  studyCacheJob,
  studySeriesList,
} from './imaging-schemas.js';
import {
  listConflictsInput,
  rejectedChange,
  resendRejectedInput,
  resendResult,
  resolveConflictInput,
  syncConflict,
} from './sync-review-schemas.js';

/**
 * The API contract: every call the renderer may make and every event the core may push.
 * The core's gateway, the Electron preload and the browser client are all built from this one
 * table, so a call that is not declared here cannot be made.
 */

/**
 * Who may make a call: `public` needs no session (sign-in itself), `signed-in` any session,
 * otherwise the session must hold at least one of the listed roles.
 */
export type CallAccess = 'public' | 'signed-in' | readonly Role[];

export interface CallDefinition<Input extends z.ZodType = z.ZodType, Result extends z.ZodType = z.ZodType> {
  /** IPC channel, `area:verb`. */
  readonly channel: string;
  readonly input: Input;
  readonly result: Result;
  readonly access: CallAccess;
  /** True when the call reads or writes patient data (the audit trail records those). */
  readonly touchesPatientData: boolean;
  /** True for the few calls a locked workstation still accepts: unlock, another sign-in, status. */
  readonly allowedWhileLocked?: boolean;
}

export interface EventDefinition<Payload extends z.ZodType = z.ZodType> {
  readonly channel: string;
  readonly payload: Payload;
}

function call<Input extends z.ZodType, Result extends z.ZodType>(
  definition: CallDefinition<Input, Result>,
): CallDefinition<Input, Result> {
  return definition;
}

export const calls = {
  ...scanCalls,
  ...medicationCalls,
  ...itCalls,
  session: {
    signIn: call({
      channel: 'session:signIn',
      input: signInInput,
      result: sessionInfo,
      access: 'public',
      touchesPatientData: false,
      // Another user may sign in at a locked workstation; that ends the first user's session.
      allowedWhileLocked: true,
    }),
    signOut: call({
      channel: 'session:signOut',
      input: empty,
      result: z.null(),
      access: 'signed-in',
      touchesPatientData: false,
      allowedWhileLocked: true,
    }),
    current: call({
      channel: 'session:current',
      input: empty,
      result: sessionState,
      access: 'public',
      touchesPatientData: false,
      allowedWhileLocked: true,
    }),
    /** Whether the central server passes its health check now, for the sign-in screen. */
    serverReachable: call({
      channel: 'session:serverReachable',
      input: empty,
      result: z.object({ reachable: z.boolean() }),
      access: 'public',
      touchesPatientData: false,
      allowedWhileLocked: true,
    }),
    unlock: call({
      channel: 'session:unlock',
      input: unlockInput.strict(),
      result: sessionInfo,
      access: 'signed-in',
      touchesPatientData: false,
      allowedWhileLocked: true,
    }),
    /** Keyboard or pointer activity in the window; it restarts the inactivity period. */
    activity: call({
      channel: 'session:activity',
      input: empty,
      result: activityResult,
      access: 'signed-in',
      touchesPatientData: false,
      allowedWhileLocked: true,
    }),
  },
  ward: {
    listPatients: call({
      channel: 'ward:listPatients',
      input: empty,
      result: z.array(wardPatientRow),
      access: CHART_READERS,
      touchesPatientData: true,
    }),
    /** Whether the workstation is enrolled to a ward or a department, for the header's label. */
    enrolment: call({
      channel: 'ward:enrolment',
      input: empty,
      result: wardEnrolment,
      access: 'signed-in',
      touchesPatientData: false,
    }),
  },
  patient: {
    search: call({
      channel: 'patient:search',
      input: patientSearchInput.strict(),
      result: z.array(patientSearchResult),
      access: PATIENT_FINDERS,
      touchesPatientData: true,
    }),
    breakTheGlass: call({
      channel: 'patient:breakTheGlass',
      input: breakTheGlassInput.strict(),
      result: patientChart,
      access: WARD_CLINICIANS,
      touchesPatientData: true,
    }),
    getChart: call({
      channel: 'patient:getChart',
      input: z.object({ patientId }).strict(),
      result: patientChart,
      access: PATIENT_FINDERS,
      touchesPatientData: true,
    }),
    setSpO2Scale: call({
      channel: 'patient:setSpO2Scale',
      input: setSpO2ScaleInput.strict(),
      result: patientChart,
      // Scale 2 is a medical decision (confirmed hypercapnic respiratory failure).
      access: ['doctor'],
      touchesPatientData: true,
    }),
    /** Phone number and next of kin, with the Patient record's sync state. */
    getContact: call({
      channel: 'patient:getContact',
      input: z.object({ patientId }).strict(),
      result: patientContact,
      access: CHART_READERS,
      touchesPatientData: true,
    }),
    updateContact: call({
      channel: 'patient:updateContact',
      input: updateContactInput.strict(),
      result: patientContact,
      access: WARD_CLINICIANS,
      touchesPatientData: true,
    }),
  },
  vitals: {
    list: call({
      channel: 'vitals:list',
      input: z.object({ patientId, limit: z.number().int().min(1).max(500).optional() }).strict(),
      result: z.array(vitalSignsSet),
      access: CHART_READERS,
      touchesPatientData: true,
    }),
    record: call({
      channel: 'vitals:record',
      input: recordVitalsInput.strict(),
      result: vitalSignsSet,
      access: WARD_CLINICIANS,
      touchesPatientData: true,
    }),
  },
  sync: {
    status: call({
      channel: 'sync:status',
      input: empty,
      result: syncStatus,
      access: 'signed-in',
      touchesPatientData: false,
      allowedWhileLocked: true,
    }),
    /** Push conflicts kept on this workstation: open ones, newest first. */
    listConflicts: call({
      channel: 'sync:listConflicts',
      input: listConflictsInput.strict(),
      result: z.array(syncConflict),
      access: WARD_CLINICIANS,
      touchesPatientData: true,
    }),
    resolveConflict: call({
      channel: 'sync:resolveConflict',
      input: resolveConflictInput.strict(),
      result: syncConflict,
      access: WARD_CLINICIANS,
      touchesPatientData: true,
    }),
    /** Local changes the central server refused for good, oldest first. */
    listRejected: call({
      channel: 'sync:listRejected',
      input: empty,
      result: z.array(rejectedChange),
      access: WARD_CLINICIANS,
      touchesPatientData: true,
    }),
    /** Sends a refused change to the central server again; it needs the server to be reachable. */
    resendRejected: call({
      channel: 'sync:resendRejected',
      input: resendRejectedInput.strict(),
      result: resendResult,
      access: WARD_CLINICIANS,
      touchesPatientData: true,
    }),
  },
  lab: {
    /** Analyzer connections and their state; no patient data. */
    connections: call({
      channel: 'lab:connections',
      input: empty,
      result: z.array(labConnection),
      access: [...LAB_STAFF, 'it-administrator'],
      touchesPatientData: false,
    }),
    /** Messages received lately, newest first, with the results made from them. */
    recentMessages: call({
      channel: 'lab:recentMessages',
      input: labRecentInput.strict(),
      result: z.array(labMessageView),
      access: LAB_STAFF,
      touchesPatientData: true,
    }),
    /** An archived message with its raw text. */
    message: call({
      channel: 'lab:message',
      input: z.object({ messageId: z.string().min(1).max(100) }).strict(),
      result: labMessageDetail,
      access: LAB_STAFF,
      touchesPatientData: true,
    }),
    /** Result groups waiting for a technician, oldest first. */
    reviewQueue: call({
      channel: 'lab:reviewQueue',
      input: empty,
      result: z.array(labReviewItem),
      access: LAB_STAFF,
      touchesPatientData: true,
    }),
    /** Matches a waiting group to the specimen with this accession number. */
    matchReview: call({
      channel: 'lab:matchReview',
      input: labMatchInput.strict(),
      result: labReviewItem,
      access: LAB_STAFF,
      touchesPatientData: true,
    }),
    /** Stores a waiting group's results in the chart. */
    releaseReview: call({
      channel: 'lab:releaseReview',
      input: labReviewId.strict(),
      result: labReviewItem,
      access: LAB_STAFF,
      touchesPatientData: true,
    }),
    /** Keeps a waiting group's results out of the chart, with the reason on record. */
    rejectReview: call({
      channel: 'lab:rejectReview',
      input: labRejectInput.strict(),
      result: labReviewItem,
      access: LAB_STAFF,
      touchesPatientData: true,
    }),
    /** The Specimen with a label's accession number and its orders; null when none is on this workstation. */
    specimen: call({
      channel: 'lab:specimen',
      input: labSpecimenInput.strict(),
      result: labSpecimenView.nullable(),
      access: LAB_STAFF,
      touchesPatientData: true,
    }),
  },
  imaging: {
    /** The patient's studies on the PACS, newest first, with how much of each is cached. */
    listStudies: call({
      channel: 'imaging:listStudies',
      input: listStudiesInput.strict(),
      result: z.array(imagingStudy),
      access: IMAGE_VIEWERS,
      touchesPatientData: true,
    }),
    /** A study's series and instances, from the PACS or, when it is unreachable, from the cache. */
    getStudy: call({
      channel: 'imaging:getStudy',
      input: getStudyInput.strict(),
      result: studySeriesList,
      access: IMAGE_VIEWERS,
      touchesPatientData: true,
    }),
    /**
     * Starts downloading every instance of a study into the study cache and returns the job at
     * once. `imaging:cacheJob` events report its progress. A study being cached already returns
     * its job, without a second download.
     */
    cacheStudy: call({
      channel: 'imaging:cacheStudy',
      input: cacheStudyInput.strict(),
      result: studyCacheJob,
      access: IMAGE_VIEWERS,
      touchesPatientData: true,
    }),
    /** The last progress of the background prefetch; null before the first run. */
    prefetchStatus: call({
      channel: 'imaging:prefetchStatus',
      input: empty,
      result: imagingPrefetchProgress.nullable(),
      access: IMAGE_VIEWERS,
      touchesPatientData: false,
    }),
    /** The caching jobs queued or running, in start order. Only events report finished jobs. */
    cacheJobs: call({
      channel: 'imaging:cacheJobs',
      input: empty,
      result: z.array(studyCacheJob),
      access: IMAGE_VIEWERS,
      touchesPatientData: false,
    }),
  },
} as const;

export const events = {
  ...scanEvents,
  syncStatus: { channel: 'sync:statusChanged', payload: syncStatus },
  replicaChanged: { channel: 'replica:changed', payload: replicaChanged },
  sessionEnded: {
    channel: 'session:ended',
    payload: z.object({
      reason: z.enum(['signed-out', 'expired', 'replaced', 'disabled']),
      /** The user whose session ended, so a window can tell another user's end from its own. */
      userId: z.string().nullable(),
    }),
  },
  sessionLocked: { channel: 'session:locked', payload: z.object({ reason: z.enum(['inactivity']) }) },
  labChanged: { channel: 'lab:changed', payload: labChanged },
  imagingPrefetch: { channel: 'imaging:prefetch', payload: imagingPrefetchProgress },
  /** A caching job started, progressed or ended. */
  imagingCacheJob: { channel: 'imaging:cacheJob', payload: studyCacheJob },
} as const satisfies Record<string, EventDefinition>;

export type Calls = typeof calls;
export type Events = typeof events;
export type Area = keyof Calls;

/** Every call definition in one flat list, for the gateway and the transports. */
export function listCalls(): CallDefinition[] {
  return Object.values(calls).flatMap((area) => Object.values(area) as CallDefinition[]);
}

export function listEvents(): EventDefinition[] {
  return Object.values(events);
}

type CallInput<C> = C extends CallDefinition<infer I, z.ZodType> ? z.input<I> : never;
type CallResult<C> = C extends CallDefinition<z.ZodType, infer R> ? z.output<R> : never;
type EventPayload<E> = E extends EventDefinition<infer P> ? z.output<P> : never;

/**
 * `window.hms`: one named async function per call, grouped by area, and one `on…` subscription per
 * event that returns its unsubscribe function. Failed calls reject with `HmsApiError`.
 */
export type HmsApi = {
  readonly [A in Area]: {
    readonly [V in keyof Calls[A]]: (input: CallInput<Calls[A][V]>) => Promise<CallResult<Calls[A][V]>>;
  };
} & {
  readonly events: {
    readonly [E in keyof Events as `on${Capitalize<E & string>}`]: (
      listener: (payload: EventPayload<Events[E]>) => void,
    ) => () => void;
  };
};

export type CallResultOf<A extends Area, V extends keyof Calls[A]> = CallResult<Calls[A][V]>;
export type EventPayloadOf<E extends keyof Events> = EventPayload<Events[E]>;
