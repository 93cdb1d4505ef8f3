import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import dicomParser from 'dicom-parser';
import { describe, expect, it } from 'vitest';

import type { StudySeriesList } from '../../../preload/api/imaging-schemas.js';
import { listTags } from '../../../renderer/src/imaging/viewer/dicom-tags.js';
import { factsOfDataSet, formatPersonName } from '../../../renderer/src/imaging/viewer/image-facts.js';
import { fileUrlOfImageId, stackOfSeries, wadouriImageId } from '../../../renderer/src/imaging/viewer/image-ids.js';
import { DICOM_FIXTURES } from '../../support/dicom-fixtures.js';

const parse = (name: string) => dicomParser.parseDicom(new Uint8Array(readFileSync(join(DICOM_FIXTURES, name))));

const STUDY: StudySeriesList = {
  studyInstanceUid: '1.2.3',
  patientId: null,
  listedBy: 'pacs',
  series: [
    {
      seriesInstanceUid: '1.2.3.4',
      modality: 'MR',
      description: null,
      number: 1,
      instances: [
        { sopInstanceUid: '1.2.3.4.1', number: 1, frames: 1 },
        { sopInstanceUid: '1.2.3.4.2', number: 2, frames: 3 },
      ],
    },
  ],
};

describe('viewer image ids', () => {
  it('adds a frame parameter to a URL', () => {
    expect(wadouriImageId('/imaging/instances/1/2/3', null)).toBe('wadouri:/imaging/instances/1/2/3');
    expect(wadouriImageId('/imaging/instances/1/2/3', 2)).toBe('wadouri:/imaging/instances/1/2/3?frame=2');
    expect(wadouriImageId('/imaging/instances/1/2/3?token=ab', 0)).toBe('wadouri:/imaging/instances/1/2/3?token=ab&frame=0');
  });

  it('lists every frame of a series in order', () => {
    const series = STUDY.series[0];
    if (series === undefined) throw new Error('The test study has no series');

    const stack = stackOfSeries(STUDY, series, (study, seriesUid, sop) => `hms-dicom://instances/${study}/${seriesUid}/${sop}`);

    expect(stack.map((image) => image.imageId)).toEqual([
      'wadouri:hms-dicom://instances/1.2.3/1.2.3.4/1.2.3.4.1',
      'wadouri:hms-dicom://instances/1.2.3/1.2.3.4/1.2.3.4.2?frame=0',
      'wadouri:hms-dicom://instances/1.2.3/1.2.3.4/1.2.3.4.2?frame=1',
      'wadouri:hms-dicom://instances/1.2.3/1.2.3.4/1.2.3.4.2?frame=2',
    ]);
    expect(stack[3]).toMatchObject({ sopInstanceUid: '1.2.3.4.2', frameIndex: 2, frameCount: 3, instanceNumber: 2 });
  });

  it('maps a frame id back to its file URL', () => {
    expect(fileUrlOfImageId('wadouri:/imaging/instances/1/2/3?token=ab&frame=4')).toBe('/imaging/instances/1/2/3?token=ab');
    expect(fileUrlOfImageId('wadouri:/imaging/instances/1/2/3?frame=0')).toBe('/imaging/instances/1/2/3');
    expect(fileUrlOfImageId('wadouri:/imaging/instances/1/2/3')).toBe('/imaging/instances/1/2/3');
  });
});

describe('viewer overlay facts', () => {
  it('formats DICOM person names', () => {
    expect(formatPersonName('CompressedSamples^CT1')).toBe('CompressedSamples, CT1');
    expect(formatPersonName('Doe^John^Q')).toBe('Doe, John Q');
    expect(formatPersonName('Yamada^Tarou=山田^太郎')).toBe('Yamada, Tarou');
    expect(formatPersonName('^^^^')).toBeNull();
    expect(formatPersonName(null)).toBeNull();
  });

  it('reads a CT header', () => {
    const facts = factsOfDataSet(parse('pydicom_CT_small.dcm'));

    expect(facts.patientId).toBe('1CT1');
    expect(facts.studyDate).toBe('2004-01-19');
    expect(facts.modality).toBe('CT');
    expect(facts.valueUnit).toBe('HU');
    expect(facts.slicePosition).toBeCloseTo(-77.2, 1);
  });

  it('gives MR values no unit', () => {
    expect(factsOfDataSet(parse('pydicom_MR_small.dcm')).valueUnit).toBeNull();
  });
});

describe('viewer tag list', () => {
  it('lists explicit VR elements', () => {
    const rows = listTags(parse('pydicom_CT_small.dcm'));
    const patientId = rows.find((row) => row.tag === '(0010,0020)' && row.depth === 0);

    expect(patientId).toEqual({ tag: '(0010,0020)', keyword: 'PatientID', vr: 'LO', value: { kind: 'text', text: '1CT1' }, depth: 0 });
    expect(rows.find((row) => row.tag === '(0028,0010)')?.value).toEqual({ kind: 'text', text: '128' });
    expect(rows.find((row) => row.tag === '(7FE0,0010)')?.value).toEqual({ kind: 'bytes', count: 32768, encapsulated: false });
  });

  it('takes implicit VR from the dictionary', () => {
    const rows = listTags(parse('variants/pydicom_MR_small_implicit.dcm'));

    expect(rows.find((row) => row.tag === '(0028,0010)')).toMatchObject({ keyword: 'Rows', vr: 'US', value: { kind: 'text', text: '64' } });
    expect(rows.find((row) => row.tag === '(0010,0010)')).toMatchObject({ keyword: 'PatientName', vr: 'PN' });
  });

  it('nests sequence items', () => {
    const rows = listTags(parse('variants/mr_voi_lut.dcm'));
    const sequence = rows.findIndex((row) => row.tag === '(0028,3010)');

    expect(rows[sequence]).toMatchObject({ keyword: 'VOILUTSequence', vr: 'SQ', value: { kind: 'items', count: 1 }, depth: 0 });
    expect(rows[sequence + 1]).toMatchObject({ tag: '(0028,3002)', keyword: 'LUTDescriptor', depth: 1, value: { kind: 'text', text: '4096\\0\\12' } });
  });

  it('marks compressed pixel data', () => {
    const rows = listTags(parse('variants/pydicom_MR_small_jpeg_ls_lossless.dcm'));

    expect(rows.find((row) => row.tag === '(7FE0,0010)')?.value).toMatchObject({ kind: 'bytes', encapsulated: true });
  });
});
