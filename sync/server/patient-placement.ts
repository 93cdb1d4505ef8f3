import type { FhirResource } from '../protocol/documents.js';
import { documentId, referencedId } from '../protocol/documents.js';
import type { WireDocument } from '../protocol/wire.js';
import type { Queryable } from './database/index.js';
import { ACTIVE_ENCOUNTER_STATUSES } from './ward-membership.js';

/** The ward and bed of a patient's active Encounter, with their Location documents. */
export interface Placement {
  wardId: string;
  wardName: string;
  /** The bed's name, such as "4A-01"; null when the Encounter names the ward itself or no known bed. */
  bedLabel: string | null;
  /** The Location documents of the ward and the bed, as the reference collection stores them. */
  locations: WireDocument[];
}

interface LocationJson {
  location?: { reference?: string; display?: string };
  status?: string;
}

/** Returns the Encounter's current location: the one with status active, or else the first, as encounterWard in documents.ts derives the ward. */
function currentLocation(encounter: FhirResource): LocationJson | undefined {
  const locations = (encounter.location as LocationJson[] | undefined) ?? [];
  return locations.find((entry) => entry.status === 'active') ?? locations[0];
}

/**
 * Returns the placement of each patient who has an active Encounter (in progress or on leave) in a
 * known ward. A patient with several takes the one that started last.
 */
export async function findPlacements(database: Queryable, patientIds: readonly string[]): Promise<Map<string, Placement>> {
  const placements = new Map<string, Placement>();
  if (patientIds.length === 0) return placements;

  const { rows: encounters } = await database.query<{ patient_id: string; ward_id: string; resource: FhirResource }>(
    `SELECT DISTINCT ON (patient_id) patient_id, ward_id, document->'resource' AS resource
     FROM documents
     WHERE collection = 'records' AND resource_type = 'Encounter' AND NOT deleted AND ward_id <> ''
       AND patient_id = ANY($1::text[]) AND document->'resource'->>'status' = ANY($2::text[])
     ORDER BY patient_id, document->'resource'->'period'->>'start' DESC NULLS LAST, id`,
    [[...new Set(patientIds)], ACTIVE_ENCOUNTER_STATUSES],
  );

  const bedIdByPatient = new Map<string, string>();
  for (const encounter of encounters) {
    const locationId = referencedId(currentLocation(encounter.resource)?.location, 'Location');
    if (locationId && locationId !== encounter.ward_id) bedIdByPatient.set(encounter.patient_id, locationId);
  }
  const locationIds = [...new Set([...encounters.map((encounter) => encounter.ward_id), ...bedIdByPatient.values()])];
  const { rows: locationRows } = await database.query<{ document: WireDocument }>(
    `SELECT document FROM documents WHERE collection = 'reference' AND id = ANY($1::text[]) AND NOT deleted`,
    [locationIds.map((id) => documentId('Location', id))],
  );
  const locationById = new Map(locationRows.map((row) => [row.document.resource.id as string, row.document]));

  for (const encounter of encounters) {
    const ward = locationById.get(encounter.ward_id);
    const bedId = bedIdByPatient.get(encounter.patient_id);
    const bed = bedId === undefined ? undefined : locationById.get(bedId);
    const bedName = bed?.resource.name;
    placements.set(encounter.patient_id, {
      wardId: encounter.ward_id,
      wardName: typeof ward?.resource.name === 'string' ? ward.resource.name : encounter.ward_id,
      bedLabel: typeof bedName === 'string' ? bedName : null,
      locations: [ward, bed].filter((document): document is WireDocument => document !== undefined),
    });
  }
  return placements;
}
