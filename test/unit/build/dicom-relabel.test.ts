import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import dicomParser from 'dicom-parser';
import { describe, expect, it } from 'vitest';

import { relabelDicom, uidFromName } from '../../../build/scripts/dicom-relabel.js';
import { DICOM_FIXTURES } from '../../support/dicom-fixtures.js';

const NEW_SOP = uidFromName('test:sop');
const NEW_STUDY = uidFromName('test:study');

function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(DICOM_FIXTURES, name)));
}

/** The value bytes of an element, or of every fragment of encapsulated pixel data. */
function pixelBytes(bytes: Uint8Array): Buffer {
  const dataset = dicomParser.parseDicom(bytes);
  const element = dataset.elements.x7fe00010;
  if (!element) throw new Error('no Pixel Data');
  if (!element.encapsulatedPixelData) return Buffer.from(bytes.subarray(element.dataOffset, element.dataOffset + element.length));
  return Buffer.concat((element.fragments ?? []).map((fragment) => bytes.subarray(fragment.position, fragment.position + fragment.length)));
}

describe('relabelDicom', () => {
  it('sets new patient and UIDs', () => {
    const relabelled = relabelDicom(fixture('pydicom_CT_small.dcm'), {
      attributes: {
        x00100010: { vr: 'PN', value: 'Doe^Jane' },
        x00100020: { vr: 'LO', value: '12345678' },
        x0020000d: { vr: 'UI', value: NEW_STUDY },
        x00080018: { vr: 'UI', value: NEW_SOP },
      },
    });

    const dataset = dicomParser.parseDicom(relabelled);
    expect(dataset.string('x00100010')).toBe('Doe^Jane');
    expect(dataset.string('x00100020')).toBe('12345678');
    expect(dataset.string('x0020000d')).toBe(NEW_STUDY);
    expect(dataset.string('x00080018')).toBe(NEW_SOP);
    expect(dataset.string('x00020003')).toBe(NEW_SOP);
    expect(dataset.string('x00020010')).toBe('1.2.840.10008.1.2.1');
    expect(dataset.string('x00080060')).toBe('CT');
  });

  it('inserts a missing attribute in tag order', () => {
    const relabelled = relabelDicom(fixture('pydicom_MR_small.dcm'), { attributes: { x00081030: { vr: 'LO', value: 'MR knee' } } });

    const dataset = dicomParser.parseDicom(relabelled);
    const tags = Object.keys(dataset.elements).filter((tag) => !tag.startsWith('x0002'));
    expect(dataset.string('x00081030')).toBe('MR knee');
    expect(tags).toEqual([...tags].sort());
  });

  it('keeps native and encapsulated pixel data', () => {
    for (const name of ['pydicom_CT_small.dcm', 'pydicomdata_JPEG-LL.dcm', 'pydicom_SC_rgb_rle_2frame.dcm']) {
      const original = fixture(name);

      const relabelled = relabelDicom(original, { attributes: { x00100020: { vr: 'LO', value: '1' } } });

      expect(pixelBytes(relabelled).equals(pixelBytes(original))).toBe(true);
    }
  });

  it('changes native pixels through transformPixels', () => {
    const original = fixture('pydicom_CT_small.dcm');

    const relabelled = relabelDicom(original, { attributes: {}, transformPixels: (pixels) => pixels.fill(0) });

    expect(pixelBytes(relabelled).every((byte) => byte === 0)).toBe(true);
    expect(pixelBytes(original).some((byte) => byte !== 0)).toBe(true);
  });

  it('derives UIDs under 2.25 within 64 characters', () => {
    const uid = uidFromName('study:12345678:ct-head');

    expect(uid).toMatch(/^2\.25\.[1-9][0-9]*$/);
    expect(uid.length).toBeLessThanOrEqual(64);
    expect(uidFromName('study:12345678:ct-head')).toBe(uid);
    expect(uidFromName('study:12345678:mr-knee')).not.toBe(uid);
  });
});
