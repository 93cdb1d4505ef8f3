/**
 * The DICOM JSON model (PS3.18 Annex F) that QIDO-RS and WADO-RS metadata return: a dataset is an
 * object keyed by the tag as eight upper-case hex digits, each element a VR with an optional
 * `Value` array. Empty elements come without `Value`, PN values are objects such as
 * `{ Alphabetic: 'Doe^Jane' }`, and DS and IS values are JSON numbers.
 */
export interface DicomJsonElement {
  vr: string;
  Value?: unknown[];
  BulkDataURI?: string;
  InlineBinary?: string;
}

export type DicomJsonDataset = Record<string, DicomJsonElement>;

/** Tags by their DICOM keyword, as DICOM JSON spells them. */
export const Tag = {
  SOPClassUID: '00080016',
  SOPInstanceUID: '00080018',
  StudyDate: '00080020',
  StudyTime: '00080030',
  AccessionNumber: '00080050',
  Modality: '00080060',
  ModalitiesInStudy: '00080061',
  StudyDescription: '00081030',
  SeriesDescription: '0008103E',
  PatientID: '00100020',
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  SeriesNumber: '00200011',
  InstanceNumber: '00200013',
  NumberOfStudyRelatedSeries: '00201206',
  NumberOfStudyRelatedInstances: '00201208',
  NumberOfSeriesRelatedInstances: '00201209',
  NumberOfFrames: '00280008',
} as const;

/** The first value of a string element (CS, DA, LO, SH, UI and the like), or undefined when empty. */
export function stringValue(dataset: DicomJsonDataset, tag: string): string | undefined {
  const value = dataset[tag]?.Value?.[0];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Every string value of a multi-valued element such as ModalitiesInStudy. */
export function stringValues(dataset: DicomJsonDataset, tag: string): string[] {
  return (dataset[tag]?.Value ?? []).filter((value): value is string => typeof value === 'string' && value !== '');
}

/**
 * The first value of a numeric element. IS and DS are JSON numbers in DICOM JSON, but some
 * servers send them as strings, so a numeric string is read too.
 */
export function numberValue(dataset: DicomJsonDataset, tag: string): number | undefined {
  const value = dataset[tag]?.Value?.[0];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** A DICOM UID (PS3.5 §9.1): digits in dot-separated components, at most 64 characters. */
const UID_PATTERN = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

export function isDicomUid(value: string): boolean {
  return value.length <= 64 && UID_PATTERN.test(value);
}

/**
 * Returns `value` when it is a valid UID and throws otherwise. UIDs go into request paths and file
 * names, so anything else (a slash, dots only) must never reach them.
 */
export function requireDicomUid(value: string, what: string): string {
  if (!isDicomUid(value)) throw new Error(`Invalid ${what} "${value}": a DICOM UID is digits and dots, at most 64 characters`);
  return value;
}
