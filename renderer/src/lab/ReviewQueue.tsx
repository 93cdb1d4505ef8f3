import { useEffect, useRef } from 'react';

import type { LabReviewItem } from '../../../preload/api/lab-schemas.js';
import { calls } from '../../../preload/api/index.js';
import { LoadFailedNotice } from '../api/ErrorNotice.js';
import type { Resource } from '../api/useApiResource.js';
import { resourceValue } from '../api/useApiResource.js';
import { t } from '../i18n/index.js';
import type { ReviewOutcome } from './review-outcome.js';
import { describeReviewOutcome } from './review-outcome.js';
import { ReviewCard } from './ReviewCard.js';

interface ReviewQueueProps {
  resource: Resource<LabReviewItem[]>;
  /** The confirmation of the last action, shown above the queue until the next one. */
  outcome: ReviewOutcome | null;
  analyzerName(connectionId: string): string;
  now: Date;
  onRetry(): void;
  onOutcome(outcome: ReviewOutcome): void;
  onOpenResult(item: LabReviewItem, resultIndex: number): void;
}

/**
 * Lists the result groups waiting for a technician, oldest first, as the core returns them. After
 * a release or a rejection the item leaves the list, so focus moves to the confirmation.
 */
export function ReviewQueue({ resource, outcome, analyzerName, now, onRetry, onOutcome, onOpenResult }: ReviewQueueProps) {
  const items = resourceValue(resource);
  const outcomeRef = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    if (outcome !== null && outcome.kind !== 'matched') outcomeRef.current?.focus();
  }, [outcome]);

  return (
    <section className="lab-section" aria-labelledby="lab-review-title" data-testid="lab-review">
      <h2 id="lab-review-title" className="section-title">
        {t('lab.review.title')}
        {items !== undefined && <span data-testid="lab-review-count"> ({items.length})</span>}
      </h2>
      <p className="muted lab-section__intro">{t('lab.review.intro')}</p>
      {outcome !== null && (
        <p
          ref={outcomeRef}
          tabIndex={-1}
          className={outcome.kind === 'rejected' ? 'notice notice--info lab-outcome-notice' : 'notice notice--success lab-outcome-notice'}
          role="status"
          data-testid="lab-outcome"
          data-kind={outcome.kind}
        >
          {describeReviewOutcome(outcome)}
        </p>
      )}
      {resource.status === 'loading' && <p className="muted">{t('lab.loading')}</p>}
      {resource.status === 'failed' && (
        <LoadFailedNotice
          error={resource.error}
          call={calls.lab.reviewQueue}
          subject={t('lab.review.subject')}
          describe={(reason) => t('lab.review.loadFailed', { message: reason })}
          onRetry={onRetry}
        />
      )}
      {items !== undefined && items.length === 0 && <p className="muted">{t('lab.review.empty')}</p>}
      {items?.map((item) => (
        <ReviewCard key={item.id} item={item} analyzer={analyzerName(item.connectionId)} now={now} onOutcome={onOutcome} onOpenResult={onOpenResult} />
      ))}
    </section>
  );
}
