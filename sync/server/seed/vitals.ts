import type { News2Observations, SpO2Scale } from '../../../preload/api/clinical/news2.js';
import type { FhirResource } from '../../protocol/documents.js';
import { GENERATED_TAG } from '../../protocol/fhir/identifiers.js';
import { buildSpO2ScaleDecision, buildVitalSignsPanel } from '../../protocol/fhir/vital-signs.js';
import type { Random } from './random.js';

/**
 * Pattern of a patient's generated observations over the 48 hours before the seed's clock:
 * - `stable`: normal values that vary a little;
 * - `deteriorating`: values drifting towards sepsis-like ones, so the NEWS2 total climbs to a
 *   medium or high response;
 * - `hypercapnic`: saturations of 88–92% on oxygen, scored on SpO2 scale 2 after a doctor's decision.
 */
export type VitalsProfile = 'stable' | 'deteriorating' | 'hypercapnic';

export interface Performer {
  reference: string;
  display: string;
}

const HOUR_MS = 60 * 60 * 1000;
/** When the regular sets were taken, in hours before the clock: every 6 hours over 2 days. */
const SET_HOURS_BEFORE_CLOCK = [46, 40, 34, 28, 22, 16, 10, 4];
/** Extra sets for deteriorating patients, observed more often as their score climbs. */
const EXTRA_SET_HOURS_BEFORE_CLOCK = [2, 1];

const round = (value: number, decimals = 0) => Math.round(value * 10 ** decimals) / 10 ** decimals;

/** Linear interpolation from `start` (progress 0) to `end` (progress 1). */
const drift = (start: number, end: number, progress: number) => start + (end - start) * progress;

function stableObservations(random: Random): News2Observations {
  return {
    respiratoryRate: random.integer(12, 18),
    spo2: random.integer(95, 99),
    onOxygen: false,
    systolicBloodPressure: random.integer(112, 138),
    pulse: random.integer(58, 90),
    consciousness: 'A',
    temperature: round(random.between(36.3, 37.4), 1),
  };
}

function deterioratingObservations(random: Random, progress: number, severity: number): News2Observations {
  const worse = Math.min(1, progress * severity);
  return {
    respiratoryRate: Math.round(drift(15, 26, worse) + random.integer(-1, 1)),
    spo2: Math.round(drift(97, 91, worse) + random.integer(-1, 0)),
    onOxygen: worse > 0.6,
    systolicBloodPressure: Math.round(drift(128, 96, worse) + random.integer(-4, 4)),
    pulse: Math.round(drift(80, 124, worse) + random.integer(-3, 3)),
    consciousness: worse > 0.95 ? 'C' : 'A',
    temperature: round(drift(36.9, 38.8, worse) + random.between(-0.15, 0.15), 1),
  };
}

function hypercapnicObservations(random: Random): News2Observations {
  return {
    respiratoryRate: random.integer(17, 21),
    spo2: random.integer(88, 92),
    onOxygen: true,
    systolicBloodPressure: random.integer(118, 145),
    pulse: random.integer(72, 96),
    consciousness: 'A',
    temperature: round(random.between(36.4, 37.3), 1),
  };
}

export interface VitalsPlan {
  patientId: string;
  encounterId: string;
  profile: VitalsProfile;
  clock: Date;
  random: Random;
  recordedBy: Performer;
  /** Rate at which a deteriorating patient worsens: 1 reaches the worst values at the last set. */
  severity?: number;
}

/** Builds the patient's complete vital signs panels over the 48 hours before the clock. */
export function vitalsHistory(plan: VitalsPlan): FhirResource[] {
  const hours = plan.profile === 'deteriorating' ? [...SET_HOURS_BEFORE_CLOCK, ...EXTRA_SET_HOURS_BEFORE_CLOCK] : SET_HOURS_BEFORE_CLOCK;
  const scale: SpO2Scale = plan.profile === 'hypercapnic' ? 2 : 1;

  return hours.map((hoursBefore, index) => {
    const jitterMinutes = plan.random.integer(-30, 30);
    const takenAt = new Date(plan.clock.getTime() - hoursBefore * HOUR_MS + jitterMinutes * 60_000);
    const progress = index / (hours.length - 1);
    const observations =
      plan.profile === 'deteriorating'
        ? deterioratingObservations(plan.random, progress, plan.severity ?? 1)
        : plan.profile === 'hypercapnic'
          ? hypercapnicObservations(plan.random)
          : stableObservations(plan.random);
    return buildVitalSignsPanel({
      id: `vitals-${plan.patientId}-${String(index + 1).padStart(2, '0')}`,
      patientId: plan.patientId,
      encounterId: plan.encounterId,
      effectiveDateTime: takenAt.toISOString(),
      performer: plan.recordedBy,
      observations,
      scale,
      tags: [{ ...GENERATED_TAG }],
    });
  });
}

/** Builds a doctor's decision to score this patient's saturations on SpO2 scale 2. */
export function scale2Decision(patientId: string, decidedAt: Date, doctor: Performer): FhirResource {
  return buildSpO2ScaleDecision({
    id: `spo2-scale-${patientId}`,
    patientId,
    scale: 2,
    effectiveDateTime: decidedAt.toISOString(),
    performer: doctor,
    tags: [{ ...GENERATED_TAG }],
  });
}
