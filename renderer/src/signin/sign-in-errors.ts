import type { ApiErrorBody } from '../../../preload/api/index.js';
import type { PlainError } from '../api/error-text.js';
import { describeCallError } from '../api/error-text.js';
import type { SignInNotice } from '../app/app-state.js';
import type { ConnectionState } from '../host/connection.js';
import { t } from '../i18n/index.js';

/**
 * Describes in plain words why sign-in failed. For `unauthenticated` the core's message is shown
 * as it is, because only the core can tell the cases apart. They are a wrong password, a user who
 * never signed in online at this workstation, an expired offline period, a lockout after failed
 * attempts and a disabled account.
 */
export function describeSignInError(error: ApiErrorBody, connection: ConnectionState = 'connected'): PlainError {
  switch (error.code) {
    case 'unauthenticated':
      return { text: error.message.trim() === '' ? t('signin.error.credentials') : error.message, detail: null };
    case 'unavailable':
      return withDetail(connection === 'connected' ? t('signin.error.unavailable') : t('signin.error.notConnected'), error.message);
    case 'forbidden':
      return withDetail(t('signin.error.forbidden'), error.message);
    case 'invalid-input':
      return describeIssues(error) ?? other('signin.error.other', error, connection);
    default:
      return other('signin.error.other', error, connection);
  }
}

/** Describes why unlocking failed; a wrong password or a lockout comes as the core's message. */
export function describeUnlockError(error: ApiErrorBody, connection: ConnectionState = 'connected'): PlainError {
  switch (error.code) {
    case 'unavailable':
      return withDetail(connection === 'connected' ? t('error.unavailable') : t('error.notConnected'), error.message);
    case 'invalid-input':
      return describeIssues(error) ?? other('lock.error.other', error, connection);
    case 'unauthenticated':
      return { text: error.message.trim() === '' ? t('lock.error.password') : error.message, detail: null };
    default:
      return other('lock.error.other', error, connection);
  }
}

function withDetail(text: string, message: string): PlainError {
  return { text, detail: message.trim() === '' ? null : message };
}

function other(key: 'signin.error.other' | 'lock.error.other', error: ApiErrorBody, connection: ConnectionState): PlainError {
  const reason = describeCallError(error, connection);
  return { text: t(key, { message: reason.text }), detail: reason.detail };
}

function describeIssues(error: ApiErrorBody): PlainError | null {
  const messages = error.issues?.map((issue) => issue.message) ?? [];
  return messages.length > 0 ? { text: messages.join(' '), detail: null } : null;
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
