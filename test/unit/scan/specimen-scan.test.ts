import { describe, expect, it } from 'vitest';

import { parseScan } from '../../../devices/scan/index.js';
import { compileSitePattern } from '../../../devices/scan/index.js';
import type { ScanEvent } from '../../../preload/api/scan-schemas.js';
import { readSpecimenScan } from '../../../renderer/src/lab/specimen-scan.js';

const NOW = new Date('2026-06-01T08:00:00.000Z');
const PATTERNS = {
  wristbandPattern: compileSitePattern('MRN(?<mrn>\\d{8})', 'wristband'),
  specimenPattern: compileSitePattern('S\\d{2}-(?<accession>\\d{6})', 'specimen'),
};

function scanOf(raw: string, withPatterns = true): ScanEvent {
  return { id: 'scan-1', source: 'wedge', receivedAt: NOW.toISOString(), raw, result: parseScan(raw, { now: NOW, ...(withPatterns ? PATTERNS : {}) }) };
}

describe('specimen scan reading', () => {
  it('takes the accession of the site pattern', () => {
    expect(readSpecimenScan(scanOf('S24-000123'))).toEqual({ kind: 'accession', accession: '000123' });
  });

  it('takes a bare label as the accession', () => {
    expect(readSpecimenScan(scanOf(']C0CL-PL-24-0370', false))).toEqual({ kind: 'accession', accession: 'CL-PL-24-0370' });
  });

  it('names a wristband as not a label', () => {
    expect(readSpecimenScan(scanOf('MRN00012345'))).toEqual({ kind: 'not-specimen', scanKind: 'wristband' });
  });

  it('names a medication pack as not a label', () => {
    expect(readSpecimenScan(scanOf(']d20109501101020917172607311012A3B'))).toEqual({ kind: 'not-specimen', scanKind: 'gs1' });
  });

  it('gives the reason for an invalid scan', () => {
    const reading = readSpecimenScan(scanOf(']XXS24-000123'));
    expect(reading.kind).toBe('invalid');
    if (reading.kind !== 'invalid') return;
    expect(reading.message).toContain('symbology identifier');
  });
});
