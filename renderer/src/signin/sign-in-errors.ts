import type { ApiErrorBody } from '../../../preload/api/index.js';
import type { SignInNotice } from '../app/app-state.js';
import { t } from '../i18n/index.js';

/**
 * Describes in plain words why sign-in failed. For `unauthenticated` the core's message is shown
 * as it is, because only the core can tell the cases apart. They are a wrong password, a user who
 * never signed in online at this workstation, an expired offline period, a lockout after failed
 * attempts and a disabled account.
 */
export function describeSignInError(error: ApiErrorBody): string {
  switch (error.code) {
    case 'unauthenticated':
      return error.message.trim() === '' ? t('signin.error.credentials') : error.message;
    case 'unavailable':
      return t('signin.error.unavailable');
    case 'forbidden':
      return t('signin.error.forbidden');
    case 'invalid-input':
      return describeIssues(error) ?? t('signin.error.other', { message: error.message });
    default:
      return t('signin.error.other', { message: error.message });
  }
}

/** Describes why unlocking failed; a wrong password or a lockout comes as the core's message. */
export function describeUnlockError(error: ApiErrorBody): string {
  switch (error.code) {
    case 'unavailable':
      return t('error.unavailable');
    case 'invalid-input':
      return describeIssues(error) ?? t('lock.error.other', { message: error.message });
    case 'unauthenticated':
      return error.message.trim() === '' ? t('lock.error.password') : error.message;
    default:
      return t('lock.error.other', { message: error.message });
  }
}

function describeIssues(error: ApiErrorBody): string | null {
  const messages = error.issues?.map((issue) => issue.message) ?? [];
  return messages.length > 0 ? messages.join(' ') : null;
}

/** Returns the text the sign-in screen shows after a session ended without a sign-out in this window. */
export function describeSignInNotice(notice: SignInNotice): string {
  switch (notice) {
    case 'expired':
      return t('signin.sessionExpired');
    case 'signed-out':
      return t('signin.sessionEnded');
    case 'replaced':
      return t('signin.sessionReplaced');
    case 'disabled':
      return t('signin.accountDisabled');
  }
}
