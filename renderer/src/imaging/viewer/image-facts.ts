import type { DataSet } from 'dicom-parser';

/** Header values of one file that the corner overlays and the measurements use. */
export interface ImageFacts {
  patientName: string | null;
  patientId: string | null;
  /** StudyDate as `YYYY-MM-DD`. */
  studyDate: string | null;
  modality: string | null;
  seriesNumber: string | null;
  seriesDescription: string | null;
  instanceNumber: string | null;
  /** SliceLocation, or the z of ImagePositionPatient, in mm. */
  slicePosition: number | null;
  /** Unit of the modality values: HU for CT, else RescaleType when the file names one. */
  valueUnit: string | null;
}

function text(dataSet: DataSet, tag: string): string | null {
  const value = dataSet.string(tag)?.trim();
  return value === undefined || value === '' ? null : value;
}

/** Shows a DICOM person name (`Family^Given^Middle`) as "Family, Given Middle". */
export function formatPersonName(value: string | null): string | null {
  if (value === null) return null;
  const [family = '', given = '', middle = ''] = (value.split('=')[0] ?? '').split('^');
  const rest = [given, middle].filter((part) => part !== '').join(' ');
  if (family === '') return rest === '' ? null : rest;
  return rest === '' ? family : `${family}, ${rest}`;
}

function isoDate(value: string | null): string | null {
  if (value === null || !/^\d{8}$/.test(value)) return value;
  return `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
}

function slicePosition(dataSet: DataSet): number | null {
  const location = text(dataSet, 'x00201041');
  if (location !== null && Number.isFinite(Number(location))) return Number(location);
  const position = text(dataSet, 'x00200032')?.split('\\');
  const z = position?.[2] === undefined ? NaN : Number(position[2]);
  return Number.isFinite(z) ? z : null;
}

/** Reads the overlay facts of one parsed file. */
export function factsOfDataSet(dataSet: DataSet): ImageFacts {
  const modality = text(dataSet, 'x00080060');
  const rescaleType = text(dataSet, 'x00281054');
  let valueUnit: string | null = null;
  if (modality === 'CT') valueUnit = 'HU';
  else if (rescaleType !== null && rescaleType !== 'US') valueUnit = rescaleType;
  return {
    patientName: formatPersonName(text(dataSet, 'x00100010')),
    patientId: text(dataSet, 'x00100020'),
    studyDate: isoDate(text(dataSet, 'x00080020')),
    modality,
    seriesNumber: text(dataSet, 'x00200011'),
    seriesDescription: text(dataSet, 'x0008103e'),
    instanceNumber: text(dataSet, 'x00200013'),
    slicePosition: slicePosition(dataSet),
    valueUnit,
  };
}
