import { createHash } from 'node:crypto';

import type { FhirResource } from '../../protocol/documents.js';
import { GENERATED_TAG, MRN_SYSTEM, SYNTHEA_SYSTEM, V2_IDENTIFIER_TYPE_SYSTEM } from '../../protocol/fhir/identifiers.js';
import type { Bed } from './wards.js';

const MRN_DIGITS = 8;
const MRN_MIN = 10 ** (MRN_DIGITS - 1);
const MRN_RANGE = 9 * MRN_MIN;

/**
 * Assigns each patient an 8-digit hospital MRN derived from a hash of their Patient.id, so a
 * patient keeps the same MRN whatever other patients are seeded. A collision takes the next free
 * number, in the order of `patientIds`.
 */
export function assignMrns(patientIds: readonly string[]): Map<string, string> {
  const taken = new Set<string>();
  const mrnByPatient = new Map<string, string>();
  for (const patientId of patientIds) {
    let number = createHash('sha256').update(`mrn:${patientId}`).digest().readUInt32BE(0) % MRN_RANGE;
    while (taken.has(String(MRN_MIN + number))) number = (number + 1) % MRN_RANGE;
    const mrn = String(MRN_MIN + number);
    taken.add(mrn);
    mrnByPatient.set(patientId, mrn);
  }
  return mrnByPatient;
}

interface IdentifierJson {
  system?: string;
  value?: string;
  type?: { coding?: { system?: string; code?: string }[] };
}

/**
 * Returns the Synthea Patient with two identifiers: the hospital MRN (type MR) and Synthea's own
 * record id under SYNTHEA_SYSTEM. Synthea's other identifiers (social security, driver's licence,
 * passport numbers) are left out, since a ward workstation has no use for them.
 */
export function hospitalPatient(synthea: FhirResource, mrn: string): FhirResource {
  const identifiers = (synthea.identifier as IdentifierJson[] | undefined) ?? [];
  const syntheaRecord =
    identifiers.find((identifier) => identifier.system === SYNTHEA_SYSTEM) ??
    identifiers.find((identifier) => identifier.type?.coding?.some((coding) => coding.system === V2_IDENTIFIER_TYPE_SYSTEM && coding.code === 'MR'));
  const identifier: object[] = [
    {
      use: 'official',
      type: { coding: [{ system: V2_IDENTIFIER_TYPE_SYSTEM, code: 'MR', display: 'Medical record number' }], text: 'MRN' },
      system: MRN_SYSTEM,
      value: mrn,
    },
  ];
  if (syntheaRecord?.value) identifier.push({ use: 'secondary', system: SYNTHEA_SYSTEM, value: syntheaRecord.value });
  return { ...synthea, identifier };
}

/** Builds an in-progress inpatient Encounter (class IMP) with the patient in the given bed. */
export function admissionEncounter(patientId: string, bed: Bed, admittedAt: string): FhirResource {
  return {
    resourceType: 'Encounter',
    id: admissionEncounterId(patientId),
    meta: { tag: [{ ...GENERATED_TAG }] },
    status: 'in-progress',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP', display: 'inpatient encounter' },
    subject: { reference: `Patient/${patientId}` },
    period: { start: admittedAt },
    location: [{ location: { reference: `Location/${bed.id}`, display: bed.name }, status: 'active', period: { start: admittedAt } }],
  };
}

export function admissionEncounterId(patientId: string): string {
  return `admission-${patientId}`;
}
