import { useEffect, useId, useRef, useState } from 'react';

import type { ApiErrorBody } from '../../../preload/api/index.js';
import type { LabReviewItem } from '../../../preload/api/lab-schemas.js';
import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { ErrorDetail } from '../api/ErrorNotice.js';
import { useSession } from '../app/SessionContext.js';
import { formatRelative, formatTimeOrDateTime } from '../format/datetime.js';
import { useConnectionState } from '../host/ConnectionContext.js';
import { t } from '../i18n/index.js';
import { describeReviewReason } from './lab-text.js';
import { MatchForm } from './MatchForm.js';
import { PatientOfGroup } from './PatientOfGroup.js';
import { RejectForm } from './RejectForm.js';
import type { ReviewAction } from './review-errors.js';
import { ACCESSION_MISSING, describeReviewError } from './review-errors.js';
import type { ReviewOutcome } from './review-outcome.js';
import { sentAccession } from './review-outcome.js';
import { ResultTable } from './ResultTable.js';

interface ReviewCardProps {
  item: LabReviewItem;
  analyzer: string;
  now: Date;
  onOutcome(outcome: ReviewOutcome): void;
  onOpenResult(item: LabReviewItem, resultIndex: number): void;
}

interface Failure {
  action: ReviewAction;
  error: ApiErrorBody;
  accession: string;
}

/**
 * Renders one result group waiting for a technician: why it waits, its results, the accession field to
 * match it to the tube in hand, and Release and Reject. Release needs a matched specimen, and
 * Reject needs a reason. After a match, focus moves to Release, the usual next step.
 */
export function ReviewCard({ item, analyzer, now, onOutcome, onOpenResult }: ReviewCardProps) {
  const api = useApi();
  const { handleCallError } = useSession();
  const connection = useConnectionState();
  const [matched, setMatched] = useState<LabReviewItem | null>(null);
  const [busy, setBusy] = useState<ReviewAction | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [rejecting, setRejecting] = useState(false);
  const [focusRelease, setFocusRelease] = useState(0);
  const releaseRef = useRef<HTMLButtonElement>(null);
  const rejectRef = useRef<HTMLButtonElement>(null);
  const headingId = useId();

  // The queue reloads after a match; until it has, the item the match returned is the current one.
  const shown = matched !== null && item.group.specimenId === null ? matched : item;
  const isMatched = shown.group.specimenId !== null;

  useEffect(() => {
    if (focusRelease > 0) releaseRef.current?.focus();
  }, [focusRelease]);

  async function run(action: ReviewAction, accession: string, call: () => Promise<LabReviewItem>): Promise<LabReviewItem | null> {
    setBusy(action);
    setFailure(null);
    try {
      return await call();
    } catch (caught) {
      const error = toApiError(caught);
      console.warn(`lab: ${action} of review item ${item.id} failed (${error.code})`);
      handleCallError(error);
      setFailure({ action, error, accession });
      return null;
    } finally {
      setBusy(null);
    }
  }

  async function match(typed: string): Promise<boolean> {
    const accession = typed.trim();
    if (accession === '') {
      setFailure({ action: 'match', error: ACCESSION_MISSING, accession });
      return false;
    }
    const result = await run('match', accession, () => api.lab.matchReview({ reviewId: item.id, accession }));
    if (result === null) return false;
    setMatched(result);
    onOutcome({ kind: 'matched', item: result, accession });
    setFocusRelease((count) => count + 1);
    return true;
  }

  async function release() {
    const result = await run('release', '', () => api.lab.releaseReview({ reviewId: item.id }));
    if (result !== null) onOutcome({ kind: 'released', item: result });
  }

  async function reject(reason: string) {
    const result = await run('reject', '', () => api.lab.rejectReview({ reviewId: item.id, reason }));
    if (result !== null) onOutcome({ kind: 'rejected', item: result });
  }

  function cancelReject() {
    setRejecting(false);
    rejectRef.current?.focus();
  }

  const describe = (shownFailure: Failure) => describeReviewError(shownFailure.action, shownFailure.error, shownFailure.accession, connection);
  const matchError = failure?.action === 'match' ? describe(failure) : null;
  const actionError = failure !== null && failure.action !== 'match' ? describe(failure) : null;

  return (
    <article className="review-card" aria-labelledby={headingId} data-testid="review-item" data-review-id={item.id} data-matched={isMatched ? 'true' : 'false'}>
      <header className="review-card__header">
        <h3 id={headingId} className="review-card__title">
          {t('lab.review.heading', { accession: sentAccession(item) })}
        </h3>
        <span className="muted">{t('lab.review.waitingSince', { analyzer, time: formatTimeOrDateTime(item.createdAt, now), ago: formatRelative(item.createdAt, now) })}</span>
      </header>

      <div className="review-card__reasons">
        <p className="lab-label">{t('lab.review.reasons')}</p>
        <ul data-testid="review-reasons">
          {item.reasons.map((code) => (
            <li key={code} data-reason={code}>
              {describeReviewReason(code)}
            </li>
          ))}
        </ul>
      </div>

      <div className="review-card__match-state" data-testid="review-match-state">
        {isMatched ? <PatientOfGroup group={shown.group} label={t('lab.review.matchedTo')} /> : <p className="lab-warning-text">{t('lab.review.notMatched')}</p>}
      </div>

      <ResultTable results={shown.group.results} caption={t('lab.group.caption', { accession: sentAccession(item) })} onOpenResult={(index) => onOpenResult(item, index)} />

      <MatchForm matched={isMatched} busy={busy === 'match'} error={matchError} onMatch={match} onEdit={() => failure?.action === 'match' && setFailure(null)} />

      <div className="review-card__actions">
        <button ref={releaseRef} type="button" className="button button--primary" data-testid="review-release" onClick={() => void release()} disabled={busy !== null || !isMatched}>
          {busy === 'release' ? t('lab.review.releasing') : t('lab.review.release')}
        </button>
        <button ref={rejectRef} type="button" className="button" data-testid="review-reject" onClick={() => setRejecting(true)} disabled={busy !== null}>
          {t('lab.review.reject')}
        </button>
        {!isMatched && <span className="field__hint">{t('lab.review.releaseNeedsMatch')}</span>}
      </div>

      {rejecting && <RejectForm busy={busy === 'reject'} onReject={(reason) => void reject(reason)} onCancel={cancelReject} />}

      {actionError !== null && (
        <div className="notice notice--error" role="alert" data-testid="review-action-error">
          <p>{actionError.text}</p>
          <ErrorDetail detail={actionError.detail} />
        </div>
      )}
    </article>
  );
}
