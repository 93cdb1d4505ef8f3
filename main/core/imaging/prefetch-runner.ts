import type { ImagingPrefetchProgress } from '../../../preload/api/imaging-schemas.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logging/logger.js';
import type { DicomWebClient } from './dicomweb-client.js';
import type { PrefetchSettings } from './imaging-settings.js';
import type { StudyCache } from './study-cache.js';
import type { PrefetchProgress, PrefetchResult } from './study-prefetch.js';
import { prefetchStudies } from './study-prefetch.js';

export interface PrefetchRunnerOptions {
  client: DicomWebClient;
  cache: StudyCache;
  settings: PrefetchSettings;
  /** DICOM PatientIDs of the ward's patients at the moment a run starts. */
  patientIds: () => readonly string[];
  logger: Logger;
  clock: Clock;
  onProgress: (progress: ImagingPrefetchProgress) => void;
  /** Receives the instance count of each study the prefetch lists. */
  onStudyListed?: (studyInstanceUid: string, instanceCount: number) => void;
  /** Delay of a requested run, so a burst of ward changes starts one run. */
  debounceMs?: number;
  /** A run starts this often while nothing else requests one. */
  intervalMs?: number;
  /** Minimum milliseconds between two progress events while a run downloads. */
  progressIntervalMs?: number;
}

const DEFAULT_DEBOUNCE_MS = 5_000;
const DEFAULT_INTERVAL_MS = 60 * 60 * 1000;
const DEFAULT_PROGRESS_INTERVAL_MS = 250;

/**
 * Runs the prefetch of the ward patients' recent studies in the background: soon after start-up,
 * when the ward's patients change, and every hour, one run at a time. A request during a run
 * starts another run after it, so a patient admitted meanwhile is not missed.
 */
export class PrefetchRunner {
  readonly #options: PrefetchRunnerOptions;
  readonly #debounceMs: number;
  readonly #progressIntervalMs: number;
  readonly #interval: NodeJS.Timeout;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #controller: AbortController | undefined;
  #again = false;
  #closed = false;
  #last: ImagingPrefetchProgress | null = null;
  #lastSentAt = 0;

  constructor(options: PrefetchRunnerOptions) {
    this.#options = options;
    this.#debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    this.#progressIntervalMs = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
    this.#interval = setInterval(() => this.request(), options.intervalMs ?? DEFAULT_INTERVAL_MS);
    this.#interval.unref();
  }

  /** The progress of the current or last run; null before the first. */
  status(): ImagingPrefetchProgress | null {
    return this.#last;
  }

  /** Asks for a run after the debounce delay. */
  request(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.runNow();
    }, this.#debounceMs);
    this.#timer.unref();
  }

  /** Runs now, or waits for the run in progress; resolves when that run ends. */
  async runNow(): Promise<PrefetchResult | undefined> {
    if (this.#closed) return undefined;
    if (this.#running) {
      await this.#running;
      return undefined;
    }
    let result: PrefetchResult | undefined;
    this.#running = this.#run().then((outcome) => {
      result = outcome;
    });
    try {
      await this.#running;
    } finally {
      this.#running = undefined;
    }
    if (this.#again) {
      this.#again = false;
      this.request();
    }
    return result;
  }

  /** Cancels a run in progress and stops scheduling runs. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#interval);
    if (this.#timer) clearTimeout(this.#timer);
    this.#controller?.abort(new Error('The workstation is stopping'));
    await this.#running?.catch(() => undefined);
  }

  async #run(): Promise<PrefetchResult | undefined> {
    const controller = new AbortController();
    this.#controller = controller;
    const patientIds = [...new Set(this.#options.patientIds())];
    try {
      const result = await prefetchStudies({
        client: this.#options.client,
        cache: this.#options.cache,
        patientIds,
        settings: this.#options.settings,
        logger: this.#options.logger,
        clock: this.#options.clock,
        signal: controller.signal,
        onProgress: (progress) => this.#report(progress),
        ...(this.#options.onStudyListed ? { onStudyListed: this.#options.onStudyListed } : {}),
      });
      this.#publish({ ...(this.#last ?? emptyProgress()), state: 'finished', outcome: result.outcome });
      return result;
    } catch (error) {
      this.#options.logger.error({ error: error instanceof Error ? error.message : String(error) }, 'prefetch of recent studies failed; it runs again later');
      this.#publish({ ...(this.#last ?? emptyProgress()), state: 'finished', outcome: 'pacs-unavailable' });
      return undefined;
    } finally {
      this.#controller = undefined;
    }
  }

  #report(progress: PrefetchProgress): void {
    const finished = progress.phase === 'finished';
    const event: ImagingPrefetchProgress = {
      state: finished ? 'finished' : 'running',
      outcome: null,
      studiesDone: progress.studiesDownloaded,
      studiesTotal: progress.studiesPlanned,
      instancesDone: progress.instancesDownloaded + progress.instancesAlreadyCached + progress.instancesFailed,
      instancesTotal: progress.instancesTotal,
      bytes: progress.bytesDownloaded,
    };
    this.#last = event;
    // The final event goes out from #run, which has the outcome.
    if (finished) return;
    const now = Date.now();
    if (now - this.#lastSentAt < this.#progressIntervalMs && event.instancesDone > 0) return;
    this.#lastSentAt = now;
    this.#options.onProgress(event);
  }

  #publish(event: ImagingPrefetchProgress): void {
    this.#last = event;
    this.#lastSentAt = Date.now();
    this.#options.onProgress(event);
  }
}

function emptyProgress(): ImagingPrefetchProgress {
  return { state: 'finished', outcome: null, studiesDone: 0, studiesTotal: 0, instancesDone: 0, instancesTotal: 0, bytes: 0 };
}
