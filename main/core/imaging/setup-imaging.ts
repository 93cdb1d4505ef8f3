import { HmsApiError } from '../../../preload/api/errors.js';
import { DEFAULT_WINDOW_PRESETS } from '../../../preload/api/imaging-presets.js';
import type { SessionInfo } from '../../../preload/api/schemas.js';
import type { DatabaseKey } from '../../../sync/replica/sqlite/connection-pool.js';
import type { ReplicaDatabase } from '../../../sync/replica/replica.js';
import type { Clock } from '../clock.js';
import type { CoreEvents } from '../events.js';
import type { ServiceHandlers } from '../gateway.js';
import type { Logger } from '../logging/logger.js';
import type { ChartReader } from '../services/chart-reader.js';
import { mrn } from '../services/fhir-views.js';
import type { ReplicaReader } from '../services/replica-reader.js';
import type { WorkstationSettings } from '../settings.js';
import { DicomWebClient } from './dicomweb-client.js';
import type { ReadImagingInstance } from './instance-access.js';
import { createInstanceReader } from './instance-access.js';
import { ImagingService } from './imaging-service.js';
import { PrefetchRunner } from './prefetch-runner.js';
import { StudyCache } from './study-cache.js';
import { StudyCacheJobs } from './study-cache-jobs.js';
import { StudyExtents } from './study-extents.js';
import { WardPins } from './ward-pins.js';

export interface SetupImagingOptions {
  settings: WorkstationSettings;
  dataDirectory: string;
  replica: ReplicaDatabase;
  replicaFile: string;
  replicaKey: DatabaseKey | undefined;
  reader: ReplicaReader;
  /** The reader of a patient's chart: the replica, or their emergency-access documents. */
  readerFor: (patientId: string) => Promise<ChartReader | undefined>;
  currentSession: () => SessionInfo | null;
  isLocked: () => boolean;
  events: CoreEvents;
  clock: Clock;
  logger: Logger;
  /** Timing of the background prefetch; tests shorten the debounce. */
  prefetch?: { debounceMs?: number; intervalMs?: number };
}

export interface ImagingSetup {
  handlers: ServiceHandlers['imaging'];
  /** Serves the hosts' instance URLs (browser host route, Electron `hms-dicom:` scheme). */
  readInstance: ReadImagingInstance;
  /** Absent on a workstation without imaging settings. */
  prefetch: PrefetchRunner | undefined;
  close(): Promise<void>;
}

/**
 * Starts imaging: the study cache in the data folder with the ward patients' studies pinned, the
 * DICOMweb client of the PACS, the imaging calls, the background prefetch and the caching jobs.
 * A workstation without `imaging` settings gets calls that reject with `unavailable` and an
 * instance route that returns 404.
 */
export async function setupImaging(options: SetupImagingOptions): Promise<ImagingSetup> {
  const log = options.logger;
  const imaging = options.settings.imaging;
  if (!imaging) {
    log.info('imaging is not set up on this workstation (no imaging settings)');
    const notSetUp = async (): Promise<never> => {
      throw new HmsApiError({ code: 'unavailable', message: 'Imaging is not set up on this workstation; IT sets the PACS address in imaging.pacs.url of settings.json' });
    };
    return {
      handlers: { listStudies: notSetUp, getStudy: notSetUp, cacheStudy: notSetUp, prefetchStatus: async () => null, cacheJobs: async () => [] },
      readInstance: createInstanceReader({ ...options, cache: undefined, service: undefined, logger: log }),
      prefetch: undefined,
      async close() {},
    };
  }

  // The pins must be known before the cache opens, because opening evicts down to the bound.
  const pins = new WardPins(options.reader, options.settings.wardId, log);
  await pins.refresh();
  const cache = await StudyCache.open({
    dataDirectory: options.dataDirectory,
    replicaFile: options.replicaFile,
    ...(options.replicaKey ? { replicaKey: options.replicaKey } : {}),
    maxBytes: imaging.cache.maxBytes,
    pinnedPatientIds: () => pins.patientIds,
    logger: log,
    clock: options.clock,
  });
  const client = DicomWebClient.fromSettings(imaging.pacs, log);
  const extents = new StudyExtents(options.replicaFile, options.replicaKey);
  const cacheJobs = new StudyCacheJobs({
    isCached: (sopInstanceUid) => cache.has(sopInstanceUid),
    logger: log,
    onProgress: (job) => options.events.emit('imagingCacheJob', job),
  });
  const service = new ImagingService({
    client,
    cache,
    cacheJobs,
    extents,
    clock: options.clock,
    dicomPatientIdOf: (patientId) => dicomPatientIdOf(options.readerFor, patientId),
    pinnedPatientIds: () => pins.patientIds,
    logger: log,
  });
  const prefetch = new PrefetchRunner({
    client,
    cache,
    settings: imaging.cache.prefetch,
    patientIds: () => [...pins.patientIds],
    logger: log,
    clock: options.clock,
    onProgress: (progress) => options.events.emit('imagingPrefetch', progress),
    onStudyListed: (studyInstanceUid, instanceCount) => extents.record(studyInstanceUid, instanceCount, options.clock.now()),
    ...options.prefetch,
  });
  pins.follow(options.replica, () => prefetch.request());
  prefetch.request();
  log.info({ pinnedPatients: pins.patientIds.size, cachedStudies: cache.studies().length, cacheBytes: cache.totalBytes(), maxBytes: cache.maxBytes }, 'imaging started with its study cache');

  return {
    handlers: {
      listStudies: (input) => service.listStudies(input.patientId),
      getStudy: async (input) => ({ ...(await service.getStudy(input.studyInstanceUid, input.patientId)), windowPresets: imaging.viewer?.windowPresets ?? [...DEFAULT_WINDOW_PRESETS] }),
      cacheStudy: (input) => service.cacheStudy(input.studyInstanceUid, input.patientId),
      prefetchStatus: async () => prefetch.status(),
      cacheJobs: async () => cacheJobs.list(),
    },
    readInstance: createInstanceReader({ ...options, cache, service, logger: log }),
    prefetch,
    async close() {
      pins.close();
      await prefetch.close();
      // The jobs stop before the cache closes, so no download writes to a closed cache.
      await cacheJobs.close();
      cache.close();
      extents.close();
    },
  };
}

/** The MRN of a patient whose chart this workstation may open, which is their DICOM PatientID on the PACS. */
async function dicomPatientIdOf(readerFor: (patientId: string) => Promise<ChartReader | undefined>, patientId: string): Promise<string> {
  const reader = await readerFor(patientId);
  const patient = await reader?.patient(patientId);
  if (!patient) throw new HmsApiError({ code: 'not-found', message: `Patient ${patientId} is not on this workstation's ward and was not opened by breaking the glass` });
  const value = mrn(patient.resource);
  if (!value) throw new HmsApiError({ code: 'not-found', message: `Patient ${patientId} has no MRN, so their studies cannot be found on the PACS` });
  return value;
}
