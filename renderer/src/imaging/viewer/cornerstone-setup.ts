import * as cornerstoneNamespace from 'cornerstone-core';
import cornerstoneMath from 'cornerstone-math';
import * as cornerstoneToolsNamespace from 'cornerstone-tools';
import cornerstoneWADOImageLoader from 'cornerstone-wado-image-loader';
import dicomParser from 'dicom-parser';
import Hammer from 'hammerjs';

import { addMissingModalityProvider } from './missing-modality.js';

/**
 * Unwraps a UMD module of legacy Cornerstone. The packages are UMD bundles, so a namespace
 * import may hold the API itself or under `default`, depending on how the bundler wrapped it.
 */
function moduleValue<T>(namespace: T): T {
  const withDefault = namespace as T & { default?: T };
  return withDefault.default ?? namespace;
}

export const cornerstone = moduleValue(cornerstoneNamespace);
export const cornerstoneTools = moduleValue(cornerstoneToolsNamespace);
export const wadoImageLoader = cornerstoneWADOImageLoader;

/** Bytes of decoded images that cornerstone keeps; the oldest leave first beyond this. */
const IMAGE_CACHE_BYTES = 768 * 1024 * 1024;

let initialised = false;

/**
 * Connects the loader and the tools to cornerstone-core and starts the decoding workers on
 * demand. Safe to call more than once. The loader decodes in at most two workers, because a
 * reading-room machine also renders and scrolls on the main thread.
 */
export function initialiseCornerstone(): void {
  if (initialised) return;
  initialised = true;

  wadoImageLoader.external.cornerstone = cornerstone;
  wadoImageLoader.external.dicomParser = dicomParser;
  wadoImageLoader.webWorkerManager.initialize({
    maxWebWorkers: Math.max(1, Math.min(2, navigator.hardwareConcurrency || 1)),
    startWebWorkersOnDemand: true,
    taskConfiguration: { decodeTask: { initializeCodecsOnStartup: false, strict: false } },
  });

  cornerstoneTools.external.cornerstone = cornerstone;
  cornerstoneTools.external.cornerstoneMath = cornerstoneMath;
  cornerstoneTools.external.Hammer = Hammer;
  cornerstoneTools.init({ showSVGCursors: false, globalToolSyncEnabled: false });

  cornerstone.imageCache.setMaximumSizeBytes(IMAGE_CACHE_BYTES);
  addMissingModalityProvider(cornerstone, wadoImageLoader);
}
