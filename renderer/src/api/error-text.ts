import type { ApiErrorBody, CallDefinition, Role } from '../../../preload/api/index.js';
import { formatRoles } from '../format/patient.js';
import { formatList } from '../format/text.js';
import type { ConnectionState } from '../host/connection.js';
import type { PlainMessageKey } from '../i18n/index.js';
import { t } from '../i18n/index.js';
import { mayCall, rolesAllowed } from './call-access.js';

/** An error as a nurse reads it: plain words, with the original message kept for IT. */
export interface PlainError {
  text: string;
  /** The original message when `text` replaces it, for a quieter "Details for IT" line; else null. */
  detail: string | null;
}

/**
 * Marks of a message written for logs rather than for people: error codes such as ECONNREFUSED or
 * UND_ERR_SOCKET, HTTP status codes, API channels such as `ward:listPatients`, URLs, error ids
 * and JSON.
 */
const TECHNICAL_PATTERNS: readonly RegExp[] = [
  /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/,
  /\bE[A-Z]{4,}\b/,
  /\bHTTP \d{3}\b/,
  /\b[a-z]+:[a-z][A-Za-z]*\b/,
  /\bhttps?:\/\//,
  /\berror id\b/i,
  /[{}[\]]/,
];

/** Returns whether `message` contains error codes, channels or other text meant for IT. */
export function looksTechnical(message: string): boolean {
  return TECHNICAL_PATTERNS.some((pattern) => pattern.test(message));
}

/** Keeps a plain message as it is and replaces a technical or empty one with `fallback`. */
function plainOr(message: string, fallback: string): PlainError {
  const trimmed = message.trim();
  if (trimmed === '') return { text: fallback, detail: null };
  return looksTechnical(trimmed) ? { text: fallback, detail: trimmed } : { text: trimmed, detail: null };
}

function replaced(text: string, message: string): PlainError {
  const trimmed = message.trim();
  return { text, detail: trimmed === '' || trimmed === text ? null : trimmed };
}

/**
 * Describes a failed call in plain words. For `unavailable` while the page is not connected, the
 * text names the lost connection to the workstation. Other codes keep the core's message when it
 * is plain, and otherwise use a general text with the message as the detail.
 */
export function describeCallError(error: ApiErrorBody, connection: ConnectionState): PlainError {
  switch (error.code) {
    case 'unavailable':
      if (connection !== 'connected') return replaced(t('error.notConnected'), error.message);
      return plainOr(error.message, t('error.unavailable'));
    case 'internal':
      return replaced(t('error.internal'), error.message);
    case 'unknown-channel':
      return replaced(t('error.unknownChannel'), error.message);
    case 'forbidden':
      return plainOr(error.message, t('error.forbidden'));
    default:
      return plainOr(error.message, t('error.other'));
  }
}

/**
 * Explains that the user's roles may not make a call and names the roles that may. Returns null
 * when the contract allows the call for one of `roles`. `subject` starts the sentence, as in
 * "The ward list".
 */
export function describeForbiddenRole(subject: string, definition: CallDefinition, roles: readonly Role[]): string | null {
  const allowed = rolesAllowed(definition);
  if (allowed === null || mayCall(definition, roles)) return null;
  return t('error.forbiddenRoles', {
    subject,
    allowed: formatList(allowed.map((role) => formatRoles([role]))),
    roles: roles.length === 0 ? t('role.none') : formatList(roles.map((role) => formatRoles([role]))),
  });
}

/**
 * Sync failures the core reports in `SyncStatus.lastError`, in the order they are tried. The
 * patterns match the messages of sync/client (server-client.ts and replication.ts).
 */
const SYNC_REASONS: readonly { pattern: RegExp; key: PlainMessageKey }[] = [
  { pattern: /rejected the sync token/i, key: 'sync.error.signIn' },
  { pattern: /breaks the sync protocol|not JSON/i, key: 'sync.error.reply' },
  // Statuses 502, 503 and 504 arrive as "is unavailable (HTTP 503)": a proxy replied because the server did not.
  {
    pattern: /unreachable|is unavailable|ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|UND_ERR_[A-Z_]+|fetch failed|timed out/i,
    key: 'sync.error.unreachable',
  },
  { pattern: /failed with HTTP \d{3}/, key: 'sync.error.serverFailed' },
];

/** Describes the last sync failure in plain words, keeping the core's message as the detail. */
export function describeSyncError(lastError: string): PlainError {
  const known = SYNC_REASONS.find(({ pattern }) => pattern.test(lastError));
  if (known !== undefined) return replaced(t(known.key), lastError);
  return plainOr(lastError, t('sync.error.other'));
}

/** Returns whether the same call may succeed later, which is not the case for `forbidden`, `unknown-channel` and `invalid-input`. */
export function isWorthRetrying(code: ApiErrorBody['code']): boolean {
  return code !== 'forbidden' && code !== 'unknown-channel' && code !== 'invalid-input';
}
