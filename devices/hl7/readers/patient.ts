import type { Hl7Segment } from '../segment.js';

/** One PID-3 identifier (CX). */
export interface PatientIdentifier {
  /** CX.1 */
  id: string;
  /** CX.4.1, the assigning authority's namespace ID. */
  assigningAuthority: string;
  /** CX.5, e.g. MR (medical record number). */
  typeCode: string;
  /** CX.6.1 */
  assigningFacility: string;
}

/** One PID-5 name (XPN). */
export interface PersonName {
  /** XPN.1.1, the surname. */
  family: string;
  /** XPN.2 */
  given: string;
  /** XPN.3, further given names or initials. */
  middle: string;
  /** XPN.4, e.g. JR. */
  suffix: string;
  /** XPN.5, e.g. DR. */
  prefix: string;
  /** XPN.7, e.g. L (legal). */
  typeCode: string;
}

/** The PID fields a lab interface uses. Values are decoded; '' when absent. */
export interface Patient {
  /** PID-1 */
  setId: string;
  /** PID-3, every non-empty repetition. */
  identifiers: PatientIdentifier[];
  /** PID-2.1, the external ID of versions before 2.5 that some analyzers still fill. */
  externalId: string;
  /** PID-5, every non-empty repetition. */
  names: PersonName[];
  /** PID-7.1, HL7 DTM as sent. */
  birthDate: string;
  /** PID-8 (HL7 table 0001: F, M, O, U, A, N). */
  sex: string;
  /** PID-18.1 */
  accountNumber: string;
  segment: Hl7Segment;
}

export function readPatient(pid: Hl7Segment): Patient {
  const identifiers: PatientIdentifier[] = [];
  pid.repetitions(3).forEach((text, index) => {
    if (text === '') return;
    const repetition = index + 1;
    identifiers.push({
      id: pid.value(3, repetition, 1, 1),
      assigningAuthority: pid.value(3, repetition, 4, 1),
      typeCode: pid.value(3, repetition, 5, 1),
      assigningFacility: pid.value(3, repetition, 6, 1),
    });
  });

  const names: PersonName[] = [];
  pid.repetitions(5).forEach((text, index) => {
    if (text === '') return;
    const repetition = index + 1;
    names.push({
      family: pid.value(5, repetition, 1, 1),
      given: pid.value(5, repetition, 2, 1),
      middle: pid.value(5, repetition, 3, 1),
      suffix: pid.value(5, repetition, 4, 1),
      prefix: pid.value(5, repetition, 5, 1),
      typeCode: pid.value(5, repetition, 7, 1),
    });
  });

  return {
    setId: pid.value(1),
    identifiers,
    externalId: pid.value(2, 1, 1, 1),
    names,
    birthDate: pid.value(7, 1, 1),
    sex: pid.value(8),
    accountNumber: pid.value(18, 1, 1, 1),
    segment: pid,
  };
}
