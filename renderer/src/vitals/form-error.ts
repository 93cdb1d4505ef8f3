import type { ApiErrorBody } from '../../../preload/api/index.js';
import type { PlainError } from '../api/error-text.js';
import { describeCallError, looksTechnical } from '../api/error-text.js';
import type { ConnectionState } from '../host/connection.js';
import { t } from '../i18n/index.js';

/**
 * The message under the vitals form's save button. `fields` and `empty` describe the form as it
 * is, so they go away once the form no longer has that problem. A failed save stays until the
 * next save, because it reports something that happened.
 */
export type FormError = { kind: 'fields' } | { kind: 'empty' } | { kind: 'save-failed'; error: PlainError };

/** Returns the form error to show now: null once the fields are corrected or something was entered. */
export function visibleFormError(error: FormError | null, form: { hasFieldErrors: boolean; isEmpty: boolean }): FormError | null {
  if (error === null) return null;
  switch (error.kind) {
    case 'fields':
      return form.hasFieldErrors ? error : null;
    case 'empty':
      return form.isEmpty ? error : null;
    case 'save-failed':
      return error;
  }
}

export function formErrorText(error: FormError): PlainError {
  switch (error.kind) {
    case 'fields':
      return { text: t('vitals.error.fixFields'), detail: null };
    case 'empty':
      return { text: t('vitals.error.empty'), detail: null };
    case 'save-failed':
      return error.error;
  }
}

/**
 * Describes why observations were not saved. Issues on fields become the `fields` error, which
 * points at the highlighted fields. A lost connection may have come after the core stored the
 * set, so the text states that saving again is safe, because the retry carries the same observation id.
 */
export function describeSaveError(error: ApiErrorBody, hasFieldIssues: boolean, connection: ConnectionState): FormError {
  const draftKept = t('vitals.draftKept');
  const failed = (text: string, detail: string | null): FormError => ({ kind: 'save-failed', error: { text, detail } });

  switch (error.code) {
    case 'invalid-input': {
      if (hasFieldIssues) return { kind: 'fields' };
      const issues = (error.issues ?? []).map((issue) => issue.message).join(' ');
      const reason = issues === '' ? describeCallError(error, connection) : { text: issues, detail: null };
      return failed(`${t('vitals.error.invalid', { message: reason.text })} ${draftKept}`, reason.detail);
    }
    case 'unavailable': {
      const text = connection === 'connected' ? t('vitals.error.unconfirmed') : t('vitals.error.notConnected');
      return failed(`${text} ${draftKept}`, error.message.trim() === '' ? null : error.message);
    }
    case 'forbidden': {
      // The core's own refusals, such as read-only emergency access, are written for the user.
      // The gateway's role check names channels and roles, so the catalog text replaces it.
      const message = error.message.trim();
      if (message !== '' && !looksTechnical(message)) return failed(message, null);
      return failed(t('vitals.error.forbidden'), message === '' ? null : message);
    }
    default: {
      const reason = describeCallError(error, connection);
      return failed(`${t('vitals.error.other', { message: reason.text })} ${draftKept}`, reason.detail);
    }
  }
}
