import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import dicomParser from 'dicom-parser';

import type { FhirResource } from '../../sync/protocol/documents.js';
import { buildDemoData } from '../../sync/server/seed/demo-data.js';
import { defaultBundlesDir } from '../../sync/server/seed/synthea.js';
import type { AttributeValue } from './dicom-relabel.js';
import { relabelDicom, uidFromName } from './dicom-relabel.js';
import type { OrthancProcess } from './orthanc-process.js';
import { findDicomWebPlugin, launchOrthanc, ORTHANC_BINARY, ORTHANC_INSTALL_HINT, orthancInstalled, uploadToOrthanc } from './orthanc-process.js';

/**
 * The demo's PACS: Debian's Orthanc with DICOMweb, loaded with the sample files of
 * test/fixtures/dicom relabelled as studies of the demo ward's patients, with new UIDs.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
/** Slices of the synthetic CT series made from one sample slice. */
const CT_SLICES = 16;
/** Rows the image moves per slice, so scrolling through the stack shows change. */
const CT_ROW_SHIFT_PER_SLICE = 4;

/** A patient of the demo ward as the PACS labels their studies. */
export interface DemoImagingPatient {
  /** The hospital MRN, which is the DICOM PatientID. */
  mrn: string;
  /** DICOM PN: `Family^Given`. */
  dicomName: string;
  /** DICOM DA, `YYYYMMDD`, or empty. */
  birthDate: string;
  /** DICOM CS: `M`, `F` or `O`. */
  sex: string;
}

export interface DemoDicomFile {
  /** Names the file in messages, such as `ct-slice-03 of 12345678`. */
  label: string;
  bytes: Uint8Array;
}

/** Returns the patients the seed puts on `wardId`, in Patient.id order, as the PACS labels them. */
export async function demoWardPatients(wardId: string, now: Date): Promise<DemoImagingPatient[]> {
  const demo = await buildDemoData({ bundlesDir: defaultBundlesDir(), now });
  const patients: DemoImagingPatient[] = [];
  for (const { document } of demo.documents.records) {
    const resource = (document as { resource?: FhirResource }).resource;
    if (resource?.resourceType !== 'Patient' || demo.wardByPatient.get(resource.id as string) !== wardId) continue;
    const mrn = demo.mrnByPatient.get(resource.id as string);
    if (!mrn) continue;
    const name = ((resource.name as { family?: string; given?: string[] }[] | undefined) ?? [])[0];
    patients.push({
      mrn,
      dicomName: `${name?.family ?? ''}^${(name?.given ?? []).join(' ')}`,
      birthDate: typeof resource.birthDate === 'string' ? resource.birthDate.replaceAll('-', '') : '',
      sex: resource.gender === 'male' ? 'M' : resource.gender === 'female' ? 'F' : 'O',
    });
  }
  return patients;
}

interface StudyPlan {
  key: string;
  daysAgo: number;
  description: string;
  accession: string;
}

/**
 * Builds the demo studies of up to four patients from the sample files in `fixtures`. The first
 * gets a 16-slice CT series, made from one axial slice through a lumbar vertebra, and an older MR.
 * The second gets an MR and a nuclear medicine bone scan (JPEG lossless and JPEG 2000), the third
 * colour bar images (RLE and JPEG baseline, two frames) and the fourth a CT. UIDs derive from the
 * MRN and the study, so loading again gives the same instances.
 */
export function demoStudyFiles(fixtures: string, patients: readonly DemoImagingPatient[], today: Date): DemoDicomFile[] {
  const sample = (name: string) => new Uint8Array(readFileSync(join(fixtures, name)));
  const ct = sample('pydicom_CT_small.dcm');
  const mr = sample('pydicom_MR_small.dcm');
  const files: DemoDicomFile[] = [];
  const [first, second, third, fourth] = patients;

  if (first) {
    files.push(...ctStack(ct, first, { key: 'ct-spine', daysAgo: 2, description: 'CT lumbar spine', accession: 'DEMO-CT-001' }, today, CT_SLICES));
    files.push(single(mr, first, { key: 'mr-knee', daysAgo: 200, description: 'MR knee', accession: 'DEMO-MR-001' }, today, { series: 'mr', description: 'Sagittal PD', number: 1 }));
  }
  if (second) {
    files.push(single(mr, second, { key: 'mr-spine', daysAgo: 10, description: 'MR lumbar spine', accession: 'DEMO-MR-002' }, today, { series: 'mr', description: 'Sagittal T2', number: 1 }));
    const bone = { key: 'nm-bone', daysAgo: 30, description: 'Whole body bone scan', accession: 'DEMO-NM-001' };
    files.push(single(sample('pydicomdata_JPEG-LL.dcm'), second, bone, today, { series: 'nm', description: 'Whole body anterior', number: 1, instance: 1 }));
    files.push(single(sample('pydicom_JPEG2000.dcm'), second, bone, today, { series: 'nm', description: 'Whole body anterior', number: 1, instance: 2 }));
  }
  if (third) {
    const colourBars = { key: 'sc-colour', daysAgo: 5, description: 'Colour test pattern', accession: 'DEMO-SC-001' };
    files.push(single(sample('pydicom_SC_rgb_rle_2frame.dcm'), third, colourBars, today, { series: 'sc', description: 'Colour bars', number: 1, instance: 1 }));
    files.push(single(sample('pydicom_SC_rgb_jpeg_dcmtk.dcm'), third, colourBars, today, { series: 'sc', description: 'Colour bars', number: 1, instance: 2 }));
  }
  if (fourth) {
    files.push(...ctStack(ct, fourth, { key: 'ct-abdomen', daysAgo: 1, description: 'CT abdomen', accession: 'DEMO-CT-002' }, today, 8));
  }
  return files;
}

/** The attributes every instance of a demo study gets: patient, study and its date. */
function studyAttributes(patient: DemoImagingPatient, study: StudyPlan, today: Date): Record<string, AttributeValue> {
  const date = new Date(today.getTime() - study.daysAgo * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '');
  return {
    x00080020: { vr: 'DA', value: date },
    x00080021: { vr: 'DA', value: date },
    x00080030: { vr: 'TM', value: '093000' },
    x00080050: { vr: 'SH', value: study.accession },
    x00081030: { vr: 'LO', value: study.description },
    x00100010: { vr: 'PN', value: patient.dicomName },
    x00100020: { vr: 'LO', value: patient.mrn },
    x00100030: { vr: 'DA', value: patient.birthDate },
    x00100040: { vr: 'CS', value: patient.sex },
    x0020000d: { vr: 'UI', value: uidFromName(`study:${patient.mrn}:${study.key}`) },
    x00200010: { vr: 'SH', value: study.accession.slice(-8) },
  };
}

function single(
  bytes: Uint8Array,
  patient: DemoImagingPatient,
  study: StudyPlan,
  today: Date,
  series: { series: string; description: string; number: number; instance?: number },
): DemoDicomFile {
  const instance = series.instance ?? 1;
  const attributes: Record<string, AttributeValue> = {
    ...studyAttributes(patient, study, today),
    x0008103e: { vr: 'LO', value: series.description },
    x0020000e: { vr: 'UI', value: uidFromName(`series:${patient.mrn}:${study.key}:${series.series}`) },
    x00080018: { vr: 'UI', value: uidFromName(`instance:${patient.mrn}:${study.key}:${series.series}:${instance}`) },
    x00200011: { vr: 'IS', value: String(series.number) },
    x00200013: { vr: 'IS', value: String(instance) },
  };
  return { label: `${study.key}/${series.series}/${instance} of ${patient.mrn}`, bytes: relabelDicom(bytes, { attributes }) };
}

/**
 * Makes a CT series of `slices` slices from one sample slice: each slice 5 mm further along the
 * patient's axis, with its own InstanceNumber, ImagePositionPatient and SliceLocation, and its
 * pixel rows moved a little so scrolling shows change. The pixels are synthetic.
 */
function ctStack(slice: Uint8Array, patient: DemoImagingPatient, study: StudyPlan, today: Date, slices: number): DemoDicomFile[] {
  const dataset = dicomParser.parseDicom(slice, { untilTag: 'x7fe00010' });
  const rows = dataset.uint16('x00280010') ?? 0;
  const position = (dataset.string('x00200032') ?? '0\\0\\0').split('\\').map(Number);
  const [x = 0, y = 0, z = 0] = position;
  const thickness = 5;
  const files: DemoDicomFile[] = [];
  for (let index = 0; index < slices; index += 1) {
    const sliceZ = z + index * thickness;
    const attributes: Record<string, AttributeValue> = {
      ...studyAttributes(patient, study, today),
      x0008103e: { vr: 'LO', value: `Axial ${thickness} mm` },
      x0020000e: { vr: 'UI', value: uidFromName(`series:${patient.mrn}:${study.key}:axial`) },
      x00080018: { vr: 'UI', value: uidFromName(`instance:${patient.mrn}:${study.key}:axial:${index + 1}`) },
      x00200052: { vr: 'UI', value: uidFromName(`frame-of-reference:${patient.mrn}:${study.key}`) },
      x00200011: { vr: 'IS', value: '2' },
      x00200013: { vr: 'IS', value: String(index + 1) },
      x00200032: { vr: 'DS', value: [x, y, sliceZ].map((value) => value.toFixed(3)).join('\\') },
      x00201041: { vr: 'DS', value: sliceZ.toFixed(3) },
      x00180050: { vr: 'DS', value: String(thickness) },
    };
    const shift = index * CT_ROW_SHIFT_PER_SLICE;
    const transformPixels = (pixels: Uint8Array) => rotateRows(pixels, rows, shift);
    files.push({ label: `${study.key}/axial/${index + 1} of ${patient.mrn}`, bytes: relabelDicom(slice, { attributes, transformPixels }) });
  }
  return files;
}

/** Moves the image down by `shift` rows, wrapping the bottom rows to the top. */
function rotateRows(pixels: Uint8Array, rows: number, shift: number): void {
  if (rows === 0 || shift % rows === 0) return;
  const rowBytes = Math.floor(pixels.length / rows);
  const image = pixels.slice(0, rowBytes * rows);
  const moved = (shift % rows) * rowBytes;
  pixels.set(image.subarray(image.length - moved), 0);
  pixels.set(image.subarray(0, image.length - moved), moved);
}

export interface DemoPacs {
  orthanc: OrthancProcess;
  /** The DICOMweb root the workstation's `imaging.pacs.url` points at. */
  dicomWebUrl: string;
  username: string;
  password: string;
}

/**
 * Starts Orthanc for the demo with its storage in `folder`, which survives restarts, and a new
 * password at every start. Returns `{ missing }` with the reason when Orthanc is not installed.
 */
export async function startDemoPacs(folder: string, port: number): Promise<DemoPacs | { missing: string }> {
  if (!orthancInstalled()) return { missing: `${ORTHANC_BINARY} is missing; install Orthanc with its DICOMweb plugin (Debian: ${ORTHANC_INSTALL_HINT}) to see the imaging tab with studies` };
  let plugin: string;
  try {
    plugin = findDicomWebPlugin();
  } catch (error) {
    return { missing: (error as Error).message };
  }
  const username = 'hms-demo';
  const password = randomBytes(16).toString('hex');
  const orthanc = await launchOrthanc({ folder, port, username, password, plugin, name: 'HMS demo PACS', timeoutMs: 30_000 });
  return { orthanc, dicomWebUrl: orthanc.dicomWebUrl, username, password };
}

/** Uploads the demo studies; returns how many instances were new and how many were stored already. */
export async function loadDemoStudies(pacs: DemoPacs, files: readonly DemoDicomFile[]): Promise<{ stored: number; alreadyStored: number }> {
  let stored = 0;
  let alreadyStored = 0;
  for (const file of files) {
    const result = await uploadToOrthanc(pacs.orthanc.baseUrl, pacs.orthanc.authorization, file.bytes, file.label);
    if (result.status === 'AlreadyStored') alreadyStored += 1;
    else stored += 1;
  }
  return { stored, alreadyStored };
}
