import type { DiagnosticReport, Observation, Reference } from 'fhir/r4.js';

import type { FhirObservationStatus } from '../profiles/index.js';
import { analyzerCodeSystem, coding, concept, DIAGNOSTIC_SERVICE_SECTION_SYSTEM, fhirSystemOf, LABORATORY_REPORT } from './fhir-codes.js';
import { buildObservation } from './fhir-observation.js';
import type { LabResultDraft, LabResultGroup, LabResultMapping } from './types.js';

/** References and times the caller knows and the analyzer message does not. */
export interface DiagnosticReportOptions {
  /** The system of the analyzer's own test codes; see `analyzerCodeSystem`. */
  readonly analyzerCodeSystem: string;
  readonly subject?: Reference;
  readonly specimen?: Reference;
  readonly basedOn?: readonly Reference[];
  /** FHIR instant the report was released; defaults to the group's `issued`. */
  readonly issued?: string;
}

/** A result group as FHIR resources: the Observations to store and the DiagnosticReport that lists them. */
export interface ResultResources {
  readonly observations: Observation[];
  readonly diagnosticReport: DiagnosticReport;
}

export type ResultReferences = Omit<DiagnosticReportOptions, 'analyzerCodeSystem'> & { readonly device?: Reference };

/** Tells whether a result is stored: every result except those whose test the profile deliberately ignores. */
export function isStoredResult(result: LabResultDraft): boolean {
  return result.match.kind !== 'ignored';
}

/**
 * Builds the DiagnosticReport of one result group. Its status summarizes the stored results'
 * statuses; its code is the ordered test (HL7 OBR-4, ASTM O.5), or LOINC 11502-2 "Laboratory
 * report" when the message names none.
 */
export function buildDiagnosticReport(group: LabResultGroup, options: DiagnosticReportOptions): DiagnosticReport {
  const stored = group.results.filter(isStoredResult);
  const issued = options.issued ?? group.issued;
  const ordered = group.orderedTests.map((test) => coding(test.system === '' ? options.analyzerCodeSystem : fhirSystemOf(test.system), test.code, test.display));
  const code = ordered.length > 0 ? concept(ordered, group.orderedTests.map((test) => test.display || test.code).join(', ')) : concept([LABORATORY_REPORT], 'Laboratory report');

  return {
    resourceType: 'DiagnosticReport',
    id: group.id,
    status: reportStatus(stored.map((result) => result.status.fhir)),
    category: [{ coding: [coding(DIAGNOSTIC_SERVICE_SECTION_SYSTEM, 'LAB', 'Laboratory')] }],
    code,
    ...(options.subject ? { subject: options.subject } : {}),
    ...(options.basedOn && options.basedOn.length > 0 ? { basedOn: [...options.basedOn] } : {}),
    ...(options.specimen ? { specimen: [options.specimen] } : {}),
    ...(group.effectiveDateTime ? { effectiveDateTime: group.effectiveDateTime } : {}),
    ...(issued ? { issued } : {}),
    ...(stored.length > 0 ? { result: stored.map((result) => ({ reference: `Observation/${result.id}` })) } : {}),
  };
}

/**
 * Builds the Observations of a group's stored results and the DiagnosticReport that lists them,
 * with the same references on all of them.
 */
export function buildResultResources(mapping: LabResultMapping, group: LabResultGroup, references: ResultReferences = {}): ResultResources {
  const system = analyzerCodeSystem(mapping.profileId);
  const issued = references.issued ?? group.issued;
  const observations = group.results.filter(isStoredResult).map((result) =>
    buildObservation(result, {
      analyzerCodeSystem: system,
      ...(references.subject ? { subject: references.subject } : {}),
      ...(references.specimen ? { specimen: references.specimen } : {}),
      ...(references.basedOn ? { basedOn: references.basedOn } : {}),
      ...(references.device ? { device: references.device } : {}),
      ...(issued ? { issued } : {}),
    }),
  );
  const diagnosticReport = buildDiagnosticReport(group, {
    analyzerCodeSystem: system,
    ...(references.subject ? { subject: references.subject } : {}),
    ...(references.specimen ? { specimen: references.specimen } : {}),
    ...(references.basedOn ? { basedOn: references.basedOn } : {}),
    ...(issued ? { issued } : {}),
  });
  return { observations, diagnosticReport };
}

/**
 * Summarizes result statuses into a DiagnosticReport.status: cancelled and entered-in-error
 * results count only when every result has that status; among the rest, any unknown makes the
 * report unknown, any preliminary or registered one makes it preliminary (or registered when
 * nothing has a value yet), a corrected or amended one makes it corrected or amended, and all
 * final makes it final.
 */
export function reportStatus(statuses: readonly FhirObservationStatus[]): DiagnosticReport['status'] {
  if (statuses.length === 0) return 'unknown';
  if (statuses.every((status) => status === 'entered-in-error')) return 'entered-in-error';
  const active = statuses.filter((status) => status !== 'cancelled' && status !== 'entered-in-error');
  if (active.length === 0) return 'cancelled';

  if (active.includes('unknown')) return 'unknown';
  if (active.every((status) => status === 'registered')) return 'registered';
  if (active.some((status) => status === 'preliminary' || status === 'registered')) return 'preliminary';
  if (active.includes('corrected')) return 'corrected';
  if (active.includes('amended')) return 'amended';
  return 'final';
}
