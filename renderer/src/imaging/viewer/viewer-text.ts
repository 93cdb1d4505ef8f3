import { getLocale, t } from '../../i18n/index.js';
import type { ImageLoadProblem } from './load-image.js';
import type { Measurement } from './measurements.js';
import type { TagValue } from './dicom-tags.js';

/** Formats a number for the overlays with at most `digits` decimals, in the active locale. */
export function formatNumber(value: number, digits: number): string {
  return new Intl.NumberFormat(getLocale(), { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(value);
}

/** Says on the viewport why the image at this position is not shown. */
export function problemText(problem: ImageLoadProblem): string {
  switch (problem.kind) {
    case 'timeout':
      return t('viewer.problem.timeout', { seconds: problem.seconds });
    case 'not-found':
      return t('viewer.problem.notFound');
    case 'unavailable':
      return t('viewer.problem.unavailable', { status: problem.status });
    case 'decode':
      return t('viewer.problem.decode', { detail: problem.detail });
  }
}

/** Words one measurement for the list beside the image. */
export function measurementText(measurement: Measurement, valueUnit: string | null): string {
  switch (measurement.kind) {
    case 'length':
      return t('viewer.measurement.length', { value: formatNumber(measurement.value, 1), unit: measurement.unit === 'mm' ? 'mm' : t('viewer.unit.pixels') });
    case 'angle':
      return t('viewer.measurement.angle', { value: formatNumber(measurement.degrees, 1) });
    case 'ellipse': {
      const unit = valueUnit === null ? '' : ` ${valueUnit}`;
      return t('viewer.measurement.ellipse', {
        area: formatNumber(measurement.area, 1),
        areaUnit: measurement.areaUnit === 'mm²' ? 'mm²' : t('viewer.unit.squarePixels'),
        mean: `${formatNumber(measurement.mean, 1)}${unit}`,
        deviation: `${formatNumber(measurement.standardDeviation, 1)}${unit}`,
      });
    }
  }
}

/** Words a value of the tag browser. */
export function tagValueText(value: TagValue): string {
  switch (value.kind) {
    case 'text':
      return value.text;
    case 'bytes':
      return value.encapsulated ? t('viewer.tagValue.encapsulated', { count: value.count }) : t('viewer.tagValue.bytes', { count: value.count });
    case 'items':
      return t('viewer.tagValue.items', { count: value.count });
  }
}
