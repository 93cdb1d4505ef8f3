import './imaging-tab.css';

import { useCallback, useEffect, useState } from 'react';

import type { ImagingPrefetchProgress, ImagingStudy, StudySeriesList } from '../../../preload/api/index.js';
import { calls } from '../../../preload/api/index.js';
import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { ErrorNotice, LoadFailedNotice } from '../api/ErrorNotice.js';
import { describeCallError } from '../api/error-text.js';
import { resourceValue, useApiResource } from '../api/useApiResource.js';
import { useSession } from '../app/SessionContext.js';
import { useConnectionState } from '../host/ConnectionContext.js';
import { imagingInstanceUrl } from '../host/imaging-url.js';
import { t } from '../i18n/index.js';
import { PrefetchProgress } from './PrefetchProgress.js';
import { StudyTable } from './StudyTable.js';
import { useStudyCaching } from './useStudyCaching.js';
import { StudyViewer } from './viewer/StudyViewer.js';

/** A study being opened or shown in the viewer. */
type OpenStudy =
  | { state: 'loading'; study: ImagingStudy }
  | { state: 'open'; study: ImagingStudy; series: StudySeriesList }
  | { state: 'failed'; study: ImagingStudy; text: string; detail: string | null };

interface ImagingTabProps {
  patientId: string;
  /**
   * Called with true when a study opens and with false when it closes or the tab unmounts, so the
   * chart can give the viewer the height of its banner and tabs.
   */
  onStudyOpenChange?(open: boolean): void;
}

/**
 * Renders the chart's imaging tab: the patient's studies with how much of each is cached on this
 * workstation, a button to cache a study for offline viewing, the background prefetch's progress,
 * and the viewer for the study opened.
 */
export function ImagingTab({ patientId, onStudyOpenChange }: ImagingTabProps) {
  const api = useApi();
  const { handleCallError } = useSession();
  const connection = useConnectionState();
  const studies = useApiResource(`imaging:${patientId}`, (client) => client.imaging.listStudies({ patientId }));
  const [prefetch, setPrefetch] = useState<ImagingPrefetchProgress | null>(null);
  const [open, setOpen] = useState<OpenStudy | null>(null);
  const { reload } = studies;
  // Reloading the list when a job ends refreshes the cached marks.
  const { caching, startError, startCaching } = useStudyCaching(patientId, reload);

  useEffect(() => {
    let current = true;
    api.imaging.prefetchStatus({}).then(
      (status) => {
        if (current) setPrefetch(status);
      },
      (error: unknown) => console.warn(`imaging: reading the prefetch status failed (${toApiError(error).code})`),
    );
    const unsubscribe = api.events.onImagingPrefetch((progress) => {
      setPrefetch(progress);
      // The cached marks change as the prefetch ends.
      if (progress.state === 'finished') reload();
    });
    return () => {
      current = false;
      unsubscribe();
    };
  }, [api, reload]);

  const studyOpen = open !== null;
  useEffect(() => {
    if (!studyOpen || onStudyOpenChange === undefined) return;
    onStudyOpenChange(true);
    return () => onStudyOpenChange(false);
  }, [studyOpen, onStudyOpenChange]);

  const openStudy = useCallback(
    (study: ImagingStudy) => {
      setOpen({ state: 'loading', study });
      api.imaging.getStudy({ studyInstanceUid: study.studyInstanceUid, patientId }).then(
        (series) => setOpen((current) => (current?.study.studyInstanceUid === study.studyInstanceUid ? { state: 'open', study, series } : current)),
        (error: unknown) => {
          const body = toApiError(error);
          handleCallError(body);
          const described = describeCallError(body, connection);
          setOpen((current) => (current?.study.studyInstanceUid === study.studyInstanceUid ? { state: 'failed', study, text: t('imaging.openFailed', { message: described.text }), detail: described.detail } : current));
        },
      );
    },
    [api, patientId, handleCallError, connection],
  );

  if (open !== null) {
    return (
      <section className="imaging-tab imaging-tab--study" aria-labelledby="imaging-study-heading" data-testid="imaging-study">
        <div className="imaging-tab__header">
          <button
            type="button"
            className="button button--link"
            data-testid="imaging-back"
            onClick={() => {
              setOpen(null);
              reload();
            }}
          >
            <span aria-hidden="true">← </span>
            {t('imaging.backToStudies')}
          </button>
          <h2 id="imaging-study-heading">{open.study.description ?? t('imaging.studyUntitled')}</h2>
          {/* On the title's row, so the image gets the height of a line. */}
          {open.state === 'open' && open.series.listedBy === 'cache' && (
            <p className="notice notice--info" data-testid="imaging-study-from-cache">
              {t('imaging.studyFromCache')}
            </p>
          )}
        </div>
        {open.state === 'loading' && <p className="muted">{t('imaging.opening')}</p>}
        {open.state === 'failed' && <ErrorNotice text={open.text} detail={open.detail} onRetry={() => openStudy(open.study)} />}
        {open.state === 'open' && <StudyViewer study={open.series} instanceUrl={imagingInstanceUrl} windowPresets={open.series.windowPresets} />}
      </section>
    );
  }

  const list = resourceValue(studies.resource);
  return (
    <section className="imaging-tab" aria-labelledby="imaging-heading" data-testid="imaging-tab">
      <div className="imaging-tab__header">
        <h2 id="imaging-heading">{t('imaging.title')}</h2>
        <PrefetchProgress progress={prefetch} />
      </div>
      {studies.resource.status === 'loading' && <p className="muted">{t('imaging.loading')}</p>}
      {studies.resource.status === 'failed' && (
        <LoadFailedNotice
          error={studies.resource.error}
          call={calls.imaging.listStudies}
          subject={t('imaging.subject')}
          describe={(reason) => t('imaging.loadFailed', { message: reason })}
          onRetry={reload}
        />
      )}
      {startError !== null && <ErrorNotice text={startError.text} detail={startError.detail} />}
      {list !== undefined && list.some((study) => study.listedBy === 'cache') && (
        <p className="notice notice--info" data-testid="imaging-offline">
          {t('imaging.listedFromCache')}
        </p>
      )}
      {list !== undefined && list.length === 0 && <p className="muted" data-testid="imaging-no-studies">{t('imaging.noStudies')}</p>}
      {list !== undefined && list.length > 0 && <StudyTable studies={list} caching={caching} onOpen={openStudy} onCache={startCaching} />}
    </section>
  );
}
