import type { ApiErrorBody } from '../../../preload/api/index.js';
import { breakTheGlassInput } from '../../../preload/api/index.js';
import type { PlainError } from '../api/error-text.js';
import { describeCallError } from '../api/error-text.js';
import type { ConnectionState } from '../host/connection.js';
import { t } from '../i18n/index.js';

/**
 * Checks the reason with the contract's own schema, so the message matches the core's.
 * Returns the message to show by the field, or null when the reason is acceptable.
 */
export function checkBreakTheGlassReason(reason: string): string | null {
  const parsed = breakTheGlassInput.shape.reason.safeParse(reason);
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? t('btg.reasonMissing'));
}

/**
 * Describes why `patient.breakTheGlass` failed. For a rejected reason it returns the core's issue
 * for that field. The core's `unavailable` messages explain why emergency access needs the central
 * server, so they are kept when the page is connected.
 */
export function describeBreakTheGlassError(error: ApiErrorBody, connection: ConnectionState): PlainError {
  if (error.code === 'invalid-input') {
    const reasonIssue = error.issues?.find((issue) => issue.path === 'reason' || issue.path.endsWith('.reason'));
    if (reasonIssue !== undefined) return { text: reasonIssue.message, detail: null };
  }
  const reason = describeCallError(error, connection);
  return { text: t('btg.failed', { message: reason.text }), detail: reason.detail };
}
