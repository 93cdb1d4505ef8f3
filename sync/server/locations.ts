import type { DerivationContext, FhirResource } from '../protocol/documents.js';
import { documentId } from '../protocol/documents.js';
import { isLaboratoryDepartment } from '../protocol/fhir/laboratory.js';
import type { Queryable } from './database/index.js';

export interface Ward {
  id: string;
  name: string;
}

/**
 * Returns the scope Location with this id, or undefined when there is none. A scope is a Location
 * document of the `reference` collection whose ward is itself: a ward, or a laboratory department.
 */
export async function findWard(database: Queryable, wardId: string): Promise<Ward | undefined> {
  const { rows } = await database.query<{ name: string | null }>(
    `SELECT document->'resource'->>'name' AS name FROM documents
     WHERE collection = 'reference' AND id = $1 AND ward_id = $2 AND NOT deleted`,
    [documentId('Location', wardId), wardId],
  );
  const row = rows[0];
  return row ? { id: wardId, name: row.name ?? wardId } : undefined;
}

/** The server's Locations as push validation reads them. */
export interface LocationDirectory extends DerivationContext {
  /** True for a laboratory department (Location.type HLAB) that workstations can enrol to. */
  isLaboratoryDepartment(locationId: string): boolean;
  /** Ids of every laboratory department, for error messages. */
  laboratoryDepartmentIds(): string[];
}

/**
 * Builds the derivation context from the server's Location documents, so that an Encounter's ward
 * is derived from the same data the workstation has pulled.
 */
export async function loadDerivationContext(database: Queryable): Promise<LocationDirectory> {
  const { rows } = await database.query<{ id: string; ward_id: string; type: unknown }>(
    `SELECT id, ward_id, document->'resource'->'type' AS type FROM documents
     WHERE collection = 'reference' AND resource_type = 'Location' AND NOT deleted`,
  );
  const wardByLocationId = new Map<string, string>();
  const departments = new Set<string>();
  for (const row of rows) {
    const locationId = row.id.slice('Location/'.length);
    wardByLocationId.set(locationId, row.ward_id);
    const location: FhirResource = { resourceType: 'Location', id: locationId, type: row.type };
    if (row.ward_id === locationId && isLaboratoryDepartment(location)) departments.add(locationId);
  }
  return {
    wardOfLocation: (locationId) => {
      const wardId = wardByLocationId.get(locationId);
      return wardId === '' ? undefined : wardId;
    },
    isLaboratoryDepartment: (locationId) => departments.has(locationId),
    laboratoryDepartmentIds: () => [...departments].sort(),
  };
}
