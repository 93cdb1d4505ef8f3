import type { DerivationContext, FhirResource } from '../../protocol/documents.js';
import { GENERATED_TAG } from '../../protocol/fhir/identifiers.js';

/** The demo hospital's wards: Location ids and names. */
export const SEEDED_WARDS = [
  { id: 'ward-4a', code: '4A', name: 'Ward 4A – Acute Medicine' },
  { id: 'ward-7b', code: '7B', name: 'Ward 7B – Surgical' },
] as const;

export type SeededWardId = (typeof SEEDED_WARDS)[number]['id'];

/** Returns the ids and names of the seeded wards, for a workstation's ward setting or the demo. */
export function seededWards(): { id: string; name: string }[] {
  return SEEDED_WARDS.map(({ id, name }) => ({ id, name }));
}

/** Empty beds each ward keeps beyond the patients admitted to it. */
const SPARE_BEDS_PER_WARD = 3;

const PHYSICAL_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/location-physical-type';

export interface Bed {
  id: string;
  /** Bed label such as "4A-01". */
  name: string;
  wardId: string;
}

function wardLocation(ward: (typeof SEEDED_WARDS)[number]): FhirResource {
  return {
    resourceType: 'Location',
    id: ward.id,
    meta: { tag: [{ ...GENERATED_TAG }] },
    status: 'active',
    name: ward.name,
    alias: [ward.code],
    mode: 'instance',
    physicalType: { coding: [{ system: PHYSICAL_TYPE_SYSTEM, code: 'wa', display: 'Ward' }] },
  };
}

function bedLocation(bed: Bed, wardName: string): FhirResource {
  return {
    resourceType: 'Location',
    id: bed.id,
    meta: { tag: [{ ...GENERATED_TAG }] },
    status: 'active',
    name: bed.name,
    mode: 'instance',
    physicalType: { coding: [{ system: PHYSICAL_TYPE_SYSTEM, code: 'bd', display: 'Bed' }] },
    partOf: { reference: `Location/${bed.wardId}`, display: wardName },
  };
}

export interface WardLayout {
  locations: FhirResource[];
  bedsByWard: Map<SeededWardId, Bed[]>;
  context: DerivationContext;
}

/** Builds each ward with enough beds for its patients plus a few spare ones. */
export function buildWardLayout(patientsPerWard: ReadonlyMap<SeededWardId, number>): WardLayout {
  const locations: FhirResource[] = [];
  const bedsByWard = new Map<SeededWardId, Bed[]>();
  const wardByLocation = new Map<string, string>();

  for (const ward of SEEDED_WARDS) {
    locations.push(wardLocation(ward));
    wardByLocation.set(ward.id, ward.id);
    const bedCount = (patientsPerWard.get(ward.id) ?? 0) + SPARE_BEDS_PER_WARD;
    const beds: Bed[] = [];
    for (let number = 1; number <= bedCount; number++) {
      const label = `${ward.code}-${String(number).padStart(2, '0')}`;
      const bed: Bed = { id: `bed-${label.toLowerCase()}`, name: label, wardId: ward.id };
      beds.push(bed);
      locations.push(bedLocation(bed, ward.name));
      wardByLocation.set(bed.id, ward.id);
    }
    bedsByWard.set(ward.id, beds);
  }
  return { locations, bedsByWard, context: { wardOfLocation: (locationId) => wardByLocation.get(locationId) } };
}
