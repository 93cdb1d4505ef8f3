import { z } from 'zod';

import { windowPresetList } from './imaging-presets.js';
import { patientId } from './schemas.js';

/**
 * Data of the chart's imaging tab and the viewer: the patient's studies on the PACS, the series
 * and instances of one study, and the progress of the background prefetch and caching jobs.
 */

/** A DICOM UID (PS3.5 §9.1): digit components separated by dots, at most 64 characters. */
export const dicomUid = z
  .string()
  .max(64, 'a DICOM UID has at most 64 characters')
  .regex(/^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/, 'a DICOM UID is digits separated by dots, without leading zeros');

/** How much of a study the workstation's study cache contains. */
export const studyCacheState = z.enum(['none', 'partial', 'full']);
export type StudyCacheState = z.infer<typeof studyCacheState>;

export const imagingStudy = z.object({
  studyInstanceUid: dicomUid,
  /** StudyDate as an ISO date (`2026-12-05`); null when the PACS has none. */
  date: z.iso.date().nullable(),
  description: z.string().nullable(),
  /** ModalitiesInStudy, such as `CT` and `SR`. */
  modalities: z.array(z.string()),
  seriesCount: z.number().int().min(0).nullable(),
  instanceCount: z.number().int().min(0).nullable(),
  /** Instances of the study in the study cache. */
  cachedInstanceCount: z.number().int().min(0),
  cached: studyCacheState,
  /** True when eviction keeps the study, because its patient is on this workstation's ward. */
  pinned: z.boolean(),
  /** `cache`: the PACS could not be reached, so the row comes from the study cache alone. */
  listedBy: z.enum(['pacs', 'cache']),
});
export type ImagingStudy = z.infer<typeof imagingStudy>;

export const imagingInstance = z.object({
  sopInstanceUid: dicomUid,
  /** InstanceNumber; null when the instance has none. */
  number: z.number().int().nullable(),
  /** NumberOfFrames; 1 for a single-frame image. */
  frames: z.number().int().min(1),
});
export type ImagingInstance = z.infer<typeof imagingInstance>;

export const imagingSeries = z.object({
  seriesInstanceUid: dicomUid,
  modality: z.string().nullable(),
  description: z.string().nullable(),
  /** SeriesNumber; null when the series has none. */
  number: z.number().int().nullable(),
  /** Instances in InstanceNumber order. */
  instances: z.array(imagingInstance),
});
export type ImagingSeries = z.infer<typeof imagingSeries>;

/** One study's series and instances, as the viewer opens them. */
export const studySeriesList = z.object({
  studyInstanceUid: dicomUid,
  /** The FHIR Patient.id given in the request, so the audit trail names the patient. */
  patientId: z.string().nullable(),
  /** Series in SeriesNumber order. */
  series: z.array(imagingSeries),
  /** `cache`: the PACS could not be reached, so only cached instances are listed. */
  listedBy: z.enum(['pacs', 'cache']),
  /** Window presets of the viewer from the imaging settings; the viewer's CT defaults when absent. */
  windowPresets: windowPresetList.optional(),
});
export type StudySeriesList = z.infer<typeof studySeriesList>;

export const listStudiesInput = z.object({ patientId });

export const getStudyInput = z.object({
  studyInstanceUid: dicomUid,
  /** The patient whose chart opened the study; the core checks the study belongs to them. */
  patientId: patientId.optional(),
});

export const cacheStudyInput = z.object({
  studyInstanceUid: dicomUid,
  patientId: patientId.optional(),
});

/** Outcome of a background caching job: the prefetch's outcomes, and `failed` for any other error. */
export const studyCacheJobOutcome = z.enum(['complete', 'cache-full', 'pacs-unavailable', 'cancelled', 'failed']);
export type StudyCacheJobOutcome = z.infer<typeof studyCacheJobOutcome>;

/**
 * The background download of one study into the study cache, as `imaging:cacheStudy` returns it
 * and the `imaging:cacheJob` event reports it. Counts and the study's UID only, no patient data.
 */
export const studyCacheJob = z.object({
  studyInstanceUid: dicomUid,
  /** `queued`: the job waits for the jobs before it, because jobs run one at a time. */
  state: z.enum(['queued', 'running', 'finished']),
  /**
   * Outcome of the job, null until it ends. `complete` means every instance was tried, so with
   * `instancesFailed` above 0 the study is partly cached.
   */
  outcome: studyCacheJobOutcome.nullable(),
  /** Instances of the study on the PACS. */
  instancesTotal: z.number().int().min(0),
  /** Instances in the cache so far: downloaded by this job or cached before it. */
  instancesDone: z.number().int().min(0),
  /** Instances the PACS failed to return; the job goes on without them. */
  instancesFailed: z.number().int().min(0),
  /** Instances this job downloaded. */
  instancesDownloaded: z.number().int().min(0),
  /** Reason the job ended early, such as a full cache or an unreachable PACS, and null otherwise. */
  error: z.string().nullable(),
});
export type StudyCacheJob = z.infer<typeof studyCacheJob>;

/** Progress of the background download of the ward patients' recent studies. Counts only. */
export const imagingPrefetchProgress = z.object({
  state: z.enum(['running', 'finished']),
  /** How the last run ended; null while it runs. */
  outcome: z.enum(['complete', 'cache-full', 'pacs-unavailable', 'cancelled']).nullable(),
  studiesDone: z.number().int().min(0),
  studiesTotal: z.number().int().min(0),
  instancesDone: z.number().int().min(0),
  instancesTotal: z.number().int().min(0),
  /** Bytes downloaded in this run. */
  bytes: z.number().int().min(0),
});
export type ImagingPrefetchProgress = z.infer<typeof imagingPrefetchProgress>;
