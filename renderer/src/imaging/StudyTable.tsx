import type { ImagingStudy, StudyCacheState } from '../../../preload/api/index.js';
import { formatCalendarDate } from '../format/datetime.js';
import type { PlainMessageKey } from '../i18n/index.js';
import { t } from '../i18n/index.js';
import { CacheJobStatus } from './CacheJobStatus.js';
import type { StudyCaching } from './useStudyCaching.js';
import { isCachingActive } from './useStudyCaching.js';

const cacheLabels: Record<StudyCacheState, PlainMessageKey> = {
  full: 'imaging.cached.full',
  partial: 'imaging.cached.partial',
  none: 'imaging.cached.none',
};

interface StudyTableProps {
  studies: readonly ImagingStudy[];
  /** The caching of each study that the tab started or saw, by StudyInstanceUID. */
  caching: ReadonlyMap<string, StudyCaching>;
  onOpen(study: ImagingStudy): void;
  onCache(study: ImagingStudy): void;
}

/** Renders the patient's studies, newest first, with their cached mark and actions. */
export function StudyTable({ studies, caching, onOpen, onCache }: StudyTableProps) {
  return (
    <table className="imaging-studies" data-testid="imaging-studies">
      <thead>
        <tr>
          <th scope="col">{t('imaging.column.date')}</th>
          <th scope="col">{t('imaging.column.description')}</th>
          <th scope="col">{t('imaging.column.modalities')}</th>
          <th scope="col">{t('imaging.column.counts')}</th>
          <th scope="col">{t('imaging.column.cached')}</th>
          <th scope="col">
            <span className="visually-hidden">{t('imaging.column.actions')}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {studies.map((study) => (
          <StudyRow key={study.studyInstanceUid} study={study} caching={caching.get(study.studyInstanceUid)} onOpen={onOpen} onCache={onCache} />
        ))}
      </tbody>
    </table>
  );
}

function StudyRow({ study, caching, onOpen, onCache }: { study: ImagingStudy; caching: StudyCaching | undefined; onOpen(study: ImagingStudy): void; onCache(study: ImagingStudy): void }) {
  const description = study.description ?? t('imaging.studyUntitled');
  const active = isCachingActive(caching);
  return (
    <tr data-testid="imaging-study-row" data-study-uid={study.studyInstanceUid} data-cached={study.cached}>
      <td>{study.date === null ? t('imaging.dateUnknown') : formatCalendarDate(study.date)}</td>
      <td>{description}</td>
      <td>{study.modalities.length > 0 ? study.modalities.join(', ') : '–'}</td>
      <td>{countsText(study)}</td>
      <td>
        <span className={`cache-mark cache-mark--${study.cached}`} data-testid="imaging-cache-mark">
          {t(cacheLabels[study.cached])}
        </span>
        {study.cached === 'partial' && study.instanceCount !== null && (
          <span className="muted"> {t('imaging.cachedCount', { cached: study.cachedInstanceCount, total: study.instanceCount })}</span>
        )}
        <CacheJobStatus caching={caching} />
      </td>
      <td>
        <div className="imaging-studies__actions">
          <button type="button" className="button button--primary button--small" data-testid="imaging-open" onClick={() => onOpen(study)} aria-label={t('imaging.openLabel', { description })}>
            {t('imaging.open')}
          </button>
          {study.cached !== 'full' && study.listedBy === 'pacs' && (
            <button type="button" className="button button--small" data-testid="imaging-cache" disabled={active} onClick={() => onCache(study)} aria-label={t('imaging.cacheLabel', { description })}>
              {active ? t('imaging.caching') : t('imaging.cache')}
            </button>
          )}
        </div>
      </td>
    </tr>
  );
}

/** "3 series, 42 images", from the PACS's counts or, offline, the cache's. */
function countsText(study: ImagingStudy): string {
  const series = study.seriesCount === null ? '–' : String(study.seriesCount);
  const images = study.instanceCount ?? study.cachedInstanceCount;
  return images === 1 ? t('imaging.countsOneImage', { series }) : t('imaging.counts', { series, images });
}
