import type { CodeableConcept, Observation, ObservationReferenceRange, Quantity, Reference } from 'fhir/r4.js';

import { LOINC, OBSERVATION_CATEGORY_SYSTEM, UCUM } from '../../sync/protocol/fhir/identifiers.js';
import { coding, concept, DATA_ABSENT_REASON_SYSTEM, fhirSystemOf } from './fhir-codes.js';
import { OBSERVATION_INTERPRETATION_SYSTEM } from './interpretation.js';
import type { InterpretationFlag, LabResultDraft, ResultUnit } from './types.js';

/** References and times the caller knows and the analyzer message does not. */
export interface ObservationOptions {
  /** The system of the analyzer's own test codes; see `analyzerCodeSystem`. */
  readonly analyzerCodeSystem: string;
  /** The Patient the matched Specimen belongs to. */
  readonly subject?: Reference;
  /** The Specimen found by the result's accession. */
  readonly specimen?: Reference;
  /** The ServiceRequest(s) the result answers. */
  readonly basedOn?: readonly Reference[];
  /** The analyzer, as a Device. */
  readonly device?: Reference;
  /** FHIR instant the result was made available; usually the group's `issued`. */
  readonly issued?: string;
}

/**
 * Builds the FHIR R4 Observation of one result draft. Results whose test the profile ignores are
 * not meant to be stored; `buildResultResources` leaves them out. The code carries the LOINC code
 * first (when mapped) and the analyzer's own code second, so the result keeps what was sent.
 */
export function buildObservation(result: LabResultDraft, options: ObservationOptions): Observation {
  const mapping = result.match.kind === 'mapped' ? result.match.mapping : undefined;
  const codings = [...(mapping?.loinc ? [coding(LOINC, mapping.loinc, mapping.display)] : []), coding(options.analyzerCodeSystem, result.testCode.key, result.testCode.display)];
  const notes = result.notes.filter((note) => note !== '');
  const referenceRange = referenceRangeOf(result);

  return {
    resourceType: 'Observation',
    id: result.id,
    status: result.status.fhir,
    category: [{ coding: [coding(OBSERVATION_CATEGORY_SYSTEM, 'laboratory', 'Laboratory')] }],
    code: concept(codings, mapping?.display ?? (result.testCode.display || result.testCode.key)),
    ...(options.subject ? { subject: options.subject } : {}),
    ...(options.basedOn && options.basedOn.length > 0 ? { basedOn: [...options.basedOn] } : {}),
    ...(options.specimen ? { specimen: options.specimen } : {}),
    ...(options.device ? { device: options.device } : {}),
    ...(result.effectiveDateTime ? { effectiveDateTime: result.effectiveDateTime } : {}),
    ...(options.issued ? { issued: options.issued } : {}),
    ...valueOf(result),
    ...(result.interpretation.length > 0 ? { interpretation: result.interpretation.map(interpretationConcept) } : {}),
    ...(referenceRange ? { referenceRange: [referenceRange] } : {}),
    ...(notes.length > 0 ? { note: notes.map((text) => ({ text })) } : {}),
  };
}

/** The value[x] element, or dataAbsentReason when the analyzer sent no value. */
function valueOf(result: LabResultDraft): Partial<Observation> {
  const value = result.value;
  switch (value.kind) {
    case 'quantity':
      return { valueQuantity: { ...quantity(value.value, result.unit), ...(value.comparator ? { comparator: value.comparator } : {}) } };
    case 'range':
      return { valueRange: { low: quantity(value.low, result.unit), high: quantity(value.high, result.unit) } };
    case 'ratio':
      return { valueRatio: { numerator: { value: value.numerator, ...(value.comparator ? { comparator: value.comparator } : {}) }, denominator: { value: value.denominator } } };
    case 'coded':
      return { valueCodeableConcept: concept([coding(fhirSystemOf(value.system), value.code, value.display)], value.display || value.code) };
    case 'text':
      return { valueString: value.text };
    case 'empty': {
      const reason = result.status.fhir === 'cancelled' ? coding(DATA_ABSENT_REASON_SYSTEM, 'not-performed', 'Not Performed') : coding(DATA_ABSENT_REASON_SYSTEM, 'unknown', 'Unknown');
      return { dataAbsentReason: { coding: [reason] } };
    }
  }
}

/** A Quantity in the stored UCUM unit, or in the sent unit (as display text only) when none was stored. */
function quantity(value: number, unit: ResultUnit): Quantity {
  if (unit.stored !== undefined) return { value, unit: unit.stored, system: UCUM, code: unit.stored };
  return unit.sent === '' ? { value } : { value, unit: unit.sent };
}

function interpretationConcept(flag: InterpretationFlag): CodeableConcept {
  if (flag.code === undefined) return { text: flag.sent };
  return { coding: [coding(OBSERVATION_INTERPRETATION_SYSTEM, flag.code, flag.display)], text: flag.sent };
}

function referenceRangeOf(result: LabResultDraft): ObservationReferenceRange | undefined {
  const range = result.referenceRange;
  if (!range) return undefined;

  return {
    ...(range.low === undefined ? {} : { low: quantity(range.low, result.unit) }),
    ...(range.high === undefined ? {} : { high: quantity(range.high, result.unit) }),
    text: range.text,
  };
}
