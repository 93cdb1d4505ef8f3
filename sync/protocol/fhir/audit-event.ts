import type { FhirResource } from '../documents.js';

/**
 * FHIR R4 AuditEvents as the workstation writes them: who (user and workstation), which patients,
 * what (the API call, or a sign-in, sign-out, lock or unlock), when, and with what outcome. They
 * carry ids and codes only; a patient's name, MRN or clinical values never go into an AuditEvent.
 */

export const DICOM_SYSTEM = 'http://dicom.nema.org/resources/ontology/DCM';
export const API_CALL_SYSTEM = 'urn:hms:api-call';
export const SESSION_EVENT_SYSTEM = 'urn:hms:session-event';
const OBJECT_ROLE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/object-role';
const SOURCE_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/security-source-type';
const ACT_REASON_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const PARTICIPATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/extra-security-role-type';

/** AuditEvent.type: DICOM 110110 for patient record access, 110114 for sign-in and session events. */
export const PATIENT_RECORD_TYPE = { system: DICOM_SYSTEM, code: '110110', display: 'Patient Record' } as const;
export const USER_AUTHENTICATION_TYPE = { system: DICOM_SYSTEM, code: '110114', display: 'User Authentication' } as const;

export const SESSION_EVENTS = {
  signIn: { system: DICOM_SYSTEM, code: '110122', display: 'Login' },
  signOut: { system: DICOM_SYSTEM, code: '110123', display: 'Logout' },
  lock: { system: SESSION_EVENT_SYSTEM, code: 'lock', display: 'Workstation locked' },
  unlock: { system: SESSION_EVENT_SYSTEM, code: 'unlock', display: 'Workstation unlocked' },
} as const;
export type SessionEvent = keyof typeof SESSION_EVENTS;

/** Subtype of the removal of a patient's local copy after they left the workstation's ward. */
export const RETENTION_REMOVAL = { system: 'urn:hms:replica-event', code: 'retention-removal', display: 'Local copy removed' } as const;

/** Subtype of a medication dose recorded over a failed bedside barcode check. */
export const BCMA_OVERRIDE = { system: 'urn:hms:medication-event', code: 'bcma-override', display: 'Bedside medication check overridden' } as const;

/**
 * Subtypes of what became of the workstation's own pushes: a conflict settled by rule (or kept for
 * review), and a document the central server refused for good.
 */
export const SYNC_EVENTS = {
  conflict: { system: 'urn:hms:sync-event', code: 'push-conflict', display: 'Push conflict settled' },
  rejection: { system: 'urn:hms:sync-event', code: 'push-rejected', display: 'Push refused by the central server' },
} as const;

/** FHIR AuditEvent.action: Create, Read, Update, Delete, Execute. */
export type AuditAction = 'C' | 'R' | 'U' | 'D' | 'E';

/** FHIR AuditEvent.outcome: 0 success, 4 minor failure (refused or invalid), 8 serious failure. */
export type AuditOutcome = '0' | '4' | '8';

export const BREAK_THE_GLASS_PURPOSE = { system: ACT_REASON_SYSTEM, code: 'BTG', display: 'break the glass' } as const;

export interface AuditEventInput {
  id: string;
  recorded: string;
  type: { system: string; code: string; display: string };
  subtype: { system: string; code: string; display?: string };
  action: AuditAction;
  outcome: AuditOutcome;
  /** Why the action failed, as an error code and message free of patient data. */
  outcomeDescription?: string;
  /** The signed-in user, or for a failed sign-in the username that was tried. */
  user: { id: string | null; name: string };
  workstationId: string;
  patientIds: readonly string[];
  /** Set for emergency access: the reason the user gave. */
  breakTheGlassReason?: string;
}

export function buildAuditEvent(input: AuditEventInput): FhirResource {
  const resource: FhirResource = {
    resourceType: 'AuditEvent',
    id: input.id,
    type: { ...input.type },
    subtype: [{ ...input.subtype }],
    action: input.action,
    recorded: input.recorded,
    outcome: input.outcome,
    agent: [
      {
        type: { coding: [{ system: PARTICIPATION_SYSTEM, code: 'humanuser', display: 'human user' }] },
        who: input.user.id ? { reference: `Practitioner/${input.user.id}`, display: input.user.name } : { display: input.user.name },
        requestor: true,
      },
      {
        type: { coding: [{ system: PARTICIPATION_SYSTEM, code: 'dataprocessor', display: 'data processor' }] },
        who: { reference: `Device/${input.workstationId}`, display: input.workstationId },
        requestor: false,
      },
    ],
    source: {
      observer: { reference: `Device/${input.workstationId}`, display: input.workstationId },
      type: [{ system: SOURCE_TYPE_SYSTEM, code: '1', display: 'User Device' }],
    },
  };
  if (input.outcomeDescription) resource.outcomeDesc = input.outcomeDescription;
  if (input.patientIds.length > 0) {
    resource.entity = input.patientIds.map((patientId) => ({
      what: { reference: `Patient/${patientId}` },
      role: { system: OBJECT_ROLE_SYSTEM, code: '1', display: 'Patient' },
    }));
  }
  if (input.breakTheGlassReason) {
    resource.purposeOfEvent = [{ coding: [{ ...BREAK_THE_GLASS_PURPOSE }], text: input.breakTheGlassReason }];
  }
  return resource;
}

/** True for an AuditEvent that records emergency access. */
export function isBreakTheGlass(resource: FhirResource): boolean {
  const purposes = (resource.purposeOfEvent as { coding?: { system?: string; code?: string }[] }[] | undefined) ?? [];
  return purposes.some((purpose) => (purpose.coding ?? []).some((coding) => coding.system === ACT_REASON_SYSTEM && coding.code === 'BTG'));
}
