import { HmsApiError } from '../../../preload/api/errors.js';
import type { ImagingSeries, ImagingStudy, StudyCacheJob, StudySeriesList } from '../../../preload/api/imaging-schemas.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logging/logger.js';
import { Tag } from './dicom-json.js';
import type { DicomWebClient } from './dicomweb-client.js';
import { DicomWebError } from './dicomweb-error.js';
import type { InstanceHeader } from './instance-header.js';
import { readInstanceHeader } from './instance-header.js';
import type { StudyCache } from './study-cache.js';
import { StudyCacheFullError } from './study-cache.js';
import type { StudyCacheJobs, StudyInstance } from './study-cache-jobs.js';
import type { StudyExtents } from './study-extents.js';
import { byDateDescending, byNumber, seriesFromCache, seriesFromPacs, studyFromCache, studyFromPacs } from './study-views.js';

export interface ImagingServiceOptions {
  client: DicomWebClient;
  cache: StudyCache;
  /** Runs the downloads that `cacheStudy` starts. */
  cacheJobs: StudyCacheJobs;
  /** Instance counts the PACS reported, for the cached marks while it is unreachable. */
  extents: StudyExtents;
  /**
   * The DICOM PatientID of a FHIR Patient.id: the patient's MRN. Rejects with `not-found` for a
   * patient this workstation may not open or who has no MRN.
   */
  dicomPatientIdOf: (patientId: string) => Promise<string>;
  /** DICOM PatientIDs of the ward's patients, whose studies are pinned in the cache. */
  pinnedPatientIds: () => ReadonlySet<string>;
  logger: Logger;
  clock: Clock;
}

/**
 * The imaging calls of the chart: a patient's studies, a study's series and instances, and starting
 * the background caching of a whole study. Lists come from the PACS; when it cannot be reached they come from the study
 * cache, so cached studies still open offline. Logs carry UIDs and counts, never a PatientID.
 */
export class ImagingService {
  readonly #client: DicomWebClient;
  readonly #cache: StudyCache;
  readonly #options: ImagingServiceOptions;
  readonly #log: Logger;

  constructor(options: ImagingServiceOptions) {
    this.#client = options.client;
    this.#cache = options.cache;
    this.#options = options;
    this.#log = options.logger;
  }

  async listStudies(patientId: string): Promise<ImagingStudy[]> {
    const dicomPatientId = await this.#options.dicomPatientIdOf(patientId);
    const pinned = this.#options.pinnedPatientIds().has(dicomPatientId);
    try {
      // QIDO-RS returns StudyDescription only when asked for (Orthanc 1.10 with DICOMweb 1.7).
      const records = await this.#client.searchStudiesOfPatient(dicomPatientId, { includeFields: [Tag.StudyDescription] });
      for (const record of records) if (record.numberOfStudyRelatedInstances !== undefined) this.#recordExtent(record.studyInstanceUid, record.numberOfStudyRelatedInstances);
      return records.map((record) => studyFromPacs(record, { instances: this.#cache.study(record.studyInstanceUid)?.instanceCount ?? 0, pinned })).sort(byDateDescending);
    } catch (error) {
      if (!(error instanceof DicomWebError)) throw error;
      const cached = await this.#cachedStudiesOf(dicomPatientId, pinned);
      this.#log.warn({ failure: error.failure, status: error.status, cachedStudies: cached.length }, 'the PACS failed the study search; listing the cached studies only');
      if (cached.length === 0) throw unavailable(error, 'and no study of this patient is cached on this workstation');
      return cached;
    }
  }

  async getStudy(studyInstanceUid: string, patientId: string | undefined): Promise<StudySeriesList> {
    const dicomPatientId = patientId === undefined ? undefined : await this.#options.dicomPatientIdOf(patientId);
    try {
      if (dicomPatientId !== undefined) await this.#requireStudyOfPatient(studyInstanceUid, dicomPatientId);
      const series = await this.#seriesFromPacs(studyInstanceUid);
      if (series.length === 0) throw new HmsApiError({ code: 'not-found', message: `The PACS has no study ${studyInstanceUid}` });
      this.#recordExtent(studyInstanceUid, series.reduce((sum, entry) => sum + entry.instances.length, 0));
      return { studyInstanceUid, patientId: patientId ?? null, series, listedBy: 'pacs' };
    } catch (error) {
      if (!(error instanceof DicomWebError)) throw error;
      const series = await this.#seriesFromCache(studyInstanceUid, dicomPatientId);
      this.#log.warn({ failure: error.failure, status: error.status, studyInstanceUid, cachedSeries: series.length }, 'the PACS failed to list a study; opening its cached instances');
      if (series.length === 0) throw unavailable(error, 'and this study is not cached on this workstation');
      return { studyInstanceUid, patientId: patientId ?? null, series, listedBy: 'cache' };
    }
  }

  /**
   * Starts caching a study in the background and returns its job at once. The checks happen
   * before the job starts: the study must be the patient's and the PACS must list its instances.
   * A study whose job is queued or running returns that job.
   */
  async cacheStudy(studyInstanceUid: string, patientId: string | undefined): Promise<StudyCacheJob> {
    const dicomPatientId = patientId === undefined ? undefined : await this.#options.dicomPatientIdOf(patientId);
    let instances: StudyInstance[];
    try {
      if (dicomPatientId !== undefined) await this.#requireStudyOfPatient(studyInstanceUid, dicomPatientId);
      const running = this.#options.cacheJobs.find(studyInstanceUid);
      if (running) return running;
      instances = (await this.#seriesFromPacs(studyInstanceUid)).flatMap((series) => series.instances.map((instance) => ({ seriesInstanceUid: series.seriesInstanceUid, sopInstanceUid: instance.sopInstanceUid })));
    } catch (error) {
      if (error instanceof DicomWebError) throw unavailable(error, 'so the study cannot be cached now');
      throw error;
    }
    if (instances.length === 0) throw new HmsApiError({ code: 'not-found', message: `The PACS has no study ${studyInstanceUid}` });
    this.#recordExtent(studyInstanceUid, instances.length);
    return this.#options.cacheJobs.start(studyInstanceUid, instances, (instance, signal) => this.#download(studyInstanceUid, instance, dicomPatientId, signal));
  }

  /**
   * Retrieves one instance from the PACS and stores it in the cache. The bytes come back even when
   * the cache has no room for them, so the viewer shows the image anyway.
   */
  async fetchInstance(studyInstanceUid: string, seriesInstanceUid: string, sopInstanceUid: string): Promise<Uint8Array> {
    const retrieved = await this.#client.retrieveInstance(studyInstanceUid, seriesInstanceUid, sopInstanceUid);
    try {
      await this.#store(studyInstanceUid, { seriesInstanceUid, sopInstanceUid }, retrieved.bytes, undefined);
    } catch (error) {
      if (!(error instanceof StudyCacheFullError)) throw error;
      this.#log.warn({ studyInstanceUid, sopInstanceUid }, 'the study cache had no room for an instance the viewer opened; it was shown without being cached');
    }
    return retrieved.bytes;
  }

  #recordExtent(studyInstanceUid: string, instanceCount: number): void {
    this.#options.extents.record(studyInstanceUid, instanceCount, this.#options.clock.now());
  }

  async #download(studyInstanceUid: string, instance: StudyInstance, dicomPatientId: string | undefined, signal: AbortSignal): Promise<void> {
    const retrieved = await this.#client.retrieveInstance(studyInstanceUid, instance.seriesInstanceUid, instance.sopInstanceUid, { signal });
    await this.#store(studyInstanceUid, instance, retrieved.bytes, dicomPatientId);
  }

  /** Stores an instance under the PatientID in its own header, so pinning follows the file's patient. */
  async #store(studyInstanceUid: string, instance: StudyInstance, bytes: Uint8Array, dicomPatientId: string | undefined): Promise<void> {
    const header = readInstanceHeader(bytes);
    await this.#cache.putInstance(
      { patientId: header?.patientId ?? dicomPatientId ?? '', studyInstanceUid, seriesInstanceUid: instance.seriesInstanceUid, sopInstanceUid: instance.sopInstanceUid, studyDate: header?.studyDate },
      bytes,
    );
  }

  async #seriesFromPacs(studyInstanceUid: string): Promise<ImagingSeries[]> {
    const seriesRecords = await this.#client.searchSeriesOfStudy(studyInstanceUid);
    const series: ImagingSeries[] = [];
    for (const record of seriesRecords) {
      // NumberOfFrames comes only when asked for (Orthanc 1.10 with DICOMweb 1.7).
      const instances = await this.#client.searchInstancesOfSeries(studyInstanceUid, record.seriesInstanceUid, { includeFields: [Tag.NumberOfFrames] });
      series.push(seriesFromPacs(record, instances));
    }
    return series.sort(byNumber);
  }

  /** Rejects a study that the PACS does not list under the patient's PatientID. */
  async #requireStudyOfPatient(studyInstanceUid: string, dicomPatientId: string): Promise<void> {
    const studies = await this.#client.searchStudiesOfPatient(dicomPatientId);
    if (!studies.some((study) => study.studyInstanceUid === studyInstanceUid)) {
      throw new HmsApiError({ code: 'not-found', message: `Study ${studyInstanceUid} is not a study of this patient on the PACS` });
    }
  }

  async #seriesFromCache(studyInstanceUid: string, dicomPatientId: string | undefined): Promise<ImagingSeries[]> {
    const study = this.#cache.study(studyInstanceUid);
    if (!study || (dicomPatientId !== undefined && study.patientId !== dicomPatientId)) return [];
    const entries = [];
    for (const instance of this.#cache.instancesOfStudy(studyInstanceUid)) {
      const bytes = await this.#cache.readInstance(instance.sopInstanceUid);
      if (!bytes) continue;
      entries.push({ seriesInstanceUid: instance.seriesInstanceUid, sopInstanceUid: instance.sopInstanceUid, header: readInstanceHeader(bytes) });
    }
    return seriesFromCache(entries);
  }

  async #cachedStudiesOf(dicomPatientId: string, pinned: boolean): Promise<ImagingStudy[]> {
    const rows: ImagingStudy[] = [];
    for (const study of this.#cache.studies().filter((entry) => entry.patientId === dicomPatientId)) {
      const firstOfSeries = new Map<string, string>();
      for (const instance of this.#cache.instancesOfStudy(study.studyInstanceUid)) {
        if (!firstOfSeries.has(instance.seriesInstanceUid)) firstOfSeries.set(instance.seriesInstanceUid, instance.sopInstanceUid);
      }
      const headers: InstanceHeader[] = [];
      for (const sopInstanceUid of firstOfSeries.values()) {
        const bytes = await this.#cache.readInstance(sopInstanceUid);
        const header = bytes ? readInstanceHeader(bytes) : undefined;
        if (header) headers.push(header);
      }
      rows.push(studyFromCache({ ...study, seriesCount: firstOfSeries.size }, headers, pinned, this.#options.extents.instanceCount(study.studyInstanceUid) ?? null));
    }
    return rows.sort(byDateDescending);
  }
}

/** The API error of a PACS failure: the PACS's words, then what it means for this call. */
function unavailable(error: DicomWebError, consequence: string): HmsApiError {
  return new HmsApiError({ code: 'unavailable', message: `The PACS failed (${error.message}) ${consequence}` });
}
