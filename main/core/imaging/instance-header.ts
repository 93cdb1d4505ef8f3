import dicomParser from 'dicom-parser';

/** The attributes of a DICOM Part 10 instance that the study list and the series list need. */
export interface InstanceHeader {
  patientId: string | undefined;
  studyInstanceUid: string | undefined;
  studyDate: string | undefined;
  studyDescription: string | undefined;
  seriesInstanceUid: string | undefined;
  seriesNumber: number | undefined;
  seriesDescription: string | undefined;
  modality: string | undefined;
  sopInstanceUid: string | undefined;
  instanceNumber: number | undefined;
  numberOfFrames: number | undefined;
}

/**
 * Reads the attributes before Pixel Data of a Part 10 file with dicom-parser. Returns undefined
 * for bytes that are not a readable Part 10 file, so one damaged cache entry cannot hide a study.
 */
export function readInstanceHeader(bytes: Uint8Array): InstanceHeader | undefined {
  let dataset: dicomParser.DataSet;
  try {
    dataset = dicomParser.parseDicom(bytes, { untilTag: 'x7fe00010' });
  } catch {
    return undefined;
  }
  const text = (tag: string) => {
    const value = dataset.string(tag);
    return value === undefined || value === '' ? undefined : value;
  };
  const integer = (tag: string) => {
    const value = dataset.intString(tag);
    return value === undefined || Number.isNaN(value) ? undefined : value;
  };
  return {
    patientId: text('x00100020'),
    studyInstanceUid: text('x0020000d'),
    studyDate: text('x00080020'),
    studyDescription: text('x00081030'),
    seriesInstanceUid: text('x0020000e'),
    seriesNumber: integer('x00200011'),
    seriesDescription: text('x0008103e'),
    modality: text('x00080060'),
    sopInstanceUid: text('x00080018'),
    instanceNumber: integer('x00200013'),
    numberOfFrames: integer('x00280008'),
  };
}
