import type { ApiErrorBody } from '../../../preload/api/index.js';
import { t } from '../i18n/index.js';

/**
 * Describes why observations were not saved. A lost connection may have happened after the core
 * stored the set; saving again is safe because the retry carries the same observation id.
 */
export function describeSaveError(error: ApiErrorBody, hasFieldIssues: boolean): string {
  const draftKeptNotice = t('vitals.draftKept');
  switch (error.code) {
    case 'invalid-input':
      return hasFieldIssues ? `${t('vitals.error.fixFields')} ${draftKeptNotice}` : `${t('vitals.error.invalid', { message: error.message })} ${draftKeptNotice}`;
    case 'unavailable':
      return `${t('vitals.error.unconfirmed')} ${draftKeptNotice}`;
    case 'forbidden':
      return t('vitals.error.forbidden');
    default:
      return `${t('vitals.error.other', { message: error.message })} ${draftKeptNotice}`;
  }
}
