import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import dicomParser from 'dicom-parser';

/** The DICOM files of `test/fixtures/dicom/`, described in its SOURCES.md. */
export const DICOM_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'dicom');

/** A fixture file with the attributes the imaging tests expect the PACS to return. */
export interface DicomFixture {
  file: string;
  bytes: Buffer;
  patientId: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  studyDate: string;
}

/** Reads every fixture file and its UIDs with dicom-parser, independently of Orthanc and of the client under test. */
export function readDicomFixtures(): DicomFixture[] {
  return readdirSync(DICOM_FIXTURES)
    .filter((name) => name.endsWith('.dcm'))
    .sort()
    .map((name) => {
      const file = join(DICOM_FIXTURES, name);
      const bytes = readFileSync(file);
      const dataset = dicomParser.parseDicom(new Uint8Array(bytes));
      const text = (tag: string) => {
        const value = dataset.string(tag);
        if (value === undefined) throw new Error(`Fixture ${name} has no ${tag}`);
        return value;
      };
      return {
        file,
        bytes,
        patientId: text('x00100020'),
        studyInstanceUid: text('x0020000d'),
        seriesInstanceUid: text('x0020000e'),
        sopInstanceUid: text('x00080018'),
        studyDate: text('x00080020'),
      };
    });
}

/** The fixtures of one patient, in file name order; fails when the patient has fewer than `count`. */
export function fixturesOfPatient(fixtures: readonly DicomFixture[], patientId: string, count = 1): [DicomFixture, ...DicomFixture[]] {
  const found = fixtures.filter((fixture) => fixture.patientId === patientId);
  if (found.length < count || found.length === 0) throw new Error(`Expected at least ${count} fixtures of patient ${patientId}, found ${found.length}`);
  return found as [DicomFixture, ...DicomFixture[]];
}

/** The fixture whose file name ends with `suffix`. */
export function fixtureNamed(fixtures: readonly DicomFixture[], suffix: string): DicomFixture {
  const found = fixtures.find((fixture) => fixture.file.endsWith(suffix));
  if (!found) throw new Error(`No DICOM fixture ends with ${suffix}`);
  return found;
}
