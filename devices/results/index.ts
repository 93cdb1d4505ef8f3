/**
 * Lab results from analyzer messages: a pure mapping from one parsed ASTM or HL7 result message
 * and its analyzer profile to result drafts grouped per specimen and order, and builders from a
 * group to FHIR R4 Observations and a DiagnosticReport. Nothing here does I/O or logs; the
 * results service matches accessions to Specimens, stores, and queues for review. See README.md.
 */
export { mapAstmMessage, parseAstmValue } from './astm-results.js';
export { mapHl7Message } from './hl7-results.js';
export type { MappingContext } from './context.js';
export { ResultMappingError } from './errors.js';
export { checkTimeZone } from './time-zone.js';
export type { ResultMappingErrorCode } from './errors.js';
export type {
  AccessionSource,
  InterpretationFlag,
  LabProtocol,
  LabResultDraft,
  LabResultGroup,
  LabResultMapping,
  QuantityComparator,
  ReferenceRangeDraft,
  ResultUnit,
  ResultValue,
  ReviewReason,
  ReviewReasonCode,
} from './types.js';

export { buildObservation } from './fhir-observation.js';
export type { ObservationOptions } from './fhir-observation.js';
export { buildDiagnosticReport, buildResultResources, isStoredResult, reportStatus } from './fhir-diagnostic-report.js';
export type { DiagnosticReportOptions, ResultReferences, ResultResources } from './fhir-diagnostic-report.js';
export { analyzerCodeSystem, LABORATORY_REPORT } from './fhir-codes.js';
export { CRITICAL_FLAGS, OBSERVATION_INTERPRETATION_SYSTEM, readInterpretation } from './interpretation.js';
export { readReferenceRange } from './reference-range.js';
export { readTimestamp } from './timestamp.js';
export { diagnosticReportId, hashMessage, observationId } from './ids.js';
