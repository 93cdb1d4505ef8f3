import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { Logger } from '../logging/logger.js';
import type { DicomWebClient, StudyRecord } from './dicomweb-client.js';
import { DicomWebError } from './dicomweb-error.js';
import type { PrefetchSettings } from './imaging-settings.js';
import type { StudyCache } from './study-cache.js';
import { StudyCacheFullError } from './study-cache.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Stage of a prefetch: searching each patient's studies, listing the chosen studies' instances,
 * downloading them, then finished.
 */
export type PrefetchPhase = 'searching' | 'listing' | 'downloading' | 'finished';

/** Reason a prefetch ended. Every outcome but `complete` leaves the rest for the next run. */
export type PrefetchOutcome = 'complete' | 'cache-full' | 'pacs-unavailable' | 'cancelled';

/** Progress of a prefetch, sent after each patient, study and instance. Counts only, no patient data. */
export interface PrefetchProgress {
  phase: PrefetchPhase;
  patientsTotal: number;
  patientsSearched: number;
  /** Patients whose study search the PACS failed; their studies are left for the next run. */
  patientsFailed: number;
  /** Studies chosen for download by age, count and size. */
  studiesPlanned: number;
  studiesListed: number;
  /** Studies whose series or instances the PACS failed to list; left for the next run. */
  studiesFailed: number;
  /** Studies left out: older than `maxAgeDays`, without a StudyDate, beyond `maxStudiesPerPatient` or above `maxInstancesPerStudy`. */
  studiesSkipped: number;
  instancesTotal: number;
  /** Studies whose every instance was downloaded, found cached or failed in this run. */
  studiesDownloaded: number;
  /** Instances downloaded in this run. */
  instancesDownloaded: number;
  /** Instances that were cached already. */
  instancesAlreadyCached: number;
  /** Instances the PACS failed to return; the run goes on without them. */
  instancesFailed: number;
  bytesDownloaded: number;
}

export interface PrefetchResult extends PrefetchProgress {
  outcome: PrefetchOutcome;
  /** The error that ended the run early, for `cache-full` and `pacs-unavailable`. */
  error?: Error;
}

export interface PrefetchOptions {
  client: DicomWebClient;
  cache: StudyCache;
  /** DICOM PatientIDs of the patients whose studies to download, such as the ward's patients. */
  patientIds: readonly string[];
  settings: PrefetchSettings;
  logger: Logger;
  clock?: Clock;
  signal?: AbortSignal;
  onProgress?: (progress: PrefetchProgress) => void;
  /** Receives the instance count of each study listed, so the count is known when the PACS is not. */
  onStudyListed?: (studyInstanceUid: string, instanceCount: number) => void;
}

interface PlannedStudy {
  patientId: string;
  study: StudyRecord;
}

interface PlannedInstance {
  patientId: string;
  studyInstanceUid: string;
  studyDate: string | undefined;
  seriesInstanceUid: string;
  sopInstanceUid: string;
}

/**
 * Downloads into the cache the recent studies of a list of patients: per patient the newest
 * `maxStudiesPerPatient` studies not older than `maxAgeDays`, leaving out studies with more than
 * `maxInstancesPerStudy` instances. Instances already cached are not downloaded again. The run
 * stops early when the cache is full of pinned studies, when the PACS is unreachable or rejects
 * the credentials, or when `signal` aborts.
 */
export async function prefetchStudies(options: PrefetchOptions): Promise<PrefetchResult> {
  const progress: PrefetchProgress = {
    phase: 'searching',
    patientsTotal: options.patientIds.length,
    patientsSearched: 0,
    patientsFailed: 0,
    studiesPlanned: 0,
    studiesListed: 0,
    studiesFailed: 0,
    studiesSkipped: 0,
    instancesTotal: 0,
    studiesDownloaded: 0,
    instancesDownloaded: 0,
    instancesAlreadyCached: 0,
    instancesFailed: 0,
    bytesDownloaded: 0,
  };
  const report = () => options.onProgress?.({ ...progress });
  const log = options.logger;
  log.info({ patients: progress.patientsTotal }, 'prefetch of recent studies started');

  try {
    const studies = await searchRecentStudies(options, progress, report);
    progress.phase = 'listing';
    report();
    const instances = await listInstances(options, studies, progress, report);
    progress.phase = 'downloading';
    report();
    await downloadInstances(options, instances, progress, report);
    return finish(options, progress, 'complete');
  } catch (error) {
    if (options.signal?.aborted) return finish(options, progress, 'cancelled');
    if (error instanceof StudyCacheFullError) return finish(options, progress, 'cache-full', error);
    if (error instanceof DicomWebError) return finish(options, progress, 'pacs-unavailable', error);
    throw error;
  }
}

function finish(options: PrefetchOptions, progress: PrefetchProgress, outcome: PrefetchOutcome, error?: Error): PrefetchResult {
  progress.phase = 'finished';
  options.onProgress?.({ ...progress });
  const counts = { outcome, studies: progress.studiesPlanned, downloaded: progress.instancesDownloaded, alreadyCached: progress.instancesAlreadyCached, failed: progress.instancesFailed, bytes: progress.bytesDownloaded };
  if (outcome === 'complete' || outcome === 'cancelled') options.logger.info(counts, 'prefetch of recent studies ended');
  else options.logger.warn({ ...counts, error: error?.message }, 'prefetch of recent studies stopped early');
  return { ...progress, outcome, ...(error ? { error } : {}) };
}

async function searchRecentStudies(options: PrefetchOptions, progress: PrefetchProgress, report: () => void): Promise<PlannedStudy[]> {
  const planned: PlannedStudy[] = [];
  for (const patientId of options.patientIds) {
    options.signal?.throwIfAborted();
    let found: StudyRecord[];
    try {
      found = await options.client.searchStudiesOfPatient(patientId, { ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      rethrowUnlessOneRequest(error);
      progress.patientsFailed += 1;
      options.logger.warn({ status: error.status, error: error.message }, 'prefetch could not search the studies of a patient; they are left out');
      report();
      continue;
    }
    const chosen = chooseRecentStudies(found, options.settings, (options.clock ?? systemClock).now());
    planned.push(...chosen.map((study) => ({ patientId, study })));
    progress.patientsSearched += 1;
    progress.studiesPlanned += chosen.length;
    progress.studiesSkipped += found.length - chosen.length;
    report();
  }
  return planned;
}

/**
 * Picks the newest studies within the age limit, at most `maxStudiesPerPatient`, none above
 * `maxInstancesPerStudy`. Ages count in calendar days, so with `maxAgeDays` 30 a study of 30
 * days before today is kept. StudyDate has no time zone, so dates are taken as UTC.
 */
export function chooseRecentStudies(studies: readonly StudyRecord[], settings: PrefetchSettings, now: Date): StudyRecord[] {
  const oldest = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - settings.maxAgeDays * DAY_MS;
  return studies
    .map((study) => ({ study, time: studyDateTime(study.studyDate) }))
    .filter((entry): entry is { study: StudyRecord; time: number } => entry.time !== undefined && entry.time >= oldest)
    .filter((entry) => (entry.study.numberOfStudyRelatedInstances ?? 0) <= settings.maxInstancesPerStudy)
    .sort((a, b) => b.time - a.time)
    .slice(0, settings.maxStudiesPerPatient)
    .map((entry) => entry.study);
}

/** Midnight UTC of a DICOM DA (`YYYYMMDD`), or undefined when it is missing or malformed. */
function studyDateTime(studyDate: string | undefined): number | undefined {
  const match = studyDate ? /^(\d{4})(\d{2})(\d{2})$/.exec(studyDate) : null;
  if (!match) return undefined;
  const time = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isNaN(time) ? undefined : time;
}

async function listInstances(options: PrefetchOptions, studies: readonly PlannedStudy[], progress: PrefetchProgress, report: () => void): Promise<PlannedInstance[]> {
  const signalOption = options.signal ? { signal: options.signal } : {};
  const instances: PlannedInstance[] = [];
  for (const { patientId, study } of studies) {
    const ofStudy: PlannedInstance[] = [];
    try {
      for (const series of await options.client.searchSeriesOfStudy(study.studyInstanceUid, signalOption)) {
        const found = await options.client.searchInstancesOfSeries(study.studyInstanceUid, series.seriesInstanceUid, signalOption);
        for (const instance of found) {
          ofStudy.push({ patientId, studyInstanceUid: study.studyInstanceUid, studyDate: study.studyDate, seriesInstanceUid: series.seriesInstanceUid, sopInstanceUid: instance.sopInstanceUid });
        }
      }
    } catch (error) {
      rethrowUnlessOneRequest(error);
      progress.studiesFailed += 1;
      options.logger.warn({ studyInstanceUid: study.studyInstanceUid, status: error.status, error: error.message }, 'prefetch could not list the instances of a study; it is left out');
      report();
      continue;
    }
    progress.studiesListed += 1;
    options.onStudyListed?.(study.studyInstanceUid, ofStudy.length);
    if (ofStudy.length > options.settings.maxInstancesPerStudy) {
      // The search result had no instance count, so the limit applies only now.
      progress.studiesPlanned -= 1;
      progress.studiesSkipped += 1;
    } else {
      instances.push(...ofStudy);
      progress.instancesTotal += ofStudy.length;
    }
    report();
  }
  return instances;
}

async function downloadInstances(options: PrefetchOptions, instances: readonly PlannedInstance[], progress: PrefetchProgress, report: () => void): Promise<void> {
  const remaining = new Map<string, number>();
  for (const instance of instances) remaining.set(instance.studyInstanceUid, (remaining.get(instance.studyInstanceUid) ?? 0) + 1);
  // Planned studies with no instance to download (none listed, or the listing failed) are done already.
  progress.studiesDownloaded = Math.max(0, progress.studiesPlanned - remaining.size);
  const handled = (studyInstanceUid: string) => {
    const left = (remaining.get(studyInstanceUid) ?? 1) - 1;
    remaining.set(studyInstanceUid, left);
    if (left === 0) progress.studiesDownloaded += 1;
  };

  for (const instance of instances) {
    options.signal?.throwIfAborted();
    if (options.cache.has(instance.sopInstanceUid)) {
      progress.instancesAlreadyCached += 1;
      handled(instance.studyInstanceUid);
      report();
      continue;
    }
    try {
      const retrieved = await options.client.retrieveInstance(instance.studyInstanceUid, instance.seriesInstanceUid, instance.sopInstanceUid, options.signal ? { signal: options.signal } : {});
      await options.cache.putInstance(instance, retrieved.bytes);
      progress.instancesDownloaded += 1;
      progress.bytesDownloaded += retrieved.bytes.byteLength;
    } catch (error) {
      rethrowUnlessOneRequest(error);
      progress.instancesFailed += 1;
      options.logger.warn({ studyInstanceUid: instance.studyInstanceUid, sopInstanceUid: instance.sopInstanceUid, status: error.status, error: error.message }, 'prefetch could not retrieve an instance; it is left out');
    }
    handled(instance.studyInstanceUid);
    report();
  }
}

/**
 * Rethrows what ends the whole run. Only an error status or a malformed response concerns one
 * request. A PACS that cannot be reached, times out or rejects the credentials fails every other
 * request too.
 */
function rethrowUnlessOneRequest(error: unknown): asserts error is DicomWebError {
  if (!(error instanceof DicomWebError) || error.failure === 'unreachable' || error.failure === 'timeout' || error.failure === 'unauthorized') throw error;
}
