import type { FhirResource } from '../documents.js';
import { LOINC, OBSERVATION_CATEGORY_SYSTEM, SNOMED, UCUM } from './identifiers.js';

/**
 * FHIR R4 lab orders and results as this product exchanges them:
 *
 * - A ServiceRequest is one lab order. Its `locationReference` names the laboratory department
 *   that performs it: a Location typed HLAB, to which a lab bench workstation enrols as a ward
 *   workstation enrols to its ward. `performer` cannot name a Location in R4, so it stays free for
 *   the practitioner or organization.
 * - A Specimen is one tube. `accessionIdentifier.value` is the accession number on its label,
 *   which analyzers send back with each result, and `request` points to its ServiceRequests.
 * - An analyzer run becomes one DiagnosticReport (category LAB) whose `result` lists one
 *   Observation (category laboratory, LOINC-coded) per analyte.
 */

interface Coding {
  system: string;
  code: string;
  display?: string;
}

/**
 * Prefix of the code systems of analyzers' own test codes (`…:<analyzer profile id>`). A lab maps
 * each analyzer code to LOINC where one exists; a result of a code without one keeps the analyzer's
 * code as its first coding.
 */
export const ANALYZER_CODE_SYSTEM_PREFIX = 'urn:hms:analyzer-test-code:';

/** Observation.category of a lab result. */
export const LABORATORY_CATEGORY = { system: OBSERVATION_CATEGORY_SYSTEM, code: 'laboratory', display: 'Laboratory' } as const;
/** ServiceRequest.category of a lab order (SNOMED CT 108252007). */
export const LABORATORY_PROCEDURE = { system: SNOMED, code: '108252007', display: 'Laboratory procedure' } as const;
/** DiagnosticReport.category of a lab report (HL7 v2 table 0074, diagnostic service section). */
export const LABORATORY_SERVICE = { system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB', display: 'Laboratory' } as const;
/** Location.type of a laboratory department (HL7 v3 RoleCode HLAB). */
export const HOSPITAL_LABORATORY = { system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'HLAB', display: 'hospital laboratory' } as const;

const INTERPRETATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';

/** True when one of the CodeableConcepts (a FHIR `category` or `type` list) has this coding. */
export function hasCoding(concepts: unknown, expected: Coding): boolean {
  if (!Array.isArray(concepts)) return false;
  return concepts.some((concept) => {
    const codings = (concept as { coding?: unknown } | null)?.coding;
    return Array.isArray(codings) && codings.some((coding) => (coding as Coding | null)?.system === expected.system && (coding as Coding).code === expected.code);
  });
}

/** True for an Observation whose category is laboratory. */
export function isLaboratoryObservation(resource: FhirResource): boolean {
  return resource.resourceType === 'Observation' && hasCoding(resource.category, LABORATORY_CATEGORY);
}

/** True for a Location typed as a hospital laboratory: a department that lab bench workstations enrol to. */
export function isLaboratoryDepartment(resource: FhirResource): boolean {
  return resource.resourceType === 'Location' && hasCoding(resource.type, HOSPITAL_LABORATORY);
}

export interface LabObservationInput {
  id: string;
  patientId: string;
  /** LOINC code of the analyte, such as 718-7 for haemoglobin. */
  loinc: { code: string; display: string };
  status: 'preliminary' | 'final' | 'corrected' | 'cancelled';
  effectiveDateTime: string;
  issued?: string;
  /** Result with its UCUM unit; absent for a cancelled test. */
  quantity?: { value: number; unit: string };
  referenceRange?: { low?: number; high?: number; unit: string };
  /** HL7 v3 ObservationInterpretation code, such as H, L, HH, LL or A. */
  interpretation?: string;
  specimenId?: string;
  serviceRequestId?: string;
  performer?: { reference: string; display: string };
}

/** Builds one lab result: an Observation of category laboratory, coded by LOINC. */
export function buildLabObservation(input: LabObservationInput): FhirResource {
  const resource: FhirResource = {
    resourceType: 'Observation',
    id: input.id,
    status: input.status,
    category: [{ coding: [{ ...LABORATORY_CATEGORY }] }],
    code: { coding: [{ system: LOINC, code: input.loinc.code, display: input.loinc.display }], text: input.loinc.display },
    subject: { reference: `Patient/${input.patientId}` },
    effectiveDateTime: input.effectiveDateTime,
  };
  if (input.issued) resource.issued = input.issued;
  if (input.performer) resource.performer = [input.performer];
  if (input.quantity) resource.valueQuantity = { value: input.quantity.value, unit: input.quantity.unit, system: UCUM, code: input.quantity.unit };
  if (input.interpretation) resource.interpretation = [{ coding: [{ system: INTERPRETATION_SYSTEM, code: input.interpretation }] }];
  if (input.referenceRange) {
    const { low, high, unit } = input.referenceRange;
    const bound = (value: number) => ({ value, unit, system: UCUM, code: unit });
    resource.referenceRange = [{ ...(low === undefined ? {} : { low: bound(low) }), ...(high === undefined ? {} : { high: bound(high) }) }];
  }
  if (input.specimenId) resource.specimen = { reference: `Specimen/${input.specimenId}` };
  if (input.serviceRequestId) resource.basedOn = [{ reference: `ServiceRequest/${input.serviceRequestId}` }];
  return resource;
}

export interface DiagnosticReportInput {
  id: string;
  patientId: string;
  /** LOINC code of the panel, such as 58410-2 for a CBC. */
  loinc: { code: string; display: string };
  status: 'preliminary' | 'final' | 'corrected' | 'cancelled';
  effectiveDateTime: string;
  issued: string;
  observationIds: readonly string[];
  specimenIds?: readonly string[];
  serviceRequestIds?: readonly string[];
  performer?: { reference: string; display: string };
}

/** Builds the report of one analyzer run, which groups its Observations under `result`. */
export function buildDiagnosticReport(input: DiagnosticReportInput): FhirResource {
  const resource: FhirResource = {
    resourceType: 'DiagnosticReport',
    id: input.id,
    status: input.status,
    category: [{ coding: [{ ...LABORATORY_SERVICE }] }],
    code: { coding: [{ system: LOINC, code: input.loinc.code, display: input.loinc.display }], text: input.loinc.display },
    subject: { reference: `Patient/${input.patientId}` },
    effectiveDateTime: input.effectiveDateTime,
    issued: input.issued,
    result: input.observationIds.map((id) => ({ reference: `Observation/${id}` })),
  };
  if (input.performer) resource.performer = [input.performer];
  if (input.specimenIds?.length) resource.specimen = input.specimenIds.map((id) => ({ reference: `Specimen/${id}` }));
  if (input.serviceRequestIds?.length) resource.basedOn = input.serviceRequestIds.map((id) => ({ reference: `ServiceRequest/${id}` }));
  return resource;
}
