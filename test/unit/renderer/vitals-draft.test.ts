import { describe, expect, it } from 'vitest';

import { emptyDraft, numericRange, parameterOfIssuePath, parseDraft } from '../../../renderer/src/vitals/vitals-draft.js';

describe('numericRange', () => {
  it('reads the limits from the contract schema', () => {
    expect(numericRange('respiratoryRate')).toEqual({ min: 0, max: 80, decimals: 0 });
    expect(numericRange('spo2')).toEqual({ min: 40, max: 100, decimals: 0 });
    expect(numericRange('temperature')).toEqual({ min: 25, max: 45, decimals: 1 });
  });
});

describe('parseDraft', () => {
  it('reports an empty form', () => {
    expect(parseDraft(emptyDraft)).toEqual({ observations: {}, problems: {}, isEmpty: true });
  });

  it('parses a complete set', () => {
    const parsed = parseDraft({
      respiratoryRate: '18',
      spo2: ' 96 ',
      onOxygen: 'air',
      systolicBloodPressure: '120',
      pulse: '72',
      consciousness: 'A',
      temperature: '36,8',
    });

    expect(parsed.problems).toEqual({});
    expect(parsed.observations).toEqual({
      respiratoryRate: 18,
      spo2: 96,
      onOxygen: false,
      systolicBloodPressure: 120,
      pulse: 72,
      consciousness: 'A',
      temperature: 36.8,
    });
  });

  it('maps oxygen to true', () => {
    expect(parseDraft({ ...emptyDraft, onOxygen: 'oxygen' }).observations.onOxygen).toBe(true);
  });

  it('keeps invalid text as a problem, not a value', () => {
    const parsed = parseDraft({ ...emptyDraft, pulse: '7O', spo2: '20', respiratoryRate: '18.5', temperature: '37.25' });

    expect(parsed.observations).toEqual({});
    expect(parsed.problems).toEqual({
      pulse: { kind: 'not-number' },
      spo2: { kind: 'out-of-range', min: 40, max: 100 },
      respiratoryRate: { kind: 'not-whole-number' },
      temperature: { kind: 'too-many-decimals' },
    });
    expect(parsed.isEmpty).toBe(false);
  });

  it('recognises systolic typed as a pair', () => {
    expect(parseDraft({ ...emptyDraft, systolicBloodPressure: '120 / 80' }).problems).toEqual({ systolicBloodPressure: { kind: 'blood-pressure-pair' } });
    expect(parseDraft({ ...emptyDraft, pulse: '120/80' }).problems).toEqual({ pulse: { kind: 'not-number' } });
  });

  it('rejects a consciousness level outside ACVPU', () => {
    expect(parseDraft({ ...emptyDraft, consciousness: 'X' }).problems).toEqual({ consciousness: { kind: 'not-an-option' } });
  });

  it('accepts the range limits themselves', () => {
    const parsed = parseDraft({ ...emptyDraft, spo2: '40', pulse: '300', temperature: '25.0' });

    expect(parsed.problems).toEqual({});
    expect(parsed.observations).toEqual({ spo2: 40, pulse: 300, temperature: 25 });
  });
});

describe('parameterOfIssuePath', () => {
  it('finds the field of a nested path', () => {
    expect(parameterOfIssuePath('observations.pulse')).toBe('pulse');
    expect(parameterOfIssuePath('observations/temperature')).toBe('temperature');
  });

  it('returns null for a form-level issue', () => {
    expect(parameterOfIssuePath('observations')).toBeNull();
    expect(parameterOfIssuePath('')).toBeNull();
  });
});
