import { IMAGE_VIEWERS } from '../../../preload/api/roles.js';
import type { SessionInfo } from '../../../preload/api/schemas.js';
import type { Logger } from '../logging/logger.js';
import { isDicomUid } from './dicom-json.js';
import { DicomWebError } from './dicomweb-error.js';
import type { ImagingService } from './imaging-service.js';
import type { StudyCache } from './study-cache.js';

/** One instance as the viewer asks for it, by the UIDs in its URL. */
export interface InstanceRequest {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
}

/**
 * The response to an instance request: the Part 10 bytes as `application/dicom`, or an
 * HTTP status with a message for a JSON error body.
 */
export type InstanceResponse = { status: 200; bytes: Uint8Array } | { status: 400 | 401 | 403 | 404 | 423 | 502 | 504; error: string };

/** The one core call behind the browser host's instance route and the Electron `hms-dicom:` scheme. */
export type ReadImagingInstance = (request: InstanceRequest) => Promise<InstanceResponse>;

export interface InstanceAccessOptions {
  currentSession: () => SessionInfo | null;
  isLocked: () => boolean;
  /** Absent on a workstation without imaging settings. */
  cache: StudyCache | undefined;
  service: ImagingService | undefined;
  logger: Logger;
}

/**
 * Creates the instance reader of the hosts. It serves the signed-in, unlocked session of a user who
 * may view images, the same rule the gateway applies to the imaging calls. An instance comes from
 * the study cache, or else from the PACS through the cache.
 */
export function createInstanceReader(options: InstanceAccessOptions): ReadImagingInstance {
  return async (request) => {
    for (const [name, uid] of Object.entries(request)) {
      if (!isDicomUid(uid)) return { status: 400, error: `Invalid ${name} "${uid.slice(0, 70)}": a DICOM UID is digits and dots, at most 64 characters` };
    }
    const session = options.currentSession();
    if (!session) return { status: 401, error: 'Sign in to view images' };
    if (options.isLocked()) return { status: 423, error: `The workstation is locked; ${session.user.username} must unlock it first` };
    if (!session.user.roles.some((role) => IMAGE_VIEWERS.includes(role))) {
      return { status: 403, error: `Viewing images needs the role ${IMAGE_VIEWERS.join(' or ')}; ${session.user.username} has ${session.user.roles.join(', ') || 'no role'}` };
    }
    if (!options.cache || !options.service) return { status: 404, error: 'Imaging is not set up on this workstation, so no instance is cached or can be retrieved; IT sets imaging.pacs in settings.json' };

    const cached = await options.cache.readInstance(request.sopInstanceUid);
    if (cached) return { status: 200, bytes: cached };

    try {
      const bytes = await options.service.fetchInstance(request.studyInstanceUid, request.seriesInstanceUid, request.sopInstanceUid);
      return { status: 200, bytes };
    } catch (error) {
      if (!(error instanceof DicomWebError)) throw error;
      options.logger.warn({ failure: error.failure, status: error.status, studyInstanceUid: request.studyInstanceUid, sopInstanceUid: request.sopInstanceUid }, 'an instance the viewer asked for is not cached and the PACS failed to return it');
      if (error.failure === 'status' && error.status === 404) return { status: 404, error: `Instance ${request.sopInstanceUid} is not cached and the PACS does not have it` };
      if (error.failure === 'timeout') return { status: 504, error: `Instance ${request.sopInstanceUid} is not cached and the PACS timed out: ${error.message}` };
      return { status: 502, error: `Instance ${request.sopInstanceUid} is not cached and the PACS failed to return it: ${error.message}` };
    }
  };
}
