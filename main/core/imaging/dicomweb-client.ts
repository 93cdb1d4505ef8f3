import type { Logger } from '../logging/logger.js';
import type { DicomJsonDataset } from './dicom-json.js';
import { requireDicomUid } from './dicom-json.js';
import { DicomWebError } from './dicomweb-error.js';
import type { InstanceRecord, SeriesRecord, StudyRecord } from './dicomweb-records.js';
import { toInstanceRecord, toSeriesRecord, toStudyRecord } from './dicomweb-records.js';
import type { PacsSettings } from './imaging-settings.js';
import { pacsSettings } from './imaging-settings.js';
import { readSinglePart } from './wado-multipart.js';

export type { InstanceRecord, SeriesRecord, StudyRecord } from './dicomweb-records.js';

/**
 * Asks for instances in the transfer syntax they are stored in. The default of DICOMweb servers
 * is Explicit VR Little Endian, which makes the PACS transcode every compressed instance, and
 * Orthanc 1.10 with DICOMweb 1.7 fails with HTTP 500 on JPEG 2000 without its GDCM plugin.
 */
const ACCEPT_STORED_INSTANCE = 'multipart/related; type="application/dicom"; transfer-syntax=*';
const ACCEPT_DICOM_JSON = 'application/dicom+json, application/json;q=0.9';

/**
 * Characters sent as they are in a query value. Orthanc 1.10.1 with DICOMweb 1.7 does not decode
 * percent-encoded query values, so only characters that would break the URL get encoded.
 */
const QUERY_VALUE_UNSAFE = /[^A-Za-z0-9\-._~^,:@!$()/]/g;
/** QIDO-RS wildcards (PS3.4 §C.2.2.2.4). DICOM has no escape for them. */
const WILDCARD = /[*?]/;

export interface DicomWebClientOptions extends Pick<PacsSettings, 'url' | 'authentication'> {
  requestTimeoutMs?: number;
  retrieveTimeoutMs?: number;
  maxInstanceBytes?: number;
  logger: Logger;
}

export interface RequestOptions {
  /** Cancels the request; the client then rejects with the signal's reason, unchanged. */
  signal?: AbortSignal;
}

export interface SearchOptions extends RequestOptions {
  /** Extra attributes to return, as keywords or tags (`includefield`). */
  includeFields?: readonly string[];
}

/** An instance as stored on the PACS, a DICOM Part 10 file. */
export interface RetrievedInstance {
  bytes: Uint8Array;
  /** The part's media type, `application/dicom`. */
  mediaType: string;
}

type Service = 'QIDO-RS' | 'WADO-RS';

/**
 * A client of a PACS's DICOMweb service: QIDO-RS searches for the studies of a patient, the series
 * of a study and the instances of a series, and WADO-RS retrieves instances and their metadata.
 * Logs name paths, UIDs, statuses and counts, never query values such as a PatientID.
 */
export class DicomWebClient {
  readonly #baseUrl: string;
  readonly #authorization: string | undefined;
  readonly #requestTimeoutMs: number;
  readonly #retrieveTimeoutMs: number;
  readonly #maxInstanceBytes: number;
  readonly #log: Logger;

  constructor(options: DicomWebClientOptions) {
    const defaults = pacsSettings.parse({ url: options.url });
    this.#baseUrl = options.url.replace(/\/+$/, '');
    this.#authorization = authorizationHeader(options.authentication);
    this.#requestTimeoutMs = options.requestTimeoutMs ?? defaults.requestTimeoutMs;
    this.#retrieveTimeoutMs = options.retrieveTimeoutMs ?? defaults.retrieveTimeoutMs;
    this.#maxInstanceBytes = options.maxInstanceBytes ?? defaults.maxInstanceBytes;
    this.#log = options.logger;
  }

  /** Creates a client from the `imaging.pacs` settings. */
  static fromSettings(settings: PacsSettings, logger: Logger): DicomWebClient {
    return new DicomWebClient({ ...settings, logger });
  }

  /**
   * Searches the studies of one patient by PatientID. Results whose PatientID is missing or not
   * exactly `patientId` are dropped, because QIDO-RS matching may be case-insensitive or fuzzy.
   */
  async searchStudiesOfPatient(patientId: string, options: SearchOptions = {}): Promise<StudyRecord[]> {
    if (patientId === '' || WILDCARD.test(patientId)) {
      throw new Error('Invalid PatientID for a study search: it is empty or contains a QIDO-RS wildcard (* or ?), which would match other patients');
    }
    const datasets = await this.#search('/studies', { PatientID: patientId, includefield: includeFieldsValue(options.includeFields) }, options.signal);
    const studies = datasets.map(toStudyRecord).filter((study) => study !== undefined);
    const matching = studies.filter((study) => study.patientId === patientId);
    if (matching.length !== datasets.length) {
      this.#log.warn({ returned: datasets.length, kept: matching.length }, 'dropped QIDO-RS study results without a study UID or of another PatientID');
    }
    return matching;
  }

  async searchSeriesOfStudy(studyInstanceUid: string, options: SearchOptions = {}): Promise<SeriesRecord[]> {
    const study = requireDicomUid(studyInstanceUid, 'StudyInstanceUID');
    const datasets = await this.#search(`/studies/${study}/series`, { includefield: includeFieldsValue(options.includeFields) }, options.signal);
    return datasets.map((dataset) => toSeriesRecord(study, dataset)).filter((series) => series !== undefined);
  }

  async searchInstancesOfSeries(studyInstanceUid: string, seriesInstanceUid: string, options: SearchOptions = {}): Promise<InstanceRecord[]> {
    const study = requireDicomUid(studyInstanceUid, 'StudyInstanceUID');
    const series = requireDicomUid(seriesInstanceUid, 'SeriesInstanceUID');
    const datasets = await this.#search(`/studies/${study}/series/${series}/instances`, { includefield: includeFieldsValue(options.includeFields) }, options.signal);
    return datasets.map((dataset) => toInstanceRecord(study, series, dataset)).filter((instance) => instance !== undefined);
  }

  /** Retrieves the DICOM JSON metadata of every instance of a series; PixelData comes as a BulkDataURI or not at all. */
  async retrieveSeriesMetadata(studyInstanceUid: string, seriesInstanceUid: string, options: RequestOptions = {}): Promise<DicomJsonDataset[]> {
    const study = requireDicomUid(studyInstanceUid, 'StudyInstanceUID');
    const series = requireDicomUid(seriesInstanceUid, 'SeriesInstanceUID');
    return this.#getDicomJson('WADO-RS', `/studies/${study}/series/${series}/metadata`, {}, options.signal);
  }

  async retrieveInstanceMetadata(studyInstanceUid: string, seriesInstanceUid: string, sopInstanceUid: string, options: RequestOptions = {}): Promise<DicomJsonDataset> {
    const path = instancePath(studyInstanceUid, seriesInstanceUid, sopInstanceUid);
    const datasets = await this.#getDicomJson('WADO-RS', `${path}/metadata`, {}, options.signal);
    const [dataset] = datasets;
    if (datasets.length !== 1 || !dataset) {
      throw new DicomWebError(`WADO-RS GET ${path}/metadata returned ${datasets.length} datasets instead of 1`, 'invalid-response', `${path}/metadata`);
    }
    return dataset;
  }

  /**
   * Retrieves one instance as stored on the PACS (`transfer-syntax=*`), as the Part 10 bytes of
   * the single `application/dicom` part of a multipart/related response.
   */
  async retrieveInstance(studyInstanceUid: string, seriesInstanceUid: string, sopInstanceUid: string, options: RequestOptions = {}): Promise<RetrievedInstance> {
    const path = instancePath(studyInstanceUid, seriesInstanceUid, sopInstanceUid);
    return this.#exchange('WADO-RS', path, {}, ACCEPT_STORED_INSTANCE, this.#retrieveTimeoutMs, options.signal, async (response) => {
      const part = await readSinglePart(response, this.#maxInstanceBytes, `WADO-RS GET ${path}`, path);
      if (part.mediaType !== 'application/dicom') {
        throw new DicomWebError(`WADO-RS GET ${path} returned a part of type ${part.mediaType} instead of application/dicom`, 'invalid-response', path, response.status);
      }
      return part;
    });
  }

  async #search(path: string, query: Record<string, string | undefined>, signal: AbortSignal | undefined): Promise<DicomJsonDataset[]> {
    return this.#getDicomJson('QIDO-RS', path, query, signal);
  }

  async #getDicomJson(service: Service, path: string, query: Record<string, string | undefined>, signal: AbortSignal | undefined): Promise<DicomJsonDataset[]> {
    return this.#exchange(service, path, query, ACCEPT_DICOM_JSON, this.#requestTimeoutMs, signal, async (response, described) => {
      // QIDO-RS returns 204 No Content when nothing matches.
      if (response.status === 204) return [];
      let body: unknown;
      try {
        body = await response.json();
      } catch (error) {
        if (isAbort(error)) throw error;
        throw new DicomWebError(`${service} GET ${described} returned a body that is not JSON`, 'invalid-response', described, response.status, { cause: error });
      }
      if (!Array.isArray(body) || !body.every((item) => typeof item === 'object' && item !== null && !Array.isArray(item))) {
        throw new DicomWebError(`${service} GET ${described} returned JSON that is not an array of DICOM JSON datasets`, 'invalid-response', described, response.status);
      }
      return body as DicomJsonDataset[];
    });
  }

  /**
   * Sends one GET and hands a 2xx response to `read`, all under one time limit, so a PACS that
   * stalls in the middle of a body is given up too. Every failure becomes a DicomWebError, except
   * a cancel through the caller's signal, whose reason is passed on unchanged.
   */
  async #exchange<T>(
    service: Service,
    path: string,
    query: Record<string, string | undefined>,
    accept: string,
    timeoutMs: number,
    callerSignal: AbortSignal | undefined,
    read: (response: Response, described: string) => Promise<T>,
  ): Promise<T> {
    const described = describePath(path, query);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
    const headers: Record<string, string> = { accept };
    if (this.#authorization) headers.authorization = this.#authorization;
    const started = performance.now();
    try {
      const response = await fetch(`${this.#baseUrl}${path}${queryString(query)}`, { headers, signal });
      if (!response.ok) {
        await response.body?.cancel();
        throw statusError(service, described, response);
      }
      const result = await read(response, described);
      this.#log.debug({ service, path: described, status: response.status, ms: Math.round(performance.now() - started) }, 'DICOMweb request done');
      return result;
    } catch (error) {
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (error instanceof DicomWebError) throw error;
      if (timeout.aborted) {
        throw new DicomWebError(`${service} GET ${described} timed out after ${timeoutMs} ms; check the PACS or raise the time limit in the imaging.pacs settings`, 'timeout', described, undefined, { cause: error });
      }
      throw new DicomWebError(`${service} GET ${described} failed: the PACS at ${this.#baseUrl} could not be reached (${(error as Error).message})`, 'unreachable', described, undefined, { cause: error });
    }
  }
}

function statusError(service: Service, described: string, response: Response): DicomWebError {
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  if (response.status === 401 || response.status === 403) {
    return new DicomWebError(`${service} GET ${described} was rejected with ${status}; check imaging.pacs.authentication in the settings`, 'unauthorized', described, response.status);
  }
  return new DicomWebError(`${service} GET ${described} failed with ${status}`, 'status', described, response.status);
}

function instancePath(studyInstanceUid: string, seriesInstanceUid: string, sopInstanceUid: string): string {
  const study = requireDicomUid(studyInstanceUid, 'StudyInstanceUID');
  const series = requireDicomUid(seriesInstanceUid, 'SeriesInstanceUID');
  const instance = requireDicomUid(sopInstanceUid, 'SOPInstanceUID');
  return `/studies/${study}/series/${series}/instances/${instance}`;
}

function authorizationHeader(authentication: PacsSettings['authentication']): string | undefined {
  if (!authentication) return undefined;
  if (authentication.type === 'bearer') return `Bearer ${authentication.token}`;
  return `Basic ${Buffer.from(`${authentication.username}:${authentication.password}`, 'utf8').toString('base64')}`;
}

function includeFieldsValue(fields: readonly string[] | undefined): string | undefined {
  return fields && fields.length > 0 ? fields.join(',') : undefined;
}

function queryString(query: Record<string, string | undefined>): string {
  const pairs = Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined);
  if (pairs.length === 0) return '';
  const encode = (text: string) => text.replace(QUERY_VALUE_UNSAFE, (character) => encodeURIComponent(character));
  return `?${pairs.map(([key, value]) => `${encode(key)}=${encode(value)}`).join('&')}`;
}

/** Describes a request for messages and logs: the path with its query keys, without their values. */
function describePath(path: string, query: Record<string, string | undefined>): string {
  const keys = Object.keys(query).filter((key) => query[key] !== undefined);
  return keys.length === 0 ? path : `${path}?${keys.map((key) => `${key}=…`).join('&')}`;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}
