import { describe, expect, it } from 'vitest';

import type { DicomJsonDataset } from '../../../main/core/imaging/dicom-json.js';
import { isDicomUid, numberValue, requireDicomUid, stringValue, stringValues } from '../../../main/core/imaging/dicom-json.js';

const dataset: DicomJsonDataset = {
  '00080050': { vr: 'SH' },
  '00080060': { vr: 'CS', Value: ['CT'] },
  '00080061': { vr: 'CS', Value: ['CT', '', 'SR'] },
  '00201208': { vr: 'IS', Value: [12] },
  '00201206': { vr: 'IS', Value: ['3'] },
  '00280030': { vr: 'DS', Value: ['abc'] },
  '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] },
};

describe('DICOM JSON values', () => {
  it('reads the first string value', () => {
    expect(stringValue(dataset, '00080060')).toBe('CT');
    expect(stringValue(dataset, '00080050')).toBeUndefined();
    expect(stringValue(dataset, '00100010')).toBeUndefined();
    expect(stringValue(dataset, '7FE00010')).toBeUndefined();
  });

  it('reads every non-empty string value', () => {
    expect(stringValues(dataset, '00080061')).toEqual(['CT', 'SR']);
    expect(stringValues(dataset, '00080050')).toEqual([]);
  });

  it('reads numbers sent as numbers or strings', () => {
    expect(numberValue(dataset, '00201208')).toBe(12);
    expect(numberValue(dataset, '00201206')).toBe(3);
    expect(numberValue(dataset, '00280030')).toBeUndefined();
    expect(numberValue(dataset, '00080050')).toBeUndefined();
  });
});

describe('DICOM UIDs', () => {
  it.each(['1.2.840.10008.1.2.1', '0', '1.0.3', '2.25.329800735698586629295641978511506172918'])('accepts %s', (uid) => {
    expect(isDicomUid(uid)).toBe(true);
  });

  it.each(['', '1..2', '1.02', '.1', '1.', '1.2/../3', '1.2.a', `1.${'2'.repeat(63)}`])('rejects "%s"', (uid) => {
    expect(isDicomUid(uid)).toBe(false);
  });

  it('names the value and the rule when it rejects', () => {
    expect(() => requireDicomUid('../etc', 'StudyInstanceUID')).toThrow('Invalid StudyInstanceUID "../etc": a DICOM UID is digits and dots, at most 64 characters');
  });
});
