/**
 * NEWS2 (National Early Warning Score 2), Royal College of Physicians, 2017.
 * Thresholds from RCP Chart 1 (scoring) and Chart 4 (clinical response); reproduced with
 * acknowledgement of the Royal College of Physicians as the RCP asks. Valid for adults (16+) only,
 * and not validated in pregnancy.
 *
 * Shared by the core (stored scores, ward list) and the renderer (live sub-scores while a nurse
 * types), so both sides always compute the same number. Pure functions, no dependencies.
 */

export type SpO2Scale = 1 | 2;

/** ACVPU: Alert, new Confusion, responds to Voice, responds to Pain, Unresponsive. */
export type Consciousness = 'A' | 'C' | 'V' | 'P' | 'U';

export const NEWS2_PARAMETERS = [
  'respiratoryRate',
  'spo2',
  'onOxygen',
  'systolicBloodPressure',
  'pulse',
  'consciousness',
  'temperature',
] as const;

export type News2Parameter = (typeof NEWS2_PARAMETERS)[number];

/** One set of observations; a parameter left out was not measured. */
export interface News2Observations {
  /** breaths per minute */
  respiratoryRate?: number;
  /** peripheral oxygen saturation, percent */
  spo2?: number;
  /** true when the patient receives supplemental oxygen, false on room air */
  onOxygen?: boolean;
  /** systolic blood pressure, mmHg */
  systolicBloodPressure?: number;
  /** pulse, beats per minute */
  pulse?: number;
  consciousness?: Consciousness;
  /** body temperature, degrees Celsius; scored after rounding to one decimal as charted */
  temperature?: number;
}

/**
 * RCP Chart 4 response levels: `zero` (score 0), `low` (1–4), `low-medium` (3 in any single
 * parameter, total below 5), `medium` (5–6, urgent) and `high` (7 or more, emergency).
 */
export type News2ResponseLevel = 'zero' | 'low' | 'low-medium' | 'medium' | 'high';

export interface News2Score {
  subScores: Partial<Record<News2Parameter, number>>;
  /** Sum of the seven sub-scores; null unless every parameter was measured. */
  total: number | null;
  complete: boolean;
  /** The parameters still missing for a total. */
  missing: News2Parameter[];
  /** True when any measured parameter scores 3 (a "red score"), complete set or not. */
  singleParameterThree: boolean;
  /** Null for an incomplete set: the RCP gives no response level for a partial score. */
  responseLevel: News2ResponseLevel | null;
  scale: SpO2Scale;
}

/** Minimum monitoring frequency per response level, in minutes (0 means continuous monitoring). */
export const NEWS2_MONITORING_INTERVAL_MINUTES: Record<News2ResponseLevel, number> = {
  zero: 12 * 60,
  low: 4 * 60,
  'low-medium': 60,
  medium: 60,
  high: 0,
};

export function scoreRespiratoryRate(breathsPerMinute: number): number {
  if (breathsPerMinute <= 8) return 3;
  if (breathsPerMinute <= 11) return 1;
  if (breathsPerMinute <= 20) return 0;
  if (breathsPerMinute <= 24) return 2;
  return 3;
}

export function scoreSpO2Scale1(percent: number): number {
  if (percent <= 91) return 3;
  if (percent <= 93) return 2;
  if (percent <= 95) return 1;
  return 0;
}

/**
 * Scale 2 is for patients with confirmed hypercapnic respiratory failure (target 88–92%):
 * saturations of 93% and above score only when the patient is on oxygen.
 */
export function scoreSpO2Scale2(percent: number, onOxygen: boolean): number {
  if (percent <= 83) return 3;
  if (percent <= 85) return 2;
  if (percent <= 87) return 1;
  if (percent <= 92) return 0;
  if (!onOxygen) return 0;
  if (percent <= 94) return 1;
  if (percent <= 96) return 2;
  return 3;
}

export function scoreOxygen(onOxygen: boolean): number {
  return onOxygen ? 2 : 0;
}

export function scoreSystolicBloodPressure(mmHg: number): number {
  if (mmHg <= 90) return 3;
  if (mmHg <= 100) return 2;
  if (mmHg <= 110) return 1;
  if (mmHg <= 219) return 0;
  return 3;
}

export function scorePulse(beatsPerMinute: number): number {
  if (beatsPerMinute <= 40) return 3;
  if (beatsPerMinute <= 50) return 1;
  if (beatsPerMinute <= 90) return 0;
  if (beatsPerMinute <= 110) return 1;
  if (beatsPerMinute <= 130) return 2;
  return 3;
}

export function scoreConsciousness(level: Consciousness): number {
  return level === 'A' ? 0 : 3;
}

export function scoreTemperature(celsius: number): number {
  const charted = Math.round(celsius * 10) / 10;
  if (charted <= 35.0) return 3;
  if (charted <= 36.0) return 1;
  if (charted <= 38.0) return 0;
  if (charted <= 39.0) return 1;
  return 2;
}

/**
 * Scores one set of observations. On scale 2, a saturation of 93% or more scores 0 on air but up to
 * 3 on oxygen, so it gets no sub-score until air or oxygen is recorded: guessing "air" could hide
 * a red score.
 */
export function scoreNews2(observations: News2Observations, scale: SpO2Scale): News2Score {
  const subScores: Partial<Record<News2Parameter, number>> = {};
  const o = observations;

  if (o.respiratoryRate !== undefined) subScores.respiratoryRate = scoreRespiratoryRate(o.respiratoryRate);
  if (o.spo2 !== undefined) {
    if (scale === 1) subScores.spo2 = scoreSpO2Scale1(o.spo2);
    else if (o.spo2 <= 92 || o.onOxygen !== undefined) subScores.spo2 = scoreSpO2Scale2(o.spo2, o.onOxygen === true);
  }
  if (o.onOxygen !== undefined) subScores.onOxygen = scoreOxygen(o.onOxygen);
  if (o.systolicBloodPressure !== undefined) {
    subScores.systolicBloodPressure = scoreSystolicBloodPressure(o.systolicBloodPressure);
  }
  if (o.pulse !== undefined) subScores.pulse = scorePulse(o.pulse);
  if (o.consciousness !== undefined) subScores.consciousness = scoreConsciousness(o.consciousness);
  if (o.temperature !== undefined) subScores.temperature = scoreTemperature(o.temperature);

  const missing = NEWS2_PARAMETERS.filter((parameter) => subScores[parameter] === undefined);
  const complete = missing.length === 0;
  const total = complete ? Object.values(subScores).reduce((sum, value) => sum + value, 0) : null;
  const singleParameterThree = Object.values(subScores).some((value) => value === 3);

  return {
    subScores,
    total,
    complete,
    missing,
    singleParameterThree,
    responseLevel: total === null ? null : responseLevelFor(total, singleParameterThree),
    scale,
  };
}

export function responseLevelFor(total: number, singleParameterThree: boolean): News2ResponseLevel {
  if (total >= 7) return 'high';
  if (total >= 5) return 'medium';
  if (singleParameterThree) return 'low-medium';
  if (total >= 1) return 'low';
  return 'zero';
}
