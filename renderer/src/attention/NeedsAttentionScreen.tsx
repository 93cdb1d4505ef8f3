import { useCallback, useRef, useState } from 'react';

import type { ConflictDecision, ResendResult } from '../../../preload/api/index.js';
import { calls } from '../../../preload/api/index.js';
import { LoadFailedNotice } from '../api/ErrorNotice.js';
import { resourceValue, useApiResource } from '../api/useApiResource.js';
import { useFocusOnMount } from '../app/useFocusOnMount.js';
import { useNow } from '../app/useNow.js';
import { ChartNav } from '../chart/ChartNav.js';
import { t } from '../i18n/index.js';
import { useSyncCountsChanged } from '../sync/useSyncCountsChanged.js';
import { ConflictCard } from './ConflictCard.js';
import { RejectedChangeCard } from './RejectedChangeCard.js';

interface NeedsAttentionScreenProps {
  onBack(): void;
  onOpenChart(patientId: string): void;
}

/** The outcome of the last decision or resend, shown once above the lists. */
type LastAction = { kind: 'decided'; decision: ConflictDecision } | { kind: 'resent'; result: ResendResult };

/**
 * Lists what the central server did not apply as it was entered here: open conflicts, with both
 * versions and the decisions, and refused changes, with the server's reason and Resend. The lists
 * follow the sync status, so a conflict met while the screen is open appears without a reload.
 */
export function NeedsAttentionScreen({ onBack, onOpenChart }: NeedsAttentionScreenProps) {
  const now = useNow();
  const conflicts = useApiResource('attention:conflicts', (api) => api.sync.listConflicts({}), { reloadOnReplicaChange: true });
  const rejected = useApiResource('attention:rejected', (api) => api.sync.listRejected({}), { reloadOnReplicaChange: true });
  const [lastAction, setLastAction] = useState<LastAction | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useFocusOnMount(headingRef, 'loaded');

  const reloadConflicts = conflicts.reload;
  const reloadRejected = rejected.reload;
  const reloadBoth = useCallback(() => {
    reloadConflicts();
    reloadRejected();
  }, [reloadConflicts, reloadRejected]);
  useSyncCountsChanged(reloadBoth);

  const openConflicts = resourceValue(conflicts.resource);
  const refused = resourceValue(rejected.resource);

  return (
    <div className="chart-screen attention-screen">
      <ChartNav onBack={onBack} />
      <main className="chart-screen__body">
        <h1 ref={headingRef} tabIndex={-1} className="screen__title">
          {t('attention.title')}
        </h1>
        <p className="attention-screen__intro">{t('attention.intro')}</p>
        {lastAction !== null && <LastActionNotice action={lastAction} />}

        <section aria-labelledby="attention-conflicts-title" data-testid="attention-conflicts">
          <h2 id="attention-conflicts-title" className="section-title">
            {t('attention.conflicts.title')}
            {openConflicts !== undefined && ` (${openConflicts.length})`}
          </h2>
          {conflicts.resource.status === 'loading' && <p className="muted">{t('attention.loading')}</p>}
          {conflicts.resource.status === 'failed' && (
            <LoadFailedNotice
              error={conflicts.resource.error}
              call={calls.sync.listConflicts}
              subject={t('attention.conflicts.subject')}
              describe={(reason) => t('attention.loadFailed', { message: reason })}
              onRetry={reloadConflicts}
            />
          )}
          {openConflicts?.length === 0 && <p className="muted">{t('attention.conflicts.empty')}</p>}
          {openConflicts?.map((conflict) => (
            <ConflictCard
              key={conflict.id}
              conflict={conflict}
              now={now}
              onOpenChart={onOpenChart}
              onDecided={(decision) => {
                setLastAction({ kind: 'decided', decision });
                reloadBoth();
              }}
            />
          ))}
        </section>

        <section aria-labelledby="attention-rejected-title" data-testid="attention-rejected">
          <h2 id="attention-rejected-title" className="section-title">
            {t('attention.rejected.title')}
            {refused !== undefined && ` (${refused.length})`}
          </h2>
          {rejected.resource.status === 'loading' && <p className="muted">{t('attention.loading')}</p>}
          {rejected.resource.status === 'failed' && (
            <LoadFailedNotice
              error={rejected.resource.error}
              call={calls.sync.listRejected}
              subject={t('attention.rejected.subject')}
              describe={(reason) => t('attention.loadFailed', { message: reason })}
              onRetry={reloadRejected}
            />
          )}
          {refused?.length === 0 && <p className="muted">{t('attention.rejected.empty')}</p>}
          {refused?.map((change) => (
            <RejectedChangeCard
              key={`${change.collection}:${change.documentId}`}
              change={change}
              now={now}
              onOpenChart={onOpenChart}
              onResent={(result) => {
                setLastAction({ kind: 'resent', result });
                reloadBoth();
              }}
            />
          ))}
        </section>
      </main>
    </div>
  );
}

function LastActionNotice({ action }: { action: LastAction }) {
  let text: string;
  let tone = 'notice--success';
  if (action.kind === 'decided') {
    text = t(`attention.decided.${action.decision}`);
  } else if (action.result.outcome === 'accepted') {
    text = t('attention.resent.accepted');
  } else if (action.result.outcome === 'conflict') {
    text = t('attention.resent.conflict');
    tone = 'notice--info';
  } else {
    text = t('attention.resent.rejected', { reason: action.result.reason ?? '' });
    tone = 'notice--error';
  }
  return (
    <p className={`notice ${tone}`} role="status" data-testid="attention-outcome">
      {text}
    </p>
  );
}
