import { useCallback, useRef, useState } from 'react';

import type { LabReviewItem } from '../../../preload/api/lab-schemas.js';
import { calls } from '../../../preload/api/index.js';
import { mayCall } from '../api/call-access.js';
import { resourceValue, useApiResource } from '../api/useApiResource.js';
import type { LabResultPosition } from '../app/app-state.js';
import { useSession } from '../app/SessionContext.js';
import { useFocusOnMount } from '../app/useFocusOnMount.js';
import { useNow } from '../app/useNow.js';
import { t } from '../i18n/index.js';
import { ConnectionList } from './ConnectionList.js';
import { MessageStream } from './MessageStream.js';
import type { ReviewOutcome } from './review-outcome.js';
import { ReviewQueue } from './ReviewQueue.js';
import { SpecimenLookup } from './SpecimenLookup.js';
import { useLabChanged } from './useLabChanged.js';

/** How many of the newest messages the stream shows. */
export const MESSAGE_LIMIT = 50;

interface LabBenchScreenProps {
  onOpenMessage(messageId: string, result: LabResultPosition | null): void;
}

/**
 * Renders the lab bench: the analyzer connections, the specimen label lookup, the review queue and
 * the messages as they arrive.
 * Everything reloads on `lab:changed`. IT staff, who may see the connections but no results,
 * get the connections only.
 */
export function LabBenchScreen({ onOpenMessage }: LabBenchScreenProps) {
  const { session } = useSession();
  const readsResults = mayCall(calls.lab.recentMessages, session.user.roles);
  const now = useNow();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [outcome, setOutcome] = useState<ReviewOutcome | null>(null);
  useFocusOnMount(headingRef);

  const connections = useApiResource('lab:connections', (api) => api.lab.connections({}));
  const messages = useApiResource('lab:messages', (api) => (readsResults ? api.lab.recentMessages({ limit: MESSAGE_LIMIT }) : Promise.resolve([])));
  const review = useApiResource('lab:review', (api) => (readsResults ? api.lab.reviewQueue({}) : Promise.resolve([])));
  const reloadConnections = connections.reload;
  const reloadMessages = messages.reload;
  const reloadReview = review.reload;

  // A held message reports a review change, not a message change, so both lists follow either.
  useLabChanged((change) => {
    reloadConnections();
    if (change?.what === 'connections') return;
    reloadMessages();
    reloadReview();
  });

  const connectionList = resourceValue(connections.resource);
  const analyzerName = useCallback(
    (connectionId: string) => connectionList?.find((connection) => connection.id === connectionId)?.name ?? connectionId,
    [connectionList],
  );

  const handleOutcome = useCallback(
    (next: ReviewOutcome) => {
      setOutcome(next);
      reloadReview();
      reloadMessages();
    },
    [reloadReview, reloadMessages],
  );

  const waiting = resourceValue(review.resource);
  const streamed = resourceValue(messages.resource);

  /** Opens a waiting result in its message, found by the message id and the accession as sent. */
  const openReviewResult = (item: LabReviewItem, result: number) => {
    const group = streamed?.find((message) => message.id === item.messageId)?.groups.findIndex((candidate) => candidate.accession === item.group.accession) ?? -1;
    onOpenMessage(item.messageId, group < 0 ? null : { group, result });
  };

  return (
    <main className="screen lab-bench" data-testid="lab-bench">
      <h1 ref={headingRef} tabIndex={-1} className="screen__title">
        {t('lab.title')}
      </h1>
      <ConnectionList resource={connections.resource} now={now} onRetry={reloadConnections} />
      {readsResults && <SpecimenLookup scanEnabled />}
      {readsResults && (
        <ReviewQueue
          resource={review.resource}
          outcome={outcome}
          analyzerName={analyzerName}
          now={now}
          onRetry={reloadReview}
          onOutcome={handleOutcome}
          onOpenResult={openReviewResult}
        />
      )}
      {readsResults && (
        <MessageStream
          resource={messages.resource}
          waiting={review.resource.status === 'ready' ? waiting : undefined}
          analyzerName={analyzerName}
          now={now}
          limit={MESSAGE_LIMIT}
          onRetry={reloadMessages}
          onOpenMessage={onOpenMessage}
        />
      )}
    </main>
  );
}
