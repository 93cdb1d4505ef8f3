import type { ImagingInstance, ImagingSeries, StudySeriesList } from '../../../../preload/api/imaging-schemas.js';

/** Builds the URL of one cached instance, as the host bridge provides it. */
export type InstanceUrl = (studyInstanceUid: string, seriesInstanceUid: string, sopInstanceUid: string) => string;

/** One displayable image of a series: a single-frame instance, or one frame of a multi-frame one. */
export interface StackImage {
  imageId: string;
  sopInstanceUid: string;
  /** 0-based frame of the instance. */
  frameIndex: number;
  frameCount: number;
  instanceNumber: number | null;
}

/**
 * Image ids of cornerstone-wado-image-loader's `wadouri:` loader. A frame of a multi-frame
 * instance gets a `frame=` parameter, which the loader counts from 0 and strips before fetching.
 */
export function wadouriImageId(url: string, frameIndex: number | null): string {
  if (frameIndex === null) return `wadouri:${url}`;
  const separator = url.includes('?') ? '&' : '?';
  return `wadouri:${url}${separator}frame=${frameIndex}`;
}

function imagesOfInstance(url: string, instance: ImagingInstance): StackImage[] {
  if (instance.frames <= 1) {
    return [{ imageId: wadouriImageId(url, null), sopInstanceUid: instance.sopInstanceUid, frameIndex: 0, frameCount: 1, instanceNumber: instance.number }];
  }
  return Array.from({ length: instance.frames }, (_, frameIndex) => ({
    imageId: wadouriImageId(url, frameIndex),
    sopInstanceUid: instance.sopInstanceUid,
    frameIndex,
    frameCount: instance.frames,
    instanceNumber: instance.number,
  }));
}

/** Lists the images of a series in instance order, every frame of a multi-frame instance in turn. */
export function stackOfSeries(study: StudySeriesList, series: ImagingSeries, instanceUrl: InstanceUrl): StackImage[] {
  return series.instances.flatMap((instance) =>
    imagesOfInstance(instanceUrl(study.studyInstanceUid, series.seriesInstanceUid, instance.sopInstanceUid), instance),
  );
}

/** Returns the URL of the Part 10 file behind an image id, the key of the loader's dataset cache. */
export function fileUrlOfImageId(imageId: string): string {
  const url = imageId.replace(/^wadouri:/, '');
  return url.replace(/[?&]frame=\d+$/, '');
}
