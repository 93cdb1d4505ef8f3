import type { ApiErrorBody } from '../../../preload/api/index.js';
import { breakTheGlassInput } from '../../../preload/api/index.js';
import { t } from '../i18n/index.js';

/**
 * Checks the reason with the contract's own schema, so the message matches the core's.
 * Returns the message to show by the field, or null when the reason is acceptable.
 */
export function checkBreakTheGlassReason(reason: string): string | null {
  const parsed = breakTheGlassInput.shape.reason.safeParse(reason);
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? t('btg.reasonMissing'));
}

/** Describes why `patient.breakTheGlass` failed. For a rejected reason it returns the core's issue for that field. */
export function describeBreakTheGlassError(error: ApiErrorBody): string {
  switch (error.code) {
    case 'invalid-input': {
      const reasonIssue = error.issues?.find((issue) => issue.path === 'reason' || issue.path.endsWith('.reason'));
      return reasonIssue?.message ?? error.message;
    }
    case 'unavailable':
      return t('error.unavailable');
    default:
      return t('btg.failed', { message: error.message });
  }
}
