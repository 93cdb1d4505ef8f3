import type { ImagingSeries, ImagingStudy, StudyCacheState } from '../../../preload/api/imaging-schemas.js';
import type { InstanceRecord, SeriesRecord, StudyRecord } from './dicomweb-records.js';
import type { InstanceHeader } from './instance-header.js';

/** What the study cache holds of one study, for the cached mark of the study list. */
export interface CachedCount {
  instances: number;
  pinned: boolean;
}

/** A DICOM DA (`YYYYMMDD`) as an ISO date, or null when it is missing or malformed. */
export function isoDateOf(studyDate: string | undefined): string | null {
  const match = studyDate ? /^(\d{4})(\d{2})(\d{2})$/.exec(studyDate) : null;
  return match ? `${match[1]}-${match[2]}-${match[3]}` : null;
}

/**
 * The cached mark: `full` when the cache holds at least the instances the PACS counts. Without a
 * count from the PACS, a study with cached instances is `partial`, since nothing says it is whole.
 */
export function cacheStateOf(cachedInstances: number, instanceCount: number | null): StudyCacheState {
  if (cachedInstances === 0) return 'none';
  return instanceCount !== null && cachedInstances >= instanceCount ? 'full' : 'partial';
}

export function studyFromPacs(record: StudyRecord, cached: CachedCount): ImagingStudy {
  const instanceCount = record.numberOfStudyRelatedInstances ?? null;
  return {
    studyInstanceUid: record.studyInstanceUid,
    date: isoDateOf(record.studyDate),
    description: record.studyDescription ?? null,
    modalities: record.modalitiesInStudy,
    seriesCount: record.numberOfStudyRelatedSeries ?? null,
    instanceCount,
    cachedInstanceCount: cached.instances,
    cached: cacheStateOf(cached.instances, instanceCount),
    pinned: cached.pinned,
    listedBy: 'pacs',
  };
}

/**
 * A study row made from the cache when the PACS is unreachable: counts from the cache index, and
 * description and modalities from one cached instance of each series. `knownInstanceCount` is the
 * count the PACS last reported; without it nothing says the cached study is whole, so it is `partial`.
 */
export function studyFromCache(
  study: { studyInstanceUid: string; studyDate: string | undefined; seriesCount: number; instanceCount: number },
  seriesHeaders: readonly InstanceHeader[],
  pinned: boolean,
  knownInstanceCount: number | null,
): ImagingStudy {
  const first = seriesHeaders[0];
  const modalities = [...new Set(seriesHeaders.map((header) => header.modality).filter((modality): modality is string => modality !== undefined))].sort();
  return {
    studyInstanceUid: study.studyInstanceUid,
    date: isoDateOf(study.studyDate ?? first?.studyDate),
    description: first?.studyDescription ?? null,
    modalities,
    seriesCount: study.seriesCount,
    instanceCount: knownInstanceCount,
    cachedInstanceCount: study.instanceCount,
    cached: cacheStateOf(study.instanceCount, knownInstanceCount),
    pinned,
    listedBy: 'cache',
  };
}

/** Newest first; studies without a date last. */
export function byDateDescending(a: ImagingStudy, b: ImagingStudy): number {
  return (b.date ?? '').localeCompare(a.date ?? '') || a.studyInstanceUid.localeCompare(b.studyInstanceUid);
}

export function seriesFromPacs(series: SeriesRecord, instances: readonly InstanceRecord[]): ImagingSeries {
  return {
    seriesInstanceUid: series.seriesInstanceUid,
    modality: series.modality ?? null,
    description: series.seriesDescription ?? null,
    number: integerOrNull(series.seriesNumber),
    instances: instances
      .map((instance) => ({ sopInstanceUid: instance.sopInstanceUid, number: integerOrNull(instance.instanceNumber), frames: framesOf(instance.numberOfFrames) }))
      .sort(byNumber),
  };
}

/** The series list of a study built from the headers of its cached instances. */
export function seriesFromCache(entries: readonly { seriesInstanceUid: string; sopInstanceUid: string; header: InstanceHeader | undefined }[]): ImagingSeries[] {
  const bySeries = new Map<string, ImagingSeries>();
  for (const { seriesInstanceUid, sopInstanceUid, header } of entries) {
    let series = bySeries.get(seriesInstanceUid);
    if (!series) {
      series = { seriesInstanceUid, modality: header?.modality ?? null, description: header?.seriesDescription ?? null, number: integerOrNull(header?.seriesNumber), instances: [] };
      bySeries.set(seriesInstanceUid, series);
    }
    series.instances.push({ sopInstanceUid, number: integerOrNull(header?.instanceNumber), frames: framesOf(header?.numberOfFrames) });
  }
  const list = [...bySeries.values()];
  for (const series of list) series.instances.sort(byNumber);
  return list.sort(byNumber);
}

/** Series by SeriesNumber and instances by InstanceNumber; those without a number last, then by UID. */
export function byNumber<T extends { number: number | null }>(a: T, b: T): number {
  const left = a.number ?? Number.MAX_SAFE_INTEGER;
  const right = b.number ?? Number.MAX_SAFE_INTEGER;
  if (left !== right) return left - right;
  return uidOf(a).localeCompare(uidOf(b));
}

function uidOf(item: object): string {
  const record = item as { seriesInstanceUid?: string; sopInstanceUid?: string };
  return record.sopInstanceUid ?? record.seriesInstanceUid ?? '';
}

function integerOrNull(value: number | undefined): number | null {
  return value !== undefined && Number.isInteger(value) ? value : null;
}

function framesOf(value: number | undefined): number {
  return value !== undefined && Number.isInteger(value) && value > 1 ? value : 1;
}
