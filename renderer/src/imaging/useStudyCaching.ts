import { useCallback, useEffect, useState } from 'react';

import type { ImagingStudy, StudyCacheJob } from '../../../preload/api/index.js';
import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { describeCallError } from '../api/error-text.js';
import { useSession } from '../app/SessionContext.js';
import { useConnectionState } from '../host/ConnectionContext.js';
import { t } from '../i18n/index.js';

/** A study's caching as the tab last saw it: the `imaging:cacheStudy` call in flight, or the job's last state. */
export type StudyCaching = { readonly state: 'starting' } | StudyCacheJob;

/** Marks a study whose `imaging:cacheStudy` call has not returned yet. One object, compared by identity. */
const STARTING: StudyCaching = { state: 'starting' };

export interface StudyCachingState {
  /** The caching of each study this tab started or saw, by StudyInstanceUID. */
  caching: ReadonlyMap<string, StudyCaching>;
  /** Reason the last `imaging:cacheStudy` call failed before a job started, and null otherwise. */
  startError: { text: string; detail: string | null } | null;
  startCaching(study: ImagingStudy): void;
}

/**
 * Starts caching studies and follows their jobs through `imaging:cacheJob` events. It reads the
 * jobs already running when the tab opens, and calls `onJobEnded` when a job ends, so the tab
 * reloads the cached marks.
 */
export function useStudyCaching(patientId: string, onJobEnded: () => void): StudyCachingState {
  const api = useApi();
  const { handleCallError } = useSession();
  const connection = useConnectionState();
  const [caching, setCaching] = useState<ReadonlyMap<string, StudyCaching>>(new Map());
  const [startError, setStartError] = useState<StudyCachingState['startError']>(null);

  useEffect(() => {
    let current = true;
    const unsubscribe = api.events.onImagingCacheJob((job) => {
      setCaching((before) => new Map(before).set(job.studyInstanceUid, job));
      if (job.state === 'finished') onJobEnded();
    });
    api.imaging.cacheJobs({}).then(
      (running) => {
        if (!current) return;
        // An event that came first is newer than this list, so it stays.
        setCaching((before) => {
          const next = new Map(before);
          for (const job of running) if (!next.has(job.studyInstanceUid)) next.set(job.studyInstanceUid, job);
          return next;
        });
      },
      (error: unknown) => console.warn(`imaging: reading the caching jobs failed (${toApiError(error).code})`),
    );
    return () => {
      current = false;
      unsubscribe();
    };
  }, [api, onJobEnded]);

  const startCaching = useCallback(
    (study: ImagingStudy) => {
      const studyInstanceUid = study.studyInstanceUid;
      setStartError(null);
      setCaching((before) => new Map(before).set(studyInstanceUid, STARTING));
      api.imaging.cacheStudy({ studyInstanceUid, patientId }).then(
        // The job's events may have come before the call returned. They are newer, so they stay.
        (job) => setCaching((before) => (before.get(studyInstanceUid) === STARTING ? new Map(before).set(studyInstanceUid, job) : before)),
        (error: unknown) => {
          const body = toApiError(error);
          handleCallError(body);
          const described = describeCallError(body, connection);
          setStartError({ text: t('imaging.cacheFailed', { message: described.text }), detail: described.detail });
          setCaching((before) => {
            if (before.get(studyInstanceUid) !== STARTING) return before;
            const next = new Map(before);
            next.delete(studyInstanceUid);
            return next;
          });
        },
      );
    },
    [api, patientId, handleCallError, connection],
  );

  return { caching, startError, startCaching };
}

/** Returns true while a study's caching is under way, so its cache button stays disabled. */
export function isCachingActive(caching: StudyCaching | undefined): boolean {
  return caching !== undefined && caching.state !== 'finished';
}
