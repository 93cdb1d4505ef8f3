import { z } from 'zod';

/**
 * Data of the "Needs attention" screen: push conflicts where the central server kept
 * another version of a local change, and local changes the server refused for good.
 */

const isoDateTime = z.iso.datetime({ offset: true });

/** The replica collections a workstation pushes: editable records and append-only entries. */
export const pushedCollection = z.enum(['records', 'entries']);
export type PushedCollection = z.infer<typeof pushedCollection>;

/** Rules of sync/protocol/conflict-rules.ts, as docs/sync-conflicts.md describes them. */
export const conflictRule = z.enum(['identical', 'field-merge', 'server-owned', 'server-deletion', 'append-only']);
export type ConflictRule = z.infer<typeof conflictRule>;

/**
 * `acknowledge`: seen, the server's version is kept. `keep-server`: decided for the server's
 * version. `keep-mine`: write the local values again over the server's current version.
 */
export const conflictDecision = z.enum(['acknowledge', 'keep-server', 'keep-mine']);
export type ConflictDecision = z.infer<typeof conflictDecision>;

/** One FHIR element the two versions hold differently, each side as readable text (null when absent). */
export const conflictElement = z.object({
  /** Top-level FHIR element, such as `telecom`; `_deleted` when one side deleted the record. */
  element: z.string(),
  local: z.string().nullable(),
  server: z.string().nullable(),
});
export type ConflictElement = z.infer<typeof conflictElement>;

export const syncConflict = z.object({
  id: z.number().int(),
  collection: z.string(),
  documentId: z.string(),
  resourceType: z.string(),
  /** Null when the document names no patient. */
  patientId: z.string().nullable(),
  /** Display name and MRN from this workstation's replica; null once the patient's copy is gone. */
  patientName: z.string().nullable(),
  mrn: z.string().nullable(),
  rule: conflictRule,
  outcome: z.enum(['merged', 'server-kept', 'needs-review']),
  /** The elements the rule could not merge, or for a rule that keeps the server's copy every differing element. */
  elements: z.array(conflictElement),
  detectedAt: isoDateTime,
  status: z.enum(['open', 'merged', 'acknowledged', 'resolved']),
  closedAt: isoDateTime.nullable(),
  decision: z.enum(['local', 'server']).nullable(),
  /** False where the rule gives the server the last word: Encounters, deletions and entries. */
  canKeepMine: z.boolean(),
  /** Who wrote the central server's version, on which workstation and when; null where the server did not say. */
  serverAuthor: z
    .object({ userName: z.string().nullable(), workstationId: z.string().nullable(), writtenAt: isoDateTime.nullable() })
    .nullable(),
  /** The user whose sign-in sent the local version, and this workstation. */
  localAuthor: z.object({ userId: z.string().nullable(), workstationId: z.string().nullable() }),
});
export type SyncConflict = z.infer<typeof syncConflict>;

export const listConflictsInput = z.object({
  /** Also list conflicts already merged, acknowledged or resolved, after the open ones. */
  includeClosed: z.boolean().optional(),
  limit: z.number().int().min(1).max(200).optional(),
});

export const resolveConflictInput = z.object({
  id: z.number().int().positive(),
  decision: conflictDecision,
});

/** Kind of a refused document, so that the screen can name it without reading FHIR. */
export const changeKind = z.enum(['vital-signs', 'spo2-scale', 'patient', 'allergy', 'encounter', 'audit-event', 'other']);
export type ChangeKind = z.infer<typeof changeKind>;

export const rejectedChange = z.object({
  collection: pushedCollection,
  documentId: z.string(),
  resourceType: z.string(),
  kind: changeKind,
  patientId: z.string().nullable(),
  patientName: z.string().nullable(),
  mrn: z.string().nullable(),
  /** When an entry was taken; null for records. */
  effectiveAt: isoDateTime.nullable(),
  /** The central server's reason, as it sent it. */
  reason: z.string(),
  rejectedAt: isoDateTime,
});
export type RejectedChange = z.infer<typeof rejectedChange>;

export const resendRejectedInput = z.object({
  collection: pushedCollection,
  documentId: z.string().min(1).max(100),
});

export const resendResult = z.object({
  collection: pushedCollection,
  documentId: z.string(),
  patientId: z.string().nullable(),
  /**
   * `accepted`: the server stored it. `rejected`: refused again, with `reason`. `conflict`: the
   * server has another version, recorded as conflict `conflictId` for review.
   */
  outcome: z.enum(['accepted', 'rejected', 'conflict']),
  reason: z.string().nullable(),
  conflictId: z.number().int().nullable(),
});
export type ResendResult = z.infer<typeof resendResult>;
