import type { Consciousness, News2Observations, SpO2Scale } from '../../../preload/api/clinical/news2.js';
import { scoreNews2 } from '../../../preload/api/clinical/news2.js';
import type { FhirResource } from '../documents.js';
import { LOINC, OBSERVATION_CATEGORY_SYSTEM, SNOMED, UCUM } from './identifiers.js';

/**
 * How a bedside set of observations is stored: one FHIR Observation (LOINC 85353-1 vital signs
 * panel) with one component per measured parameter, plus the NEWS2 total (SNOMED CT
 * 1104051000000101) when the set is complete and the SpO2 scale it was scored on. One document per
 * set keeps the set atomic: it syncs, conflicts and counts as one change.
 */

export const VITAL_SIGNS_PANEL = { system: LOINC, code: '85353-1', display: 'Vital signs panel' } as const;
export const NEWS2_TOTAL = { system: SNOMED, code: '1104051000000101', display: 'NEWS2 total score' } as const;
/** Local code: the SpO2 scale (1 or 2) a set was scored on, or a clinician's decision of scale. */
export const NEWS2_CODE_SYSTEM = 'urn:hms:news2';
export const SPO2_SCALE = { system: NEWS2_CODE_SYSTEM, code: 'spo2-scale', display: 'NEWS2 SpO2 scale' } as const;

export const VITAL_SIGNS_PANEL_KEY = `${VITAL_SIGNS_PANEL.system}|${VITAL_SIGNS_PANEL.code}`;
export const SPO2_SCALE_KEY = `${SPO2_SCALE.system}|${SPO2_SCALE.code}`;

type NumericParameter = 'respiratoryRate' | 'spo2' | 'systolicBloodPressure' | 'pulse' | 'temperature';

const QUANTITY_COMPONENTS: Record<NumericParameter, { code: string; display: string; unit: string; ucum: string }> = {
  respiratoryRate: { code: '9279-1', display: 'Respiratory rate', unit: '/min', ucum: '/min' },
  spo2: { code: '59408-5', display: 'Oxygen saturation by pulse oximetry', unit: '%', ucum: '%' },
  systolicBloodPressure: { code: '8480-6', display: 'Systolic blood pressure', unit: 'mmHg', ucum: 'mm[Hg]' },
  pulse: { code: '8867-4', display: 'Heart rate', unit: '/min', ucum: '/min' },
  temperature: { code: '8310-5', display: 'Body temperature', unit: '°C', ucum: 'Cel' },
};

const ON_OXYGEN = { system: SNOMED, code: '57485005', display: 'Oxygen therapy' } as const;
const CONSCIOUSNESS = { system: LOINC, code: '67775-7', display: 'Level of responsiveness' } as const;

/** SNOMED CT concepts for the ACVPU levels. */
const ACVPU_CODES: Record<Consciousness, { code: string; display: string }> = {
  A: { code: '248234008', display: 'Mentally alert' },
  C: { code: '1104441000000107', display: 'New confusion' },
  V: { code: '300202002', display: 'Responds to voice' },
  P: { code: '450847001', display: 'Responds to pain' },
  U: { code: '422768004', display: 'Unresponsive' },
};

interface Coding {
  system?: string;
  code?: string;
  display?: string;
}

interface Component {
  code: { coding: Coding[]; text?: string };
  valueQuantity?: { value: number; unit: string; system: string; code: string };
  valueBoolean?: boolean;
  valueInteger?: number;
  valueCodeableConcept?: { coding: Coding[] };
}

export interface VitalSignsPanelInput {
  id: string;
  patientId: string;
  encounterId?: string;
  effectiveDateTime: string;
  performer: { reference: string; display: string };
  observations: News2Observations;
  scale: SpO2Scale;
  tags?: Coding[];
}

export function buildVitalSignsPanel(input: VitalSignsPanelInput): FhirResource {
  const components: Component[] = [];
  const o = input.observations;

  for (const parameter of Object.keys(QUANTITY_COMPONENTS) as NumericParameter[]) {
    const value = o[parameter];
    if (value === undefined) continue;
    const definition = QUANTITY_COMPONENTS[parameter];
    components.push({
      code: { coding: [{ system: LOINC, code: definition.code, display: definition.display }] },
      valueQuantity: { value, unit: definition.unit, system: UCUM, code: definition.ucum },
    });
  }
  if (o.onOxygen !== undefined) components.push({ code: { coding: [{ ...ON_OXYGEN }] }, valueBoolean: o.onOxygen });
  if (o.consciousness !== undefined) {
    const level = ACVPU_CODES[o.consciousness];
    components.push({ code: { coding: [{ ...CONSCIOUSNESS }] }, valueCodeableConcept: { coding: [{ system: SNOMED, ...level }] } });
  }

  const score = scoreNews2(o, input.scale);
  components.push({ code: { coding: [{ ...SPO2_SCALE }] }, valueInteger: input.scale });
  if (score.total !== null) components.push({ code: { coding: [{ ...NEWS2_TOTAL }] }, valueInteger: score.total });

  const resource: FhirResource = {
    resourceType: 'Observation',
    id: input.id,
    status: 'final',
    category: [{ coding: [{ system: OBSERVATION_CATEGORY_SYSTEM, code: 'vital-signs', display: 'Vital Signs' }] }],
    code: { coding: [{ ...VITAL_SIGNS_PANEL }], text: 'Vital signs' },
    subject: { reference: `Patient/${input.patientId}` },
    effectiveDateTime: input.effectiveDateTime,
    performer: [input.performer],
    component: components,
  };
  if (input.encounterId) resource.encounter = { reference: `Encounter/${input.encounterId}` };
  if (input.tags?.length) resource.meta = { tag: input.tags };
  return resource;
}

function componentWith(resource: FhirResource, system: string, code: string): Component | undefined {
  const components = (resource.component as Component[] | undefined) ?? [];
  return components.find((component) => component.code.coding.some((coding) => coding.system === system && coding.code === code));
}

export interface ParsedVitalSigns {
  observations: News2Observations;
  scale: SpO2Scale;
  recordedBy: string;
}

/** Reads a vital signs panel back into NEWS2 parameters; unknown components are ignored. */
export function parseVitalSignsPanel(resource: FhirResource): ParsedVitalSigns {
  const observations: News2Observations = {};

  for (const parameter of Object.keys(QUANTITY_COMPONENTS) as NumericParameter[]) {
    const value = componentWith(resource, LOINC, QUANTITY_COMPONENTS[parameter].code)?.valueQuantity?.value;
    if (typeof value === 'number') observations[parameter] = value;
  }
  const onOxygen = componentWith(resource, ON_OXYGEN.system, ON_OXYGEN.code)?.valueBoolean;
  if (typeof onOxygen === 'boolean') observations.onOxygen = onOxygen;

  const levelCode = componentWith(resource, CONSCIOUSNESS.system, CONSCIOUSNESS.code)?.valueCodeableConcept?.coding[0]?.code;
  const level = (Object.keys(ACVPU_CODES) as Consciousness[]).find((key) => ACVPU_CODES[key].code === levelCode);
  if (level) observations.consciousness = level;

  const scale = componentWith(resource, SPO2_SCALE.system, SPO2_SCALE.code)?.valueInteger === 2 ? 2 : 1;
  const performer = (resource.performer as { display?: string }[] | undefined)?.[0]?.display ?? '';
  return { observations, scale, recordedBy: performer };
}

export interface SpO2ScaleDecisionInput {
  id: string;
  patientId: string;
  scale: SpO2Scale;
  effectiveDateTime: string;
  performer: { reference: string; display: string };
  tags?: Coding[];
}

/** A clinician's decision of the SpO2 scale for a patient; the newest decision applies. */
export function buildSpO2ScaleDecision(input: SpO2ScaleDecisionInput): FhirResource {
  const resource: FhirResource = {
    resourceType: 'Observation',
    id: input.id,
    status: 'final',
    code: { coding: [{ ...SPO2_SCALE }], text: 'NEWS2 SpO2 scale' },
    subject: { reference: `Patient/${input.patientId}` },
    effectiveDateTime: input.effectiveDateTime,
    performer: [input.performer],
    valueInteger: input.scale,
  };
  if (input.tags?.length) resource.meta = { tag: input.tags };
  return resource;
}
