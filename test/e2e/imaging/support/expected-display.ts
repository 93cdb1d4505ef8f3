import type { DicomPixels, DisplayAttributes } from '../../../support/dicom-pixels.js';

/**
 * What a grayscale pixel should look like on screen, computed from the file: the modality LUT
 * (Rescale Slope and Intercept), then the VOI LUT of the file or the linear window
 * ((value − centre) / width + 0.5) × 255 that cornerstone-core 2.6 applies, then inversion for
 * MONOCHROME1.
 */
export function expectedGray(storedValue: number, attributes: DisplayAttributes, window: { center: number; width: number }, useVoiLut: boolean): number {
  const modalityValue = storedValue * attributes.slope + attributes.intercept;
  let output: number;
  if (useVoiLut && attributes.voiLut !== null) {
    const { lut, firstValueMapped } = attributes.voiLut;
    // cornerstone-core scales LUT entries to 8 bits by the bit length of the largest entry.
    const shift = Math.max(...lut).toString(2).length - 8;
    const index = Math.min(Math.max(Math.round(modalityValue) - firstValueMapped, 0), lut.length - 1);
    output = (lut[index] ?? 0) >> shift;
  } else {
    output = ((modalityValue - window.center) / window.width + 0.5) * 255;
  }
  output = Math.min(255, Math.max(0, Math.round(output)));
  return attributes.photometricInterpretation === 'MONOCHROME1' ? 255 - output : output;
}

/** RGB of a colour pixel from the file: RGB as stored, or YBR_FULL(_422) converted with the equations of PS3.3 C.7.6.3.1.2. */
export function expectedColor(pixels: DicomPixels, frame: number, column: number, row: number): [number, number, number] {
  const first = pixels.stored(frame, column, row, 0);
  const second = pixels.stored(frame, column, row, 1);
  const third = pixels.stored(frame, column, row, 2);
  if (pixels.photometricInterpretation !== 'YBR_FULL' && pixels.photometricInterpretation !== 'YBR_FULL_422') return [first, second, third];
  const clamp = (value: number) => Math.min(255, Math.max(0, Math.round(value)));
  return [clamp(first + 1.402 * (third - 128)), clamp(first - 0.344136 * (second - 128) - 0.714136 * (third - 128)), clamp(first + 1.772 * (second - 128))];
}

/** The window cornerstone-wado-image-loader 4.13.2 chooses for a file without one: the full range of modality values in the frame. */
export function pixelRangeWindow(pixels: DicomPixels, frame: number, attributes: DisplayAttributes): { center: number; width: number } {
  let minimum = Infinity;
  let maximum = -Infinity;
  for (let row = 0; row < pixels.rows; row += 1) {
    for (let column = 0; column < pixels.columns; column += 1) {
      const value = pixels.stored(frame, column, row);
      minimum = Math.min(minimum, value);
      maximum = Math.max(maximum, value);
    }
  }
  const low = minimum * attributes.slope + attributes.intercept;
  const high = maximum * attributes.slope + attributes.intercept;
  return { center: (high + low) / 2, width: high - low };
}

export interface SamplePoint {
  column: number;
  row: number;
  expected: number[];
  /** Largest difference of the expected output within the point's 3×3 neighbourhood. */
  spread: number;
}

/** Neighbourhoods with a larger spread are not sampled from a shrunk image, because smoothing would blur the value. */
const MAX_SPREAD_SHRUNK = 6;

/**
 * How far the canvas may differ from a pixel's own value because of the canvas's bilinear
 * smoothing. At `scale` ≥ 2 the sample sits within 1 / (2 × scale) pixel of the pixel's centre,
 * so neighbours weigh in little; a shrunk image mixes its neighbours fully.
 */
export function smoothingAllowance(spread: number, scale: number): number {
  return scale >= 2 ? Math.ceil(spread / scale) : spread;
}

/**
 * Picks points on a grid whose 3×3 neighbourhood has nearly the same expected output, so the
 * canvas's smoothing of a scaled image cannot blur them, preferring values off the ends of the
 * scale where an error would show.
 */
export function pickSamplePoints(pixels: DicomPixels, expectedAt: (column: number, row: number) => number[], scale: number, count = 8): SamplePoint[] {
  const maxSpread = scale >= 2 ? Infinity : MAX_SPREAD_SHRUNK;
  const candidates: (SamplePoint & { midScale: boolean })[] = [];
  const steps = 12;
  for (let gridRow = 1; gridRow < steps; gridRow += 1) {
    for (let gridColumn = 1; gridColumn < steps; gridColumn += 1) {
      const column = Math.floor((gridColumn * pixels.columns) / steps);
      const row = Math.floor((gridRow * pixels.rows) / steps);
      const expected = expectedAt(column, row);
      let spread = 0;
      for (let dy = -1; dy <= 1; dy += 1) {
        for (let dx = -1; dx <= 1; dx += 1) {
          const neighbour = expectedAt(column + dx, row + dy);
          neighbour.forEach((value, channel) => (spread = Math.max(spread, Math.abs(value - (expected[channel] ?? 0)))));
        }
      }
      if (spread <= maxSpread) candidates.push({ column, row, expected, spread, midScale: expected.some((value) => value > 8 && value < 247) });
    }
  }
  candidates.sort((a, b) => Number(b.midScale) - Number(a.midScale) || a.spread - b.spread);
  return candidates.slice(0, count).map(({ column, row, expected, spread }) => ({ column, row, expected, spread }));
}
