import type { CodeableConcept, Coding } from 'fhir/r4.js';

import { LOINC, SNOMED, UCUM } from '../../sync/protocol/fhir/identifiers.js';
import { ANALYZER_CODE_SYSTEM_PREFIX } from '../../sync/protocol/fhir/laboratory.js';

export const DIAGNOSTIC_SERVICE_SECTION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v2-0074';
export const DATA_ABSENT_REASON_SYSTEM = 'http://terminology.hl7.org/CodeSystem/data-absent-reason';

/** DiagnosticReport.code when the message names no ordered test: LOINC 11502-2, "Laboratory report". */
export const LABORATORY_REPORT: Coding = { system: LOINC, code: '11502-2', display: 'Laboratory report' };

/**
 * Returns the code system of an analyzer's own test codes. Codes are local to an analyzer's
 * configuration, so the system names the profile, which is the connection. Messages mapped
 * without a profile get a system of their own.
 */
export function analyzerCodeSystem(profileId: string | undefined): string {
  return `${ANALYZER_CODE_SYSTEM_PREFIX}${profileId ?? 'no-profile'}`;
}

/**
 * Translates an HL7 v2 coding system name (table 0396: LN, SCT, UCUM, HL7nnnn) to its FHIR
 * system URI. Returns undefined for a name without a known URI; the coding then carries only its
 * code and display.
 */
export function fhirSystemOf(v2System: string): string | undefined {
  const name = v2System.trim().toUpperCase();
  if (name === 'LN') return LOINC;
  if (name === 'SCT') return SNOMED;
  if (name === 'UCUM') return UCUM;
  const table = /^HL7(\d{4})$/.exec(name);
  return table ? `http://terminology.hl7.org/CodeSystem/v2-${table[1]}` : undefined;
}

/** Builds a coding of only the elements that have a value, because FHIR forbids empty strings. */
export function coding(system: string | undefined, code: string, display?: string): Coding {
  return {
    ...(system === undefined ? {} : { system }),
    ...(code === '' ? {} : { code }),
    ...(display ? { display } : {}),
  };
}

/** Builds a CodeableConcept of the codings that have a code, with `text` when it is not empty. */
export function concept(codings: readonly Coding[], text: string): CodeableConcept {
  const kept = codings.filter((entry) => entry.code !== undefined);
  return { ...(kept.length > 0 ? { coding: kept } : {}), ...(text === '' ? {} : { text }) };
}
