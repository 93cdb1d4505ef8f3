import type { LabMessageView, LabReviewItem } from '../../../preload/api/lab-schemas.js';
import { calls } from '../../../preload/api/index.js';
import { LoadFailedNotice } from '../api/ErrorNotice.js';
import type { Resource } from '../api/useApiResource.js';
import { resourceValue } from '../api/useApiResource.js';
import type { LabResultPosition } from '../app/app-state.js';
import { formatTimeOrDateTime } from '../format/datetime.js';
import { t } from '../i18n/index.js';
import { groupState } from './group-state.js';
import { ResultGroup } from './ResultGroup.js';
import { describeOutcome, describeProtocol } from './lab-text.js';

interface MessageStreamProps {
  resource: Resource<LabMessageView[]>;
  /** Waiting review items, to tell held groups that still wait from decided ones; undefined until loaded. */
  waiting: readonly LabReviewItem[] | undefined;
  analyzerName(connectionId: string): string;
  now: Date;
  limit: number;
  onRetry(): void;
  onOpenMessage(messageId: string, result: LabResultPosition | null): void;
}

/** Lists the messages the analyzers sent, newest first, each with the results it carried. */
export function MessageStream({ resource, waiting, analyzerName, now, limit, onRetry, onOpenMessage }: MessageStreamProps) {
  const messages = resourceValue(resource);

  return (
    <section className="lab-section" aria-labelledby="lab-stream-title" data-testid="lab-stream">
      <h2 id="lab-stream-title" className="section-title">
        {t('lab.stream.title')}
      </h2>
      <p className="muted lab-section__intro">{t('lab.stream.intro', { count: limit })}</p>
      {resource.status === 'loading' && <p className="muted">{t('lab.loading')}</p>}
      {resource.status === 'failed' && (
        <LoadFailedNotice
          error={resource.error}
          call={calls.lab.recentMessages}
          subject={t('lab.stream.subject')}
          describe={(reason) => t('lab.stream.loadFailed', { message: reason })}
          onRetry={onRetry}
        />
      )}
      {messages !== undefined && messages.length === 0 && <p className="muted">{t('lab.stream.empty')}</p>}
      {messages?.map((message) => (
        <MessageCard key={message.id} message={message} waiting={waiting} analyzer={analyzerName(message.connectionId)} now={now} onOpen={onOpenMessage} />
      ))}
    </section>
  );
}

interface MessageCardProps {
  message: LabMessageView;
  waiting: readonly LabReviewItem[] | undefined;
  analyzer: string;
  now: Date;
  onOpen(messageId: string, result: LabResultPosition | null): void;
}

function MessageCard({ message, waiting, analyzer, now, onOpen }: MessageCardProps) {
  const headingId = `lab-message-${message.id}`;

  return (
    <article className={`lab-message lab-message--${message.outcome}`} aria-labelledby={headingId} data-testid="lab-message" data-message-id={message.id} data-outcome={message.outcome}>
      <header className="lab-message__header">
        <h3 id={headingId} className="lab-message__title">
          {t('lab.message.heading', { time: formatTimeOrDateTime(message.receivedAt, now), analyzer })}
        </h3>
        <span className={`lab-outcome lab-outcome--${message.outcome}`} data-testid="lab-message-outcome">
          {describeOutcome(message.outcome)}
        </span>
        <span className="muted">{describeProtocol(message.protocol)}</span>
        {message.repeatOf !== null && <span className="tag">{t('lab.message.repeat')}</span>}
        <button type="button" className="button button--small lab-message__open" data-testid="lab-message-open" onClick={() => onOpen(message.id, null)} aria-label={t('lab.message.openLabel', { analyzer, time: formatTimeOrDateTime(message.receivedAt, now) })}>
          {t('lab.message.open')}
        </button>
      </header>
      {message.error !== null && (
        <p className="notice notice--error lab-message__error" data-testid="lab-message-error">
          {t('lab.message.error', { message: message.error })}
        </p>
      )}
      {message.groups.length === 0 && message.error === null && <p className="muted">{t('lab.message.noGroups')}</p>}
      {message.groups.map((group, groupIndex) => (
        <ResultGroup
          key={`${groupIndex}:${group.accession}`}
          group={group}
          state={groupState(message, group, waiting)}
          onOpenResult={(result) => onOpen(message.id, { group: groupIndex, result })}
        />
      ))}
    </article>
  );
}
