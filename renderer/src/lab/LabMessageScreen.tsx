import { useRef } from 'react';

import type { LabMessageDetail } from '../../../preload/api/lab-schemas.js';
import { calls } from '../../../preload/api/index.js';
import { LoadFailedNotice } from '../api/ErrorNotice.js';
import { resourceValue, useApiResource } from '../api/useApiResource.js';
import type { LabResultPosition } from '../app/app-state.js';
import { useFocusOnMount } from '../app/useFocusOnMount.js';
import { formatDateTime } from '../format/datetime.js';
import { t } from '../i18n/index.js';
import { Fact } from './Fact.js';
import { groupState } from './group-state.js';
import { describeOutcome, describeProtocol } from './lab-text.js';
import { RawMessage } from './RawMessage.js';
import { ResultDetail } from './ResultDetail.js';
import { ResultGroup } from './ResultGroup.js';
import { useLabChanged } from './useLabChanged.js';

interface LabMessageScreenProps {
  messageId: string;
  /** The result picked on the lab bench, shown in detail above the message's results. */
  result: LabResultPosition | null;
  onBack(): void;
  onOpenResult(result: LabResultPosition): void;
}

/** Renders one archived analyzer message: what became of it, a picked result in detail, all its results, and its raw text. */
export function LabMessageScreen({ messageId, result, onBack, onOpenResult }: LabMessageScreenProps) {
  const message = useApiResource(`lab:message:${messageId}`, (api) => api.lab.message({ messageId }));
  const connections = useApiResource('lab:connections', (api) => api.lab.connections({}));
  const review = useApiResource('lab:review', (api) => api.lab.reviewQueue({}));
  const headingRef = useRef<HTMLHeadingElement>(null);
  useFocusOnMount(headingRef, result === null ? messageId : `${messageId}:${result.group}:${result.result}`);

  const reloadMessage = message.reload;
  const reloadReview = review.reload;
  useLabChanged((change) => {
    if (change?.what === 'connections') return;
    reloadMessage();
    reloadReview();
  });

  const detail = resourceValue(message.resource);
  const analyzer = detail === undefined ? '' : (resourceValue(connections.resource)?.find((connection) => connection.id === detail.connectionId)?.name ?? detail.connectionId);
  const picked = detail === undefined || result === null ? undefined : pickResult(detail, result);

  return (
    <div className="chart-screen lab-message-screen" data-testid="lab-message-screen">
      <nav className="chart-screen__nav">
        <button type="button" className="button button--link" data-testid="back-to-lab" onClick={onBack}>
          <span aria-hidden="true">← </span>
          {t('lab.detail.back')}
        </button>
      </nav>
      <main className="chart-screen__body">
        <h1 ref={headingRef} tabIndex={-1} className="screen__title">
          {detail === undefined ? t('lab.detail.title') : t('lab.detail.titleOf', { analyzer, time: formatDateTime(detail.receivedAt) })}
        </h1>
        {message.resource.status === 'loading' && <p className="muted">{t('lab.loading')}</p>}
        {message.resource.status === 'failed' && (
          <LoadFailedNotice
            error={message.resource.error}
            call={calls.lab.message}
            subject={t('lab.detail.subject')}
            describe={(reason) => t('lab.detail.loadFailed', { message: reason })}
            onRetry={reloadMessage}
          />
        )}
        {detail !== undefined && <MessageFacts detail={detail} analyzer={analyzer} />}
        {picked !== undefined && <ResultDetail result={picked.result} group={picked.group} />}
        {detail !== undefined && detail.groups.length > 0 && (
          <section className="lab-section" aria-labelledby="lab-detail-results-title">
            <h2 id="lab-detail-results-title" className="section-title">
              {t('lab.detail.results')}
            </h2>
            {detail.groups.map((group, groupIndex) => (
              <ResultGroup
                key={`${groupIndex}:${group.accession}`}
                group={group}
                state={groupState(detail, group, review.resource.status === 'ready' ? review.resource.value : undefined)}
                selected={result?.group === groupIndex ? result.result : null}
                onOpenResult={(resultIndex) => onOpenResult({ group: groupIndex, result: resultIndex })}
              />
            ))}
          </section>
        )}
        {detail !== undefined && <RawMessage raw={detail.raw} />}
      </main>
    </div>
  );
}

function pickResult(detail: LabMessageDetail, position: LabResultPosition) {
  const group = detail.groups[position.group];
  const result = group?.results[position.result];
  return group === undefined || result === undefined ? undefined : { group, result };
}

function MessageFacts({ detail, analyzer }: { detail: LabMessageDetail; analyzer: string }) {
  return (
    <dl className="lab-facts" data-testid="lab-message-facts">
      <Fact label={t('lab.detail.analyzer')}>{analyzer}</Fact>
      <Fact label={t('lab.detail.received')}>{formatDateTime(detail.receivedAt)}</Fact>
      <Fact label={t('lab.detail.protocol')}>{describeProtocol(detail.protocol)}</Fact>
      <Fact label={t('lab.detail.outcome')}>
        <span className={`lab-outcome lab-outcome--${detail.outcome}`}>{describeOutcome(detail.outcome)}</span>
      </Fact>
      <Fact label={t('lab.detail.documents')}>{detail.documentIds.length}</Fact>
      {detail.repeatOf !== null && <Fact label={t('lab.detail.repeat')}>{t('lab.detail.repeatText')}</Fact>}
      {detail.error !== null && (
        <Fact label={t('lab.detail.error')}>
          <span className="lab-warning-text">{detail.error}</span>
        </Fact>
      )}
    </dl>
  );
}
