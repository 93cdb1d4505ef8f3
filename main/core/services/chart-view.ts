import type { PatientChart, SpO2ScaleDecision } from '../../../preload/api/schemas.js';
import { referencedId } from '../../../sync/protocol/documents.js';
import type { Clock } from '../clock.js';
import { ageInYears } from '../clock.js';
import type { ChartReader } from './chart-reader.js';
import { allergyView, bedOf, displayName, gender, mrn } from './fhir-views.js';

/** Builds the chart header of a patient from `reader`; undefined when the reader has no such patient. */
export async function buildChart(reader: ChartReader, patientId: string, clock: Clock, access: PatientChart['access']): Promise<PatientChart | undefined> {
  const patient = await reader.patient(patientId);
  if (!patient) return undefined;

  const encounter = await reader.activeEncounterOf(patientId);
  const locationIds = ((encounter?.resource.location as { location?: unknown }[] | undefined) ?? []).map((entry) => referencedId(entry.location, 'Location'));
  const locations = await reader.locations([...locationIds.filter(Boolean), ...(encounter?.wardId ? [encounter.wardId] : [])]);
  const wardLocation = encounter?.wardId ? locations.get(encounter.wardId) : undefined;
  const allergy = allergyView((await reader.allergies([patientId])).get(patientId) ?? []);
  const birthDate = typeof patient.resource.birthDate === 'string' ? patient.resource.birthDate : null;

  return {
    patientId,
    name: displayName(patient.resource),
    mrn: mrn(patient.resource),
    birthDate,
    ageYears: birthDate ? ageInYears(birthDate, clock.now()) : null,
    gender: gender(patient.resource),
    bed: bedOf(encounter?.resource, locations),
    wardName: typeof wardLocation?.name === 'string' ? wardLocation.name : null,
    allergyStatus: allergy.status,
    allergies: allergy.items,
    spo2Scale: await spo2ScaleOf(reader, patientId),
    access,
    emergencyAccess: null,
  };
}

/** Scale 2 applies only where a clinician set it; otherwise every patient is on scale 1. */
export async function spo2ScaleOf(reader: ChartReader, patientId: string): Promise<SpO2ScaleDecision> {
  const decision = await reader.spo2ScaleDecision(patientId);
  if (!decision || decision.resource.valueInteger !== 2) return { scale: 1, decidedBy: null, decidedAt: null };
  const performer = (decision.resource.performer as { display?: string }[] | undefined)?.[0]?.display ?? null;
  return { scale: 2, decidedBy: performer, decidedAt: decision.effective };
}
