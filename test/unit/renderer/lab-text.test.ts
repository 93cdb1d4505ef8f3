import { describe, expect, it } from 'vitest';

import { describeFlags, describeResultStatus, describeReviewReason, isCriticalResult } from '../../../renderer/src/lab/lab-text.js';
import { splitRawMessage } from '../../../renderer/src/lab/raw-message.js';

describe('describeFlags', () => {
  it('names the v3 flags in words', () => {
    const flags = describeFlags({ interpretation: ['H', 'L', 'A', 'N'], reviewReasons: [] });

    expect(flags.map((flag) => flag.text)).toEqual(['High', 'Low', 'Abnormal', 'Normal']);
    expect(flags.map((flag) => flag.severity)).toEqual(['abnormal', 'abnormal', 'abnormal', 'normal']);
  });

  it.each(['HH', 'LL', 'AA'])('marks %s critical', (code) => {
    const [flag] = describeFlags({ interpretation: [code], reviewReasons: ['critical-flag'] });

    expect(flag?.severity).toBe('critical');
    expect(flag?.text).toMatch(/^Critical/);
  });

  it('keeps an unknown flag as sent', () => {
    const [flag] = describeFlags({ interpretation: ['W'], reviewReasons: ['unknown-flag'] });

    expect(flag).toEqual({ code: 'W', text: 'Flag W as sent', severity: 'other' });
  });

  it('marks the flags of a result held as critical without HH, LL or AA', () => {
    const flags = describeFlags({ interpretation: ['H', 'N'], reviewReasons: ['critical-flag'] });

    expect(flags.map((flag) => flag.severity)).toEqual(['critical', 'normal']);
    expect(flags[0]?.text).toBe('High, critical');
  });

  it('leaves H alone next to HH', () => {
    const flags = describeFlags({ interpretation: ['HH', 'H'], reviewReasons: ['critical-flag'] });

    expect(flags.map((flag) => flag.severity)).toEqual(['critical', 'abnormal']);
  });
});

describe('isCriticalResult', () => {
  it('is true for a critical flag', () => {
    expect(isCriticalResult({ interpretation: ['LL'], reviewReasons: [] })).toBe(true);
  });

  it('is true for a result held as critical', () => {
    expect(isCriticalResult({ interpretation: [], reviewReasons: ['critical-flag'] })).toBe(true);
  });

  it('is false for a high result', () => {
    expect(isCriticalResult({ interpretation: ['H'], reviewReasons: ['unmapped-test'] })).toBe(false);
  });
});

describe('review reasons and statuses', () => {
  it('explains an unknown accession', () => {
    expect(describeReviewReason('unknown-accession')).toContain('No specimen on this workstation');
  });

  it('names a reason code it has no words for', () => {
    expect(describeReviewReason('new-reason')).toBe('Held for review (reason code new-reason).');
  });

  it('names FHIR statuses and keeps others as sent', () => {
    expect(describeResultStatus('preliminary')).toBe('Preliminary');
    expect(describeResultStatus('x-local')).toBe('x-local');
  });
});

describe('splitRawMessage', () => {
  it('sets the control characters apart', () => {
    expect(splitRawMessage('<STX>1H|\\^&<CR>\n<ETX>4C<CR><LF>')).toEqual([
      { kind: 'control', text: '<STX>' },
      { kind: 'text', text: '1H|\\^&' },
      { kind: 'control', text: '<CR>' },
      { kind: 'text', text: '\n' },
      { kind: 'control', text: '<ETX>' },
      { kind: 'text', text: '4C' },
      { kind: 'control', text: '<CR>' },
      { kind: 'control', text: '<LF>' },
    ]);
  });

  it('keeps values that start with < as text', () => {
    expect(splitRawMessage('R|1|^^^GLU|<0.5|<0x1f>')).toEqual([
      { kind: 'text', text: 'R|1|^^^GLU|<0.5|' },
      { kind: 'control', text: '<0x1f>' },
    ]);
  });
});
