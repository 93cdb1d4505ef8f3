import type { ImagingPrefetchProgress } from '../../../preload/api/index.js';
import { t } from '../i18n/index.js';

const MEBIBYTE = 1024 * 1024;

/**
 * Renders the progress of the background download of the ward patients' recent studies, or how the
 * last run ended. Nothing before the first run.
 */
export function PrefetchProgress({ progress }: { progress: ImagingPrefetchProgress | null }) {
  if (progress === null) return null;
  const megabytes = (progress.bytes / MEBIBYTE).toFixed(1);
  if (progress.state === 'running') {
    return (
      <div className="imaging-prefetch" data-testid="imaging-prefetch" data-state="running">
        <label htmlFor="imaging-prefetch-bar">
          {t('imaging.prefetch.running', { done: progress.studiesDone, total: progress.studiesTotal, megabytes })}
        </label>
        <progress id="imaging-prefetch-bar" max={Math.max(progress.instancesTotal, 1)} value={progress.instancesDone} />
      </div>
    );
  }
  const text =
    progress.outcome === 'complete'
      ? progress.studiesTotal === 0
        ? t('imaging.prefetch.nothing')
        : progress.studiesTotal === 1
          ? t('imaging.prefetch.completeOne')
          : t('imaging.prefetch.complete', { total: progress.studiesTotal })
      : progress.outcome === 'cache-full'
        ? t('imaging.prefetch.cacheFull')
        : progress.outcome === 'pacs-unavailable'
          ? t('imaging.prefetch.pacsUnavailable')
          : t('imaging.prefetch.cancelled');
  return (
    <p className="imaging-prefetch muted" data-testid="imaging-prefetch" data-state="finished" data-outcome={progress.outcome ?? ''}>
      {text}
    </p>
  );
}
