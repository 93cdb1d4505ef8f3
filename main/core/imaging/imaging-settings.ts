import { z } from 'zod';

import { DEFAULT_WINDOW_PRESETS, windowPresetList } from '../../../preload/api/imaging-presets.js';

const MEBIBYTE = 1024 * 1024;

/** How the workstation signs in to the PACS's DICOMweb service. */
export const pacsAuthentication = z.discriminatedUnion('type', [
  z.object({ type: z.literal('basic'), username: z.string().min(1), password: z.string() }),
  z.object({ type: z.literal('bearer'), token: z.string().min(1) }),
]);
export type PacsAuthentication = z.infer<typeof pacsAuthentication>;

/** The PACS's DICOMweb service. */
export const pacsSettings = z.object({
  /** DICOMweb root, such as `https://pacs.example.org/dicom-web`; QIDO-RS and WADO-RS paths go under it. */
  url: z.url({ protocol: /^https?$/, message: 'imaging.pacs.url must be an http:// or https:// URL' }),
  // NOTE: the secret sits in settings.json (mode 0600) until the credential store takes PACS credentials.
  authentication: pacsAuthentication.optional(),
  /** Time limit in milliseconds of a QIDO-RS search or a metadata request, body included. */
  requestTimeoutMs: z.number().int().positive().default(15_000),
  /** Time limit in milliseconds of retrieving one instance with WADO-RS, body included. */
  retrieveTimeoutMs: z.number().int().positive().default(120_000),
  /** Largest instance accepted from the PACS, in bytes; a retrieve holds one instance in memory. */
  maxInstanceBytes: z.number().int().positive().default(512 * MEBIBYTE),
});
export type PacsSettings = z.infer<typeof pacsSettings>;

/** Which studies the workstation downloads ahead of time for its ward's patients. */
export const prefetchSettings = z.object({
  /** Only studies whose StudyDate is at most this many days old. */
  maxAgeDays: z.number().int().nonnegative().default(365),
  /** At most this many of the newest studies of each patient. */
  maxStudiesPerPatient: z.number().int().positive().default(3),
  /** Skips a study with more instances than this, such as a large CT, so it does not crowd out the others. */
  maxInstancesPerStudy: z.number().int().positive().default(2_000),
});
export type PrefetchSettings = z.infer<typeof prefetchSettings>;

/** The on-disk study cache. */
export const studyCacheSettings = z.object({
  /** Bound of the instances kept on disk, in bytes; least recently used studies go first. */
  maxBytes: z.number().int().positive().default(10 * 1024 * MEBIBYTE),
  prefetch: prefetchSettings.default(prefetchSettings.parse({})),
});
export type StudyCacheSettings = z.infer<typeof studyCacheSettings>;

/** The DICOM viewer. */
export const viewerSettings = z.object({
  /** Window presets offered in the viewer, in this order; the CT presets brain to bone by default. */
  windowPresets: windowPresetList.default([...DEFAULT_WINDOW_PRESETS]),
});
export type ViewerSettings = z.infer<typeof viewerSettings>;

export const imagingSettings = z.object({
  pacs: pacsSettings,
  cache: studyCacheSettings.default(studyCacheSettings.parse({})),
  /** Absent means the viewer's defaults; optional so settings built in code need not spell it out. */
  viewer: viewerSettings.optional(),
});
export type ImagingSettings = z.infer<typeof imagingSettings>;
