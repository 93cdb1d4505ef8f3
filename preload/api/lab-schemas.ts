import { z } from 'zod';

/**
 * Data of the lab screens: analyzer connections, the results they deliver, the review queue and
 * the archived raw messages.
 */

const isoDateTime = z.iso.datetime({ offset: true });

export const labConnectionState = z.enum(['closed', 'opening', 'open', 'reconnecting', 'failed']);

export const labConnection = z.object({
  /** The analyzer profile's id, which names the connection in logs. */
  id: z.string(),
  name: z.string(),
  protocol: z.enum(['astm', 'hl7']),
  /** Port path or host:port. */
  endpoint: z.string(),
  state: labConnectionState,
  /** Reason for the last state change, in words lab IT can act on. */
  reason: z.string(),
  messagesReceived: z.number().int().min(0),
  failures: z.number().int().min(0),
  lastMessageAt: isoDateTime.nullable(),
});
export type LabConnection = z.infer<typeof labConnection>;

/** Reason a result waits for a technician instead of reaching the chart. */
export const labReviewReason = z.string();

/** One analyzer result as the screens show it. */
export const labResultView = z.object({
  /** The analyzer's test code. */
  testCode: z.string(),
  /** LOINC display name, or the analyzer's name for an unmapped code. */
  display: z.string(),
  loinc: z.string().nullable(),
  /** The value as text, with its comparator ("<0.5"). */
  value: z.string(),
  unit: z.string().nullable(),
  referenceRange: z.string().nullable(),
  /** FHIR v3 ObservationInterpretation codes: H, L, HH, LL, A, … */
  interpretation: z.array(z.string()),
  /** FHIR Observation.status. */
  status: z.string(),
  /** Reasons this result alone needs review. */
  reviewReasons: z.array(labReviewReason),
});
export type LabResultView = z.infer<typeof labResultView>;

/** A technician's decision on a held group, shown with its message. */
export const labGroupReview = z.object({
  state: z.enum(['waiting', 'released', 'rejected']),
  decidedAt: isoDateTime.nullable(),
  /** User id of the technician, or `workstation` when the order arrived and released the group by itself. */
  decidedBy: z.string().nullable(),
  reason: z.string().nullable(),
});

/** The results of one specimen in one message: they become one DiagnosticReport. */
export const labResultGroupView = z.object({
  /** The group's DiagnosticReport id, stable across the message's views. */
  groupId: z.string().optional(),
  /** Set for a group that was held for review; null or absent for one stored at once. */
  review: labGroupReview.nullable().optional(),
  accession: z.string(),
  /** The matched Specimen as `Specimen/<id>`; null when none matched. */
  specimenId: z.string().nullable(),
  patientId: z.string().nullable(),
  /** Patient's display name and MRN, when the specimen matched a patient in the replica. */
  patientName: z.string().nullable(),
  mrn: z.string().nullable(),
  results: z.array(labResultView),
});
export type LabResultGroupView = z.infer<typeof labResultGroupView>;

export const labMessageOutcome = z.enum(['received', 'stored', 'review', 'no-results', 'rejected']);

/** One archived message and what became of it. */
export const labMessageView = z.object({
  id: z.string(),
  connectionId: z.string(),
  protocol: z.enum(['astm', 'hl7']),
  receivedAt: isoDateTime,
  outcome: labMessageOutcome,
  /** Set when the same bytes came before: the analyzer sent the message again. */
  repeatOf: z.string().nullable(),
  groups: z.array(labResultGroupView),
  error: z.string().nullable(),
});
export type LabMessageView = z.infer<typeof labMessageView>;

export const labMessageDetail = labMessageView.extend({
  /** The raw message, control characters shown as <STX>, <CR> and the like. */
  raw: z.string(),
  /** Replica documents made from the message. */
  documentIds: z.array(z.string()),
});
export type LabMessageDetail = z.infer<typeof labMessageDetail>;

export const labReviewItem = z.object({
  id: z.string(),
  messageId: z.string(),
  connectionId: z.string(),
  createdAt: isoDateTime,
  reasons: z.array(labReviewReason),
  group: labResultGroupView,
  state: z.enum(['waiting', 'released', 'rejected']),
  decidedAt: isoDateTime.nullable(),
  decidedBy: z.string().nullable(),
  decisionReason: z.string().nullable(),
  /** The accession a technician typed to match the group, when it differs from the one sent. */
  matchedAccession: z.string().nullable().optional(),
});
export type LabReviewItem = z.infer<typeof labReviewItem>;

export const labReviewId = z.object({ reviewId: z.string().min(1).max(100) });

export const labMatchInput = labReviewId.extend({
  /** The accession number on the specimen's label. */
  accession: z.string().trim().min(1).max(64),
});

export const labRejectInput = labReviewId.extend({
  reason: z.string().trim().min(3, { error: 'Give the reason for rejecting the result' }).max(500),
});

export const labRecentInput = z.object({ limit: z.number().int().min(1).max(500).optional() });

export const labChanged = z.object({
  /** The part that changed: a connection's state, a new message, or the review queue. */
  what: z.enum(['connections', 'messages', 'review']),
  waitingForReview: z.number().int().min(0),
});
export type LabChanged = z.infer<typeof labChanged>;
