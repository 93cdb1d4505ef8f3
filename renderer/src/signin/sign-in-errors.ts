import type { ApiErrorBody } from '../../../preload/api/index.js';
import { t } from '../i18n/index.js';

/** Describes in plain words why sign-in failed. */
export function describeSignInError(error: ApiErrorBody): string {
  switch (error.code) {
    case 'unauthenticated':
      return t('signin.error.credentials');
    case 'unavailable':
      return t('signin.error.unavailable');
    case 'forbidden':
      return t('signin.error.forbidden');
    case 'invalid-input': {
      const messages = error.issues?.map((issue) => issue.message) ?? [];
      return messages.length > 0 ? messages.join(' ') : t('signin.error.other', { message: error.message });
    }
    default:
      return t('signin.error.other', { message: error.message });
  }
}
