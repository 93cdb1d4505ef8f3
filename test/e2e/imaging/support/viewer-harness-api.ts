import type { WindowPreset } from '../../../../preload/api/imaging-presets.js';
import type { StudySeriesList } from '../../../../preload/api/imaging-schemas.js';

export interface MountOptions {
  loadTimeoutMs?: number;
  windowPresets?: WindowPreset[];
}

/** What the viewer's test page offers the tests, as `window.viewerHarness`. */
export interface ViewerHarness {
  mount(study: StudySeriesList, options?: MountOptions): void;
  /** Maps the centre of image pixel (column, row) to a point of the viewport canvas, in canvas pixels. */
  canvasPointOfPixel(column: number, row: number): { x: number; y: number };
  /** Reads the RGBA of the viewport canvas at a canvas point. */
  canvasRgba(x: number, y: number): number[];
  /** Returns the annotations of one cornerstone-tools tool on the shown image. */
  toolData(toolName: string): unknown[];
  /** Counts the decoded images in cornerstone's cache. */
  cachedImageCount(): number;
}

declare global {
  interface Window {
    viewerHarness: ViewerHarness;
  }
}
