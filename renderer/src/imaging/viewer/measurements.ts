import type { Image } from 'cornerstone-core';

import { cornerstoneTools } from './cornerstone-setup.js';

interface Point {
  x: number;
  y: number;
}

interface LengthData {
  handles: { start: Point; end: Point };
}

interface AngleData {
  rAngle?: number;
}

interface EllipticalRoiData {
  cachedStats?: { area?: number; mean?: number; stdDev?: number };
}

/** One annotation on the displayed image, in mm where the image has a Pixel Spacing. */
export type Measurement =
  | { kind: 'length'; value: number; unit: 'mm' | 'px' }
  | { kind: 'angle'; degrees: number }
  | { kind: 'ellipse'; area: number; areaUnit: 'mm²' | 'px²'; mean: number; standardDeviation: number };

/**
 * Computes the distance between two points of the image in mm, from the image's column and row spacing
 * (Pixel Spacing), or in pixels when the image has none.
 */
export function distanceOf(image: Pick<Image, 'columnPixelSpacing' | 'rowPixelSpacing'>, start: Point, end: Point): { value: number; unit: 'mm' | 'px' } {
  const column = image.columnPixelSpacing;
  const row = image.rowPixelSpacing;
  const calibrated = column !== undefined && row !== undefined && column > 0 && row > 0;
  const dx = (end.x - start.x) * (calibrated ? column : 1);
  const dy = (end.y - start.y) * (calibrated ? row : 1);
  return { value: Math.hypot(dx, dy), unit: calibrated ? 'mm' : 'px' };
}

/**
 * Lists the length, angle and elliptical ROI annotations of the image shown in `element`.
 * cornerstone-tools keeps annotations per image id, so another slice has its own list. The ROI's
 * mean and standard deviation are of modality values (after Rescale Slope and Intercept),
 * which cornerstone-tools computes when it draws the ellipse.
 */
export function measurementsOf(element: HTMLElement, image: Image): Measurement[] {
  const measurements: Measurement[] = [];
  for (const data of cornerstoneTools.getToolState<LengthData>(element, 'Length')?.data ?? []) {
    measurements.push({ kind: 'length', ...distanceOf(image, data.handles.start, data.handles.end) });
  }
  for (const data of cornerstoneTools.getToolState<AngleData>(element, 'Angle')?.data ?? []) {
    if (data.rAngle !== undefined && Number.isFinite(data.rAngle)) measurements.push({ kind: 'angle', degrees: data.rAngle });
  }
  const calibrated = image.columnPixelSpacing !== undefined && image.rowPixelSpacing !== undefined;
  for (const data of cornerstoneTools.getToolState<EllipticalRoiData>(element, 'EllipticalRoi')?.data ?? []) {
    const stats = data.cachedStats;
    if (stats?.area === undefined || stats.mean === undefined || stats.stdDev === undefined) continue;
    measurements.push({ kind: 'ellipse', area: stats.area, areaUnit: calibrated ? 'mm²' : 'px²', mean: stats.mean, standardDeviation: stats.stdDev });
  }
  return measurements;
}

/** Removes the annotations of the image shown in `element`. */
export function clearMeasurements(element: HTMLElement): void {
  for (const tool of ['Length', 'Angle', 'EllipticalRoi']) cornerstoneTools.clearToolState(element, tool);
}
