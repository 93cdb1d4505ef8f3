import { describe, expect, it } from 'vitest';

import type { News2Observations } from '../../../preload/api/clinical/news2.js';
import {
  responseLevelFor,
  scoreConsciousness,
  scoreNews2,
  scoreOxygen,
  scorePulse,
  scoreRespiratoryRate,
  scoreSpO2Scale1,
  scoreSpO2Scale2,
  scoreSystolicBloodPressure,
  scoreTemperature,
} from '../../../preload/api/clinical/news2.js';

/**
 * Each row is [value, expected sub-score], taking the values on both sides of every band boundary
 * of RCP NEWS2 Chart 1.
 */
const RESPIRATORY_RATE: [number, number][] = [
  [8, 3], [9, 1],
  [11, 1], [12, 0],
  [20, 0], [21, 2],
  [24, 2], [25, 3],
];

const SPO2_SCALE_1: [number, number][] = [
  [91, 3], [92, 2],
  [93, 2], [94, 1],
  [95, 1], [96, 0],
  [100, 0],
];

/** Scale 2 below 93% does not depend on oxygen: [value, sub-score on air, sub-score on oxygen]. */
const SPO2_SCALE_2: [number, number, number][] = [
  [83, 3, 3], [84, 2, 2],
  [85, 2, 2], [86, 1, 1],
  [87, 1, 1], [88, 0, 0],
  [92, 0, 0], [93, 0, 1],
  [94, 0, 1], [95, 0, 2],
  [96, 0, 2], [97, 0, 3],
  [100, 0, 3],
];

const SYSTOLIC_BLOOD_PRESSURE: [number, number][] = [
  [90, 3], [91, 2],
  [100, 2], [101, 1],
  [110, 1], [111, 0],
  [219, 0], [220, 3],
];

const PULSE: [number, number][] = [
  [40, 3], [41, 1],
  [50, 1], [51, 0],
  [90, 0], [91, 1],
  [110, 1], [111, 2],
  [130, 2], [131, 3],
];

const TEMPERATURE: [number, number][] = [
  [35.0, 3], [35.1, 1],
  [36.0, 1], [36.1, 0],
  [38.0, 0], [38.1, 1],
  [39.0, 1], [39.1, 2],
];

describe('NEWS2 sub-scores at every band boundary', () => {
  it.each(RESPIRATORY_RATE)('respiratory rate %d scores %d', (value, expected) => {
    expect(scoreRespiratoryRate(value)).toBe(expected);
  });

  it.each(SPO2_SCALE_1)('SpO2 scale 1 at %d%% scores %d', (value, expected) => {
    expect(scoreSpO2Scale1(value)).toBe(expected);
  });

  it.each(SPO2_SCALE_2)('SpO2 scale 2 at %d%% scores %d on air and %d on oxygen', (value, onAir, onOxygen) => {
    expect(scoreSpO2Scale2(value, false)).toBe(onAir);
    expect(scoreSpO2Scale2(value, true)).toBe(onOxygen);
  });

  it.each(SYSTOLIC_BLOOD_PRESSURE)('systolic blood pressure %d scores %d', (value, expected) => {
    expect(scoreSystolicBloodPressure(value)).toBe(expected);
  });

  it.each(PULSE)('pulse %d scores %d', (value, expected) => {
    expect(scorePulse(value)).toBe(expected);
  });

  it.each(TEMPERATURE)('temperature %f scores %d', (value, expected) => {
    expect(scoreTemperature(value)).toBe(expected);
  });

  it('scores temperature as charted to one decimal', () => {
    expect(scoreTemperature(36.04)).toBe(1);
    expect(scoreTemperature(36.05)).toBe(0);
  });

  it('scores oxygen 2 and air 0', () => {
    expect(scoreOxygen(true)).toBe(2);
    expect(scoreOxygen(false)).toBe(0);
  });

  it('scores Alert 0 and every other ACVPU level 3', () => {
    expect(scoreConsciousness('A')).toBe(0);
    for (const level of ['C', 'V', 'P', 'U'] as const) expect(scoreConsciousness(level)).toBe(3);
  });
});

const NORMAL_SET: Required<News2Observations> = {
  respiratoryRate: 16,
  spo2: 97,
  onOxygen: false,
  systolicBloodPressure: 125,
  pulse: 72,
  consciousness: 'A',
  temperature: 36.8,
};

describe('NEWS2 total and response level', () => {
  it('totals a normal complete set to 0', () => {
    const score = scoreNews2(NORMAL_SET, 1);

    expect(score.total).toBe(0);
    expect(score.complete).toBe(true);
    expect(score.responseLevel).toBe('zero');
  });

  it('gives no total for an incomplete set but keeps its sub-scores', () => {
    const { temperature: _temperature, consciousness: _consciousness, ...partial } = NORMAL_SET;

    const score = scoreNews2({ ...partial, pulse: 135 }, 1);

    expect(score.total).toBeNull();
    expect(score.complete).toBe(false);
    expect(score.responseLevel).toBeNull();
    expect(score.missing).toEqual(['consciousness', 'temperature']);
    expect(score.subScores.pulse).toBe(3);
    expect(score.singleParameterThree).toBe(true);
  });

  it('sums the sub-scores of a deteriorating patient', () => {
    const score = scoreNews2({ respiratoryRate: 23, spo2: 93, onOxygen: true, systolicBloodPressure: 105, pulse: 115, consciousness: 'A', temperature: 38.4 }, 1);

    expect(score.subScores).toEqual({ respiratoryRate: 2, spo2: 2, onOxygen: 2, systolicBloodPressure: 1, pulse: 2, consciousness: 0, temperature: 1 });
    expect(score.total).toBe(10);
    expect(score.responseLevel).toBe('high');
  });

  it('leaves scale 2 saturations of 93% and more unscored until air or oxygen is known', () => {
    const { onOxygen: _onOxygen, ...withoutOxygen } = NORMAL_SET;

    const high = scoreNews2({ ...withoutOxygen, spo2: 95 }, 2);
    const low = scoreNews2({ ...withoutOxygen, spo2: 90 }, 2);

    expect(high.subScores.spo2).toBeUndefined();
    expect(high.missing).toEqual(['spo2', 'onOxygen']);
    expect(low.subScores.spo2).toBe(0);
  });

  it('scores SpO2 on the patient\'s scale', () => {
    const set = { ...NORMAL_SET, spo2: 89 };

    expect(scoreNews2(set, 1).subScores.spo2).toBe(3);
    expect(scoreNews2(set, 2).subScores.spo2).toBe(0);
  });

  it('maps totals to the RCP response levels', () => {
    expect(responseLevelFor(0, false)).toBe('zero');
    expect(responseLevelFor(1, false)).toBe('low');
    expect(responseLevelFor(4, false)).toBe('low');
    expect(responseLevelFor(3, true)).toBe('low-medium');
    expect(responseLevelFor(4, true)).toBe('low-medium');
    expect(responseLevelFor(5, false)).toBe('medium');
    expect(responseLevelFor(5, true)).toBe('medium');
    expect(responseLevelFor(6, false)).toBe('medium');
    expect(responseLevelFor(7, false)).toBe('high');
  });

  it('raises a red score from a single parameter in an otherwise normal set', () => {
    const score = scoreNews2({ ...NORMAL_SET, consciousness: 'V' }, 1);

    expect(score.total).toBe(3);
    expect(score.singleParameterThree).toBe(true);
    expect(score.responseLevel).toBe('low-medium');
  });
});
