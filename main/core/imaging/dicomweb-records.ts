import type { DicomJsonDataset } from './dicom-json.js';
import { isDicomUid, numberValue, stringValue, stringValues, Tag } from './dicom-json.js';

/** A study as QIDO-RS returns it, with the attributes the cache and the study list use. */
export interface StudyRecord {
  studyInstanceUid: string;
  patientId: string | undefined;
  /** StudyDate as DICOM DA, `YYYYMMDD`. */
  studyDate: string | undefined;
  studyTime: string | undefined;
  accessionNumber: string | undefined;
  studyDescription: string | undefined;
  modalitiesInStudy: string[];
  numberOfStudyRelatedSeries: number | undefined;
  numberOfStudyRelatedInstances: number | undefined;
  /** The whole DICOM JSON result, for attributes not listed above. */
  dataset: DicomJsonDataset;
}

export interface SeriesRecord {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  modality: string | undefined;
  seriesNumber: number | undefined;
  seriesDescription: string | undefined;
  numberOfSeriesRelatedInstances: number | undefined;
  dataset: DicomJsonDataset;
}

export interface InstanceRecord {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  sopClassUid: string | undefined;
  instanceNumber: number | undefined;
  /** Present only when the search asked for it with `includefield=00280008` and the object is multi-frame. */
  numberOfFrames: number | undefined;
  dataset: DicomJsonDataset;
}

/**
 * Reads a UID that a record cannot do without. A result without it, or with a value that is not a
 * UID, is dropped by the caller, because such a UID would end up in request paths and file names.
 */
function uid(dataset: DicomJsonDataset, tag: string): string | undefined {
  const value = stringValue(dataset, tag);
  return value !== undefined && isDicomUid(value) ? value : undefined;
}

export function toStudyRecord(dataset: DicomJsonDataset): StudyRecord | undefined {
  const studyInstanceUid = uid(dataset, Tag.StudyInstanceUID);
  if (!studyInstanceUid) return undefined;
  return {
    studyInstanceUid,
    patientId: stringValue(dataset, Tag.PatientID),
    studyDate: stringValue(dataset, Tag.StudyDate),
    studyTime: stringValue(dataset, Tag.StudyTime),
    accessionNumber: stringValue(dataset, Tag.AccessionNumber),
    studyDescription: stringValue(dataset, Tag.StudyDescription),
    modalitiesInStudy: stringValues(dataset, Tag.ModalitiesInStudy),
    numberOfStudyRelatedSeries: numberValue(dataset, Tag.NumberOfStudyRelatedSeries),
    numberOfStudyRelatedInstances: numberValue(dataset, Tag.NumberOfStudyRelatedInstances),
    dataset,
  };
}

export function toSeriesRecord(studyInstanceUid: string, dataset: DicomJsonDataset): SeriesRecord | undefined {
  const seriesInstanceUid = uid(dataset, Tag.SeriesInstanceUID);
  if (!seriesInstanceUid) return undefined;
  return {
    studyInstanceUid,
    seriesInstanceUid,
    modality: stringValue(dataset, Tag.Modality),
    seriesNumber: numberValue(dataset, Tag.SeriesNumber),
    seriesDescription: stringValue(dataset, Tag.SeriesDescription),
    numberOfSeriesRelatedInstances: numberValue(dataset, Tag.NumberOfSeriesRelatedInstances),
    dataset,
  };
}

export function toInstanceRecord(studyInstanceUid: string, seriesInstanceUid: string, dataset: DicomJsonDataset): InstanceRecord | undefined {
  const sopInstanceUid = uid(dataset, Tag.SOPInstanceUID);
  if (!sopInstanceUid) return undefined;
  return {
    studyInstanceUid,
    seriesInstanceUid,
    sopInstanceUid,
    sopClassUid: stringValue(dataset, Tag.SOPClassUID),
    instanceNumber: numberValue(dataset, Tag.InstanceNumber),
    numberOfFrames: numberValue(dataset, Tag.NumberOfFrames),
    dataset,
  };
}
