import type { FhirResource } from '../../protocol/documents.js';
import { GENERATED_TAG, SNOMED } from '../../protocol/fhir/identifiers.js';

/** SNOMED CT 716186003 |No known allergy (situation)|. */
export const NO_KNOWN_ALLERGY = { system: SNOMED, code: '716186003', display: 'No known allergy' } as const;

const CLINICAL_STATUS = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active', display: 'Active' }] };
const VERIFICATION_STATUS = {
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed', display: 'Confirmed' }],
};

interface Allergen {
  substance: { code: string; display: string };
  category: 'medication' | 'environment' | 'food';
  criticality: 'low' | 'high';
  manifestation: { code: string; display: string };
  severity: 'mild' | 'moderate' | 'severe';
}

/** Allergies the seed adds, as SNOMED CT substances and reaction findings. */
const ALLERGENS: readonly Allergen[] = [
  {
    substance: { code: '764146007', display: 'Penicillin' },
    category: 'medication',
    criticality: 'high',
    manifestation: { code: '39579001', display: 'Anaphylaxis' },
    severity: 'severe',
  },
  {
    substance: { code: '387494007', display: 'Codeine' },
    category: 'medication',
    criticality: 'low',
    manifestation: { code: '422587007', display: 'Nausea' },
    severity: 'mild',
  },
  {
    substance: { code: '111088007', display: 'Latex' },
    category: 'environment',
    criticality: 'high',
    manifestation: { code: '126485001', display: 'Urticaria' },
    severity: 'moderate',
  },
  {
    substance: { code: '387458008', display: 'Aspirin' },
    category: 'medication',
    criticality: 'low',
    manifestation: { code: '4386001', display: 'Bronchospasm' },
    severity: 'moderate',
  },
];

export const ALLERGEN_COUNT = ALLERGENS.length;

/** Builds a generated, confirmed allergy to the allergen at `allergenIndex` of the seed's list. */
export function generatedAllergy(patientId: string, allergenIndex: number, recordedDate: string): FhirResource {
  const allergen = ALLERGENS[allergenIndex % ALLERGENS.length] as Allergen;
  return {
    resourceType: 'AllergyIntolerance',
    id: `allergy-${patientId}-${allergenIndex}`,
    meta: { tag: [{ ...GENERATED_TAG }] },
    clinicalStatus: CLINICAL_STATUS,
    verificationStatus: VERIFICATION_STATUS,
    type: 'allergy',
    category: [allergen.category],
    criticality: allergen.criticality,
    code: { coding: [{ system: SNOMED, ...allergen.substance }], text: allergen.substance.display },
    patient: { reference: `Patient/${patientId}` },
    recordedDate,
    reaction: [{ manifestation: [{ coding: [{ system: SNOMED, ...allergen.manifestation }] }], severity: allergen.severity }],
  };
}

/** Builds a generated, confirmed statement that the patient has no known allergies. */
export function noKnownAllergy(patientId: string, recordedDate: string): FhirResource {
  return {
    resourceType: 'AllergyIntolerance',
    id: `no-known-allergy-${patientId}`,
    meta: { tag: [{ ...GENERATED_TAG }] },
    clinicalStatus: CLINICAL_STATUS,
    verificationStatus: VERIFICATION_STATUS,
    code: { coding: [{ ...NO_KNOWN_ALLERGY }], text: 'No known allergies' },
    patient: { reference: `Patient/${patientId}` },
    recordedDate,
  };
}
