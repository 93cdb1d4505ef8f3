import { describe, expect, it } from 'vitest';

import type { StudyRecord } from '../../../main/core/imaging/dicomweb-client.js';
import { chooseRecentStudies } from '../../../main/core/imaging/study-prefetch.js';

const NOW = new Date('2026-12-05T10:00:00Z');
const SETTINGS = { maxAgeDays: 30, maxStudiesPerPatient: 2, maxInstancesPerStudy: 100 };

function study(uid: string, studyDate: string | undefined, instances?: number): StudyRecord {
  return {
    studyInstanceUid: uid,
    patientId: 'P1',
    studyDate,
    studyTime: undefined,
    accessionNumber: undefined,
    studyDescription: undefined,
    modalitiesInStudy: [],
    numberOfStudyRelatedSeries: undefined,
    numberOfStudyRelatedInstances: instances,
    dataset: {},
  };
}

const uids = (studies: StudyRecord[]) => studies.map((entry) => entry.studyInstanceUid);

describe('chooseRecentStudies', () => {
  it('keeps the newest studies first', () => {
    const chosen = chooseRecentStudies([study('1.1', '20261120'), study('1.2', '20261204'), study('1.3', '20261201')], SETTINGS, NOW);

    expect(uids(chosen)).toEqual(['1.2', '1.3']);
  });

  it('keeps a study exactly at the age limit', () => {
    const chosen = chooseRecentStudies([study('1.1', '20261104'), study('1.2', '20261105'), study('1.3', '20261106')], { ...SETTINGS, maxStudiesPerPatient: 5 }, NOW);

    expect(uids(chosen)).toEqual(['1.3', '1.2']);
  });

  it('leaves out undated and malformed dates', () => {
    const chosen = chooseRecentStudies([study('1.1', undefined), study('1.2', '2026-12-01'), study('1.3', '20261201')], SETTINGS, NOW);

    expect(uids(chosen)).toEqual(['1.3']);
  });

  it('leaves out studies above the instance limit', () => {
    const chosen = chooseRecentStudies([study('1.1', '20261201', 101), study('1.2', '20261202', 100), study('1.3', '20261203')], { ...SETTINGS, maxStudiesPerPatient: 5 }, NOW);

    expect(uids(chosen)).toEqual(['1.3', '1.2']);
  });
});
