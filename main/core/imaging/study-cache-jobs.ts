import { HmsApiError } from '../../../preload/api/errors.js';
import type { StudyCacheJob, StudyCacheJobOutcome } from '../../../preload/api/imaging-schemas.js';
import type { Logger } from '../logging/logger.js';
import { DicomWebError } from './dicomweb-error.js';
import { StudyCacheFullError } from './study-cache.js';

/** One instance of a study to download into the cache. */
export interface StudyInstance {
  seriesInstanceUid: string;
  sopInstanceUid: string;
}

/** Downloads one instance into the cache; rejects with the signal's reason once it aborts. */
export type DownloadInstance = (instance: StudyInstance, signal: AbortSignal) => Promise<void>;

export interface StudyCacheJobsOptions {
  /** Whether the cache contains an instance already, so the job skips it. */
  isCached: (sopInstanceUid: string) => boolean;
  logger: Logger;
  /** Receives every published state of a job, the first and the last included. */
  onProgress: (job: StudyCacheJob) => void;
  /** Minimum milliseconds between two progress events of one job while it downloads. */
  progressIntervalMs?: number;
}

interface Job {
  state: StudyCacheJob;
  instances: readonly StudyInstance[];
  download: DownloadInstance;
  lastSentAt: number;
  /** The pending event that sends the latest counts once the progress interval has passed. */
  timer: NodeJS.Timeout | undefined;
}

const DEFAULT_PROGRESS_INTERVAL_MS = 250;

/**
 * Runs the caching of whole studies in the background, one job at a time in request order, with
 * at most one job per study. A job's changes of state go out through `onProgress` at once. Its
 * counts go out at most once per progress interval while it downloads, and its last counts go out
 * with its end.
 */
export class StudyCacheJobs {
  readonly #options: StudyCacheJobsOptions;
  readonly #progressIntervalMs: number;
  /** Jobs queued or running, by StudyInstanceUID, in start order. */
  readonly #jobs = new Map<string, Job>();
  readonly #controller = new AbortController();
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(options: StudyCacheJobsOptions) {
    this.#options = options;
    this.#progressIntervalMs = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
  }

  /** Returns the job of a study if it is queued or running. */
  find(studyInstanceUid: string): StudyCacheJob | undefined {
    const job = this.#jobs.get(studyInstanceUid);
    return job ? { ...job.state } : undefined;
  }

  /** Lists the jobs queued or running, in start order. */
  list(): StudyCacheJob[] {
    return [...this.#jobs.values()].map((job) => ({ ...job.state }));
  }

  /**
   * Queues the download of a study's instances and returns the new job, or the job of that study
   * already queued or running, whose instances and download are kept.
   */
  start(studyInstanceUid: string, instances: readonly StudyInstance[], download: DownloadInstance): StudyCacheJob {
    if (this.#closed) throw new HmsApiError({ code: 'unavailable', message: 'The workstation is stopping, so the study cannot be cached now' });
    const existing = this.#jobs.get(studyInstanceUid);
    if (existing) return { ...existing.state };

    const job: Job = {
      state: { studyInstanceUid, state: 'queued', outcome: null, instancesTotal: instances.length, instancesDone: 0, instancesFailed: 0, instancesDownloaded: 0, error: null },
      instances,
      download,
      lastSentAt: 0,
      timer: undefined,
    };
    this.#jobs.set(studyInstanceUid, job);
    this.#send(job);
    this.#runQueue();
    return { ...job.state };
  }

  /** Cancels the running job and the queued ones, and waits until the running job has stopped. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#controller.abort(new Error('The workstation is stopping'));
    await this.#running;
    for (const job of this.#jobs.values()) this.#finish(job, 'cancelled', null);
  }

  #runQueue(): void {
    if (this.#running) return;
    this.#running = this.#drain();
  }

  /** Runs queued jobs until none is left. Never rejects, because #run settles every error. */
  async #drain(): Promise<void> {
    try {
      while (!this.#closed) {
        const next = [...this.#jobs.values()].find((job) => job.state.state === 'queued');
        if (!next) break;
        await this.#run(next);
      }
    } finally {
      // Runs in the same microtask as the last check, so a job queued meanwhile finds no run and starts one.
      this.#running = undefined;
    }
  }

  async #run(job: Job): Promise<void> {
    const signal = this.#controller.signal;
    const progress = job.state;
    progress.state = 'running';
    this.#send(job);
    this.#options.logger.info({ studyInstanceUid: progress.studyInstanceUid, instances: progress.instancesTotal }, 'caching a study in the background');

    try {
      for (const instance of job.instances) {
        signal.throwIfAborted();
        if (this.#options.isCached(instance.sopInstanceUid)) {
          progress.instancesDone += 1;
          this.#report(job);
          continue;
        }
        try {
          await job.download(instance, signal);
          progress.instancesDone += 1;
          progress.instancesDownloaded += 1;
        } catch (error) {
          if (signal.aborted || !(error instanceof DicomWebError) || (error.failure !== 'status' && error.failure !== 'invalid-response')) throw error;
          // Only this instance failed; a PACS that is unreachable, times out or rejects the credentials ends the job.
          progress.instancesFailed += 1;
          this.#options.logger.warn({ studyInstanceUid: progress.studyInstanceUid, sopInstanceUid: instance.sopInstanceUid, status: error.status, error: error.message }, 'the PACS failed to return an instance of a study being cached; it is left out');
        }
        this.#report(job);
      }
      this.#finish(job, 'complete', null);
    } catch (error) {
      if (signal.aborted) this.#finish(job, 'cancelled', null);
      else if (error instanceof StudyCacheFullError) this.#finish(job, 'cache-full', `The study cache is full of studies of the ward's patients after ${progress.instancesDone} of ${progress.instancesTotal} instances were cached: ${error.message}`);
      else if (error instanceof DicomWebError) this.#finish(job, 'pacs-unavailable', `The PACS failed (${error.message}) after ${progress.instancesDone} of ${progress.instancesTotal} instances were cached`);
      else this.#finish(job, 'failed', `Caching the study failed after ${progress.instancesDone} of ${progress.instancesTotal} instances: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #finish(job: Job, outcome: StudyCacheJobOutcome, error: string | null): void {
    const progress = job.state;
    progress.state = 'finished';
    progress.outcome = outcome;
    progress.error = error;
    this.#jobs.delete(progress.studyInstanceUid);
    clearTimeout(job.timer);
    job.timer = undefined;

    const counts = { studyInstanceUid: progress.studyInstanceUid, outcome, instances: progress.instancesTotal, done: progress.instancesDone, downloaded: progress.instancesDownloaded, failed: progress.instancesFailed };
    if (outcome === 'complete' || outcome === 'cancelled') this.#options.logger.info(counts, 'caching a study ended');
    else this.#options.logger.warn({ ...counts, error }, 'caching a study stopped early');
    this.#send(job);
  }

  /** Sends the job's counts now, or once the progress interval since the last event has passed. */
  #report(job: Job): void {
    if (job.timer) return;
    const wait = job.lastSentAt + this.#progressIntervalMs - Date.now();
    if (wait <= 0) {
      this.#send(job);
      return;
    }
    job.timer = setTimeout(() => {
      job.timer = undefined;
      this.#send(job);
    }, wait);
    job.timer.unref();
  }

  /** Publishes the job's state, except while the core closes, when the renderers are going away. */
  #send(job: Job): void {
    job.lastSentAt = Date.now();
    if (this.#closed) return;
    try {
      this.#options.onProgress({ ...job.state });
    } catch (error) {
      this.#options.logger.error({ studyInstanceUid: job.state.studyInstanceUid, error: error instanceof Error ? error.message : String(error) }, 'publishing the progress of a caching job failed');
    }
  }
}
