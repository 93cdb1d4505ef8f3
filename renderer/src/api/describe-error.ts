import type { ApiErrorBody } from '../../../preload/api/index.js';
import { t } from '../i18n/index.js';

/** Returns a failed call's message for the screen, in the catalog's wording for a lost connection. */
export function describeApiError(error: ApiErrorBody): string {
  return error.code === 'unavailable' ? t('error.unavailable') : error.message;
}
