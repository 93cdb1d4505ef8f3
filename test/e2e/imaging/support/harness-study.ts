import { existsSync, readFileSync } from 'node:fs';

import dicomParser from 'dicom-parser';

import type { StudySeriesList } from '../../../../preload/api/imaging-schemas.js';

let counter = 0;

/** A UID under the 2.25 root that no fixture uses, so files that share UIDs still get their own URL. */
export function testUid(): string {
  counter += 1;
  return `2.25.${process.pid}${String(counter).padStart(6, '0')}`;
}

export interface HarnessSeries {
  description: string;
  files: readonly string[];
}

/**
 * Builds a study of the given series for the test page, with fresh UIDs for every instance, and
 * registers each file under its SOP Instance UID in `filesBySopUid`.
 */
export function harnessStudy(series: readonly HarnessSeries[], filesBySopUid: Map<string, string>): StudySeriesList {
  return {
    studyInstanceUid: testUid(),
    patientId: null,
    listedBy: 'pacs',
    series: series.map((entry, seriesIndex) => ({
      seriesInstanceUid: testUid(),
      modality: null,
      description: entry.description,
      number: seriesIndex + 1,
      instances: entry.files.map((file, instanceIndex) => {
        const sopInstanceUid = testUid();
        filesBySopUid.set(sopInstanceUid, file);
        // A file name that is no file, such as the stalled instance, stands for one frame.
        const dataSet = existsSync(file) ? dicomParser.parseDicom(new Uint8Array(readFileSync(file)), { untilTag: 'x7fe00010' }) : undefined;
        const frames = Number(dataSet?.string('x00280008') ?? '1') || 1;
        return { sopInstanceUid, number: instanceIndex + 1, frames };
      }),
    })),
  };
}
