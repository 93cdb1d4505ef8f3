import type { ApiErrorBody } from '../../../preload/api/index.js';
import type { PlainError } from '../api/error-text.js';
import { describeCallError } from '../api/error-text.js';
import type { ConnectionState } from '../host/connection.js';
import { t } from '../i18n/index.js';

/** The review queue actions a technician takes on one item. */
export type ReviewAction = 'match' | 'release' | 'reject';

/** The shortest rejection reason the contract accepts, in characters after trimming. */
export const REJECT_REASON_MIN_LENGTH = 3;

/** An empty accession field, caught before any call. */
export const ACCESSION_MISSING: ApiErrorBody = { code: 'invalid-input', message: '' };

/**
 * Explains a failed review action in a technician's words. An accession that matches no specimen
 * and an item someone else already decided get texts of their own. Other failures keep the plain
 * error text, with the technical message as the detail for IT.
 */
export function describeReviewError(action: ReviewAction, error: ApiErrorBody, accession: string, connection: ConnectionState): PlainError {
  if (error === ACCESSION_MISSING) return { text: t('lab.review.accessionMissing'), detail: null };
  if (action === 'match' && error.code === 'not-found') return { text: t('lab.review.matchNotFound', { accession: accession.trim() }), detail: error.message };
  if (error.code === 'conflict') return { text: t('lab.review.alreadyDecided'), detail: error.message };

  const plain = describeCallError(error, connection);
  switch (action) {
    case 'match':
      return { text: t('lab.review.failed.match', { message: plain.text }), detail: plain.detail };
    case 'release':
      return { text: t('lab.review.failed.release', { message: plain.text }), detail: plain.detail };
    case 'reject':
      return { text: t('lab.review.failed.reject', { message: plain.text }), detail: plain.detail };
  }
}
