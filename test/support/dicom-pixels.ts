import { readFileSync } from 'node:fs';

import dicomParser from 'dicom-parser';

/**
 * Reads stored pixel values and the display attributes of a DICOM file with dicom-parser alone,
 * independently of the viewer, so tests can compute what the viewer should show. Only
 * uncompressed little-endian files (Explicit or Implicit VR) are read; a compressed variant is
 * checked against an uncompressed file of the same pixels.
 */
export interface DicomPixels {
  rows: number;
  columns: number;
  frames: number;
  samplesPerPixel: number;
  photometricInterpretation: string;
  /** Stored value of sample `sample` of pixel (column, row) of `frame`. */
  stored(frame: number, column: number, row: number, sample?: number): number;
}

export interface DisplayAttributes {
  photometricInterpretation: string;
  slope: number;
  intercept: number;
  /** First Window Center and Width of the file, if it has them. */
  window: { center: number; width: number } | null;
  /** First item of the VOI LUT Sequence, if the file has one. */
  voiLut: { firstValueMapped: number; lut: number[] } | null;
  /** Pixel Spacing as [row spacing, column spacing] in mm. */
  pixelSpacing: [number, number] | null;
}

const UNCOMPRESSED_LITTLE_ENDIAN = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1']);

/** A file path, or the bytes of a Part 10 file. */
export type DicomSource = string | Uint8Array;

function parse(source: DicomSource) {
  return dicomParser.parseDicom(typeof source === 'string' ? new Uint8Array(readFileSync(source)) : source);
}

function nameOf(source: DicomSource): string {
  return typeof source === 'string' ? source : `a ${source.length}-byte DICOM file`;
}

function firstNumber(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null;
  const number = Number(value.split('\\')[0]);
  return Number.isFinite(number) ? number : null;
}

export function readDisplayAttributes(source: DicomSource): DisplayAttributes {
  const dataSet = parse(source);
  const center = firstNumber(dataSet.string('x00281050'));
  const width = firstNumber(dataSet.string('x00281051'));
  const spacing = dataSet.string('x00280030')?.split('\\').map(Number);
  const voiItem = dataSet.elements.x00283010?.items?.[0]?.dataSet;
  let voiLut: DisplayAttributes['voiLut'] = null;
  if (voiItem !== undefined) {
    const entries = voiItem.uint16('x00283002', 0) ?? 0;
    const lut = Array.from({ length: entries === 0 ? 65536 : entries }, (_, index) => voiItem.uint16('x00283006', index) ?? 0);
    voiLut = { firstValueMapped: voiItem.uint16('x00283002', 1) ?? 0, lut };
  }
  return {
    photometricInterpretation: dataSet.string('x00280004') ?? '',
    slope: firstNumber(dataSet.string('x00281053')) ?? 1,
    intercept: firstNumber(dataSet.string('x00281052')) ?? 0,
    window: center !== null && width !== null ? { center, width } : null,
    voiLut,
    pixelSpacing: spacing !== undefined && spacing.length === 2 ? [spacing[0] ?? 0, spacing[1] ?? 0] : null,
  };
}

export function readPixels(source: DicomSource): DicomPixels {
  const dataSet = parse(source);
  const transferSyntax = dataSet.string('x00020010') ?? '';
  if (!UNCOMPRESSED_LITTLE_ENDIAN.has(transferSyntax)) throw new Error(`${nameOf(source)} has transfer syntax ${transferSyntax}; read an uncompressed little-endian reference instead`);
  const rows = dataSet.uint16('x00280010') ?? 0;
  const columns = dataSet.uint16('x00280011') ?? 0;
  const samplesPerPixel = dataSet.uint16('x00280002') ?? 1;
  const bitsAllocated = dataSet.uint16('x00280100') ?? 16;
  const bitsStored = dataSet.uint16('x00280101') ?? bitsAllocated;
  const signed = dataSet.uint16('x00280103') === 1;
  const planar = dataSet.uint16('x00280006') === 1;
  const frames = Number(dataSet.string('x00280008') ?? '1') || 1;
  const element = dataSet.elements.x7fe00010;
  if (element === undefined) throw new Error(`${nameOf(source)} has no Pixel Data`);
  const bytes = dataSet.byteArray;
  const view = new DataView(bytes.buffer, bytes.byteOffset + element.dataOffset, element.length);
  const bytesPerSample = bitsAllocated / 8;
  const photometricInterpretation = dataSet.string('x00280004') ?? '';
  // YBR_FULL_422 stores each pair of pixels as Y1 Y2 Cb Cr (PS3.5 8.2.1): two samples per pixel.
  const subsampled = photometricInterpretation === 'YBR_FULL_422';
  const frameSamples = rows * columns * (subsampled ? 2 : samplesPerPixel);

  const sampleIndex = (column: number, row: number, sample: number): number => {
    const pixel = row * columns + column;
    if (subsampled) {
      const pair = (pixel - (column % 2)) * 2;
      return sample === 0 ? pair + (column % 2) : pair + 1 + sample;
    }
    return planar ? sample * rows * columns + pixel : pixel * samplesPerPixel + sample;
  };

  const stored = (frame: number, column: number, row: number, sample = 0): number => {
    const index = frame * frameSamples + sampleIndex(column, row, sample);
    const offset = index * bytesPerSample;
    let value = bitsAllocated === 8 ? view.getUint8(offset) : view.getUint16(offset, true);
    // Only the stored bits count, and a signed value's sign is the highest stored bit.
    value &= 2 ** bitsStored - 1;
    if (signed && value >= 2 ** (bitsStored - 1)) value -= 2 ** bitsStored;
    return value;
  };
  return { rows, columns, frames, samplesPerPixel, photometricInterpretation, stored };
}
