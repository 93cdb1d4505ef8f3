import { ErrorDetail } from '../api/ErrorNotice.js';
import { t } from '../i18n/index.js';
import type { StudyCaching } from './useStudyCaching.js';

/**
 * Renders the caching job of one study in its row: waiting, the images stored so far, or how the
 * job ended when it did not store every image. Nothing once every image is stored, because the
 * cached mark shows it.
 */
export function CacheJobStatus({ caching }: { caching: StudyCaching | undefined }) {
  if (caching === undefined || caching.state === 'starting') return null;
  const counts = { done: caching.instancesDone, total: caching.instancesTotal };

  if (caching.state === 'queued') {
    return (
      <div className="imaging-cache-job muted" data-testid="imaging-cache-job" data-state="queued">
        {t('imaging.cacheJob.queued')}
      </div>
    );
  }
  if (caching.state === 'running') {
    const id = `imaging-cache-job-${caching.studyInstanceUid}`;
    return (
      <div className="imaging-cache-job" data-testid="imaging-cache-job" data-state="running">
        <label htmlFor={id}>{t('imaging.cacheJob.running', counts)}</label>
        <progress id={id} max={Math.max(caching.instancesTotal, 1)} value={caching.instancesDone + caching.instancesFailed} />
      </div>
    );
  }

  let text: string;
  switch (caching.outcome) {
    case 'complete':
      if (caching.instancesFailed === 0) return null;
      text = t('imaging.cacheJob.partial', { failed: caching.instancesFailed, total: caching.instancesTotal });
      break;
    case 'cache-full':
      text = t('imaging.cacheJob.cacheFull', counts);
      break;
    case 'pacs-unavailable':
      text = t('imaging.cacheJob.pacsUnavailable', counts);
      break;
    case 'cancelled':
      text = t('imaging.cacheJob.cancelled', counts);
      break;
    case 'failed':
    case null:
      text = t('imaging.cacheJob.failed', counts);
      break;
  }
  return (
    <div className="imaging-cache-job imaging-cache-job--stopped" data-testid="imaging-cache-job" data-state="finished" data-outcome={caching.outcome ?? ''} role="status">
      <span>{text}</span>
      <ErrorDetail detail={caching.error} />
    </div>
  );
}
