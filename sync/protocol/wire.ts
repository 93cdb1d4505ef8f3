import { z } from 'zod';

import { ROLES } from '../../preload/api/roles.js';
import { COLLECTION_NAMES } from './collections.js';

/**
 * The HTTP sync protocol between a workstation and the reference central server. It follows RxDB's
 * replication model: a checkpointed pull, a push that carries each document's assumed master state
 * and returns the master state of every conflict, and an event stream that tells the client when
 * to pull again.
 *
 * Endpoints (all but sign-in and health need `Authorization: Bearer <token>`):
 * - `POST /auth/sign-in`                  body `SignInRequest`, returns `SignInResponse`
 * - `POST /auth/refresh`                  body `RefreshRequest`, returns `RefreshResponse`
 * - `GET  /sync/:collection/pull?checkpoint=<json>&limit=<n>[&total=1]`  returns `PullResponse`, or
 *   with `Accept: application/x-ndjson` the same page as lines (see `PULL_LINES_MEDIA_TYPE`)
 * - `POST /sync/:collection/push`         body `PushRequest`, returns `PushResponse`
 * - `GET  /sync/stream`                   server-sent events, see `StreamEvent`
 * - `GET  /health/`                       returns `{ status: 'ok' }` when the database answers
 */

export const collectionName = z.enum(COLLECTION_NAMES);

/**
 * Position in the server's change feed: the PostgreSQL transaction id (xid8, as a decimal string)
 * that last wrote the document, with the document id breaking ties inside one transaction.
 */
export const checkpoint = z.object({
  txid: z.string().regex(/^\d+$/, 'txid must be a decimal transaction id'),
  id: z.string(),
});
export type Checkpoint = z.infer<typeof checkpoint>;

/** A document as it travels: the replicated document plus RxDB's deletion flag. */
export const wireDocument = z
  .object({
    id: z.string().min(1).max(100),
    resourceType: z.string().min(1),
    resource: z.object({ resourceType: z.string(), id: z.string().optional() }).passthrough(),
    _deleted: z.boolean(),
  })
  .passthrough();
export type WireDocument = z.infer<typeof wireDocument>;

/** A document's summary in a pull page of summary lines: its fields without `resource`. */
export const wireSummary = wireDocument.omit({ resource: true });
export type WireSummary = z.infer<typeof wireSummary>;

/**
 * Tells whether `value` passes wireSummary, without the copy of the object that zod builds for a
 * passthrough schema. The initial load checks every pulled summary, 700,000 at full scale, and
 * runs wireSummary itself only on one that fails, for its message. The rules are wireDocument's.
 */
export function isWireSummary(value: unknown): value is WireSummary {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { id, resourceType, _deleted: deleted } = value as Record<string, unknown>;
  return typeof id === 'string' && id.length >= 1 && id.length <= 100 && typeof resourceType === 'string' && resourceType.length >= 1 && typeof deleted === 'boolean';
}

export const signInRequest = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
  /** Stable id of the workstation, recorded with every push. */
  workstationId: z.string().min(1).max(64),
  /** Location id of the ward this workstation is enrolled to: it decides which patients are served. */
  wardId: z.string().min(1).max(64),
});
export type SignInRequest = z.infer<typeof signInRequest>;

export const signInResponse = z.object({
  /** Access token for `Authorization: Bearer`; it lives minutes. */
  token: z.string(),
  expiresAt: z.iso.datetime({ offset: true }),
  /** Seconds the access token lives from now: a client times renewals with its own clock, whatever its offset. */
  expiresIn: z.number().int().positive(),
  /** Buys new access tokens at POST /auth/refresh until `refreshExpiresAt` (one shift). */
  refreshToken: z.string(),
  refreshExpiresAt: z.iso.datetime({ offset: true }),
  user: z.object({
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    roles: z.array(z.enum(ROLES)),
  }),
  ward: z.object({ id: z.string(), name: z.string() }),
});
export type SignInResponse = z.infer<typeof signInResponse>;

export const refreshRequest = z.object({ refreshToken: z.string().min(1).max(4096) });
export type RefreshRequest = z.infer<typeof refreshRequest>;

/** A new access token; the refresh token stays the same until it expires. */
export const refreshResponse = z.object({
  token: z.string(),
  expiresAt: z.iso.datetime({ offset: true }),
  expiresIn: z.number().int().positive(),
});
export type RefreshResponse = z.infer<typeof refreshResponse>;

export const pullResponse = z.object({
  documents: z.array(wireDocument),
  /** Null when the feed is empty; otherwise the position after the last returned document. */
  checkpoint: checkpoint.nullable(),
  /**
   * Sent only when the pull requests it with `total=1`: the number of documents of the feed after
   * the request's checkpoint, this response's documents included, counted below the same horizon
   * as this page. An initial sync shows "n of N" from it.
   */
  total: z.number().int().nonnegative().optional(),
});
export type PullResponse = z.infer<typeof pullResponse>;

/**
 * A pull page as newline-delimited JSON: a `PullLinesHeader` line, then one document per line.
 * The initial load requests it because each document's own JSON text then reaches the replica as
 * it came, while a JSON array had to be parsed whole and every document serialised again. The
 * header counts the lines that follow, so a cut body is an error, not a short page.
 */
export const PULL_LINES_MEDIA_TYPE = 'application/x-ndjson';

/**
 * The media type parameter with which the initial load requests summary lines, and the server
 * marks that it sent them: each document line is then the document's summary (`WireSummary`), a
 * tab and the document. The summary holds every field the replica indexes, so the workstation
 * stores the document's text and parses its `resource` only when something reads it. A server
 * without summaries ignores the parameter and sends plain lines, which the client still reads.
 */
export const PULL_LINES_SUMMARY_PARAMETER = 'summary=1';

export const pullLinesHeader = pullResponse.omit({ documents: true }).extend({
  /** How many document lines follow. */
  documents: z.number().int().nonnegative(),
});
export type PullLinesHeader = z.infer<typeof pullLinesHeader>;

export const pushRow = z.object({
  newDocumentState: wireDocument,
  assumedMasterState: wireDocument.optional(),
});
export type PushRow = z.infer<typeof pushRow>;

export const pushRequest = z.object({
  rows: z.array(pushRow).max(500, 'A push carries at most 500 documents; split the batch'),
});
export type PushRequest = z.infer<typeof pushRequest>;

/** A pushed document the server will never accept as sent, with the reason; the rest of the push stands. */
export const pushRejection = z.object({
  id: z.string(),
  /** The HTTP status the document alone would have got: 400 invalid, 403 not allowed. */
  status: z.number().int(),
  reason: z.string(),
});
export type PushRejection = z.infer<typeof pushRejection>;

/** Who wrote the server's state of a conflicting document, on which workstation and when. */
export const conflictAuthor = z.object({
  id: z.string(),
  userId: z.string().nullable(),
  userName: z.string().nullable(),
  workstationId: z.string().nullable(),
  writtenAt: z.string().nullable(),
});
export type ConflictAuthor = z.infer<typeof conflictAuthor>;

export const pushResponse = z.object({
  /** The server's current state of every document whose assumed master state was stale. */
  conflicts: z.array(wireDocument),
  /**
   * The author of each state in `conflicts`, kept apart so that the documents stay exactly as
   * stored; null fields for the seed. Absent from servers before authors were recorded.
   */
  conflictAuthors: z.array(conflictAuthor).default([]),
  /** Documents refused one by one; absent from servers that refuse the whole push instead. */
  rejected: z.array(pushRejection).default([]),
});
export type PushResponse = z.infer<typeof pushResponse>;

/**
 * Server-sent events on `/sync/stream`:
 * - `event: resync`, data `{"collections":[...]}`: documents changed; pull those collections from
 *   the last checkpoint. Sent on every (re)connect too, so a gap while disconnected is never silent.
 * - `event: heartbeat`, data `{"at":"<instant>"}`: sent every `HEARTBEAT_INTERVAL_MS` so the client
 *   can tell a dead stream from a quiet one.
 */
export const resyncEvent = z.object({ collections: z.array(collectionName) });
export const HEARTBEAT_INTERVAL_MS = 15_000;

/** Error body of every non-2xx response. */
export const errorResponse = z.object({
  error: z.string(),
  message: z.string(),
});

/**
 * Users and patients beyond the sync feed:
 * - `POST /auth/users/status` body `UserStatusRequest`, returns `UserStatusResponse`: whether the
 *   users whose passwords this workstation caches are still active, and their current roles.
 * - `GET /patients/search?q=<text>` returns `PatientSearchResponse`: patients of every ward by MRN
 *   or name, for the break-the-glass search.
 * - `POST /patients/:patientId/emergency-access` body `EmergencyAccessRequest`, returns
 *   `EmergencyAccessResponse`: a patient's records outside the token's ward, reported on the server.
 * - `GET /audit/emergency-access?since=<instant>` returns `EmergencyAccessReports` (IT administrators).
 *
 * A sign-in or a request with a token of a user disabled on the server gets HTTP 403 with
 * `{ "error": "user-disabled" }`, so the workstation can remove that user's cached password.
 */
export const USER_DISABLED_ERROR = 'user-disabled';

export const userStatusRequest = z.object({
  userIds: z.array(z.string().min(1).max(64)).max(200),
});
export type UserStatusRequest = z.infer<typeof userStatusRequest>;

export const userStatusResponse = z.object({
  users: z.array(
    z.object({
      id: z.string(),
      status: z.enum(['active', 'disabled', 'unknown']),
      /** Current roles and name of an active user; absent for disabled and unknown ones. */
      roles: z.array(z.enum(ROLES)).optional(),
      displayName: z.string().optional(),
    }),
  ),
});
export type UserStatusResponse = z.infer<typeof userStatusResponse>;

export const patientSearchResponse = z.object({
  results: z.array(
    z.object({
      /** The Patient document as the records collection stores it. */
      patient: wireDocument,
      wardId: z.string().nullable(),
      wardName: z.string().nullable(),
      bed: z.string().nullable(),
    }),
  ),
});
export type PatientSearchResponse = z.infer<typeof patientSearchResponse>;

export const emergencyAccessRequest = z.object({
  reason: z.string().trim().min(10).max(500),
  workstationId: z.string().min(1).max(64),
});
export type EmergencyAccessRequest = z.infer<typeof emergencyAccessRequest>;

export const emergencyAccessResponse = z.object({
  /** The patient's documents by collection: Patient, Encounter, AllergyIntolerance; Observations; Locations. */
  records: z.array(wireDocument),
  entries: z.array(wireDocument),
  reference: z.array(wireDocument),
});
export type EmergencyAccessResponse = z.infer<typeof emergencyAccessResponse>;

export const emergencyAccessReports = z.object({
  reports: z.array(
    z.object({
      id: z.string(),
      at: z.iso.datetime({ offset: true }),
      userId: z.string(),
      workstationId: z.string(),
      patientId: z.string(),
      reason: z.string(),
    }),
  ),
});
export type EmergencyAccessReports = z.infer<typeof emergencyAccessReports>;
