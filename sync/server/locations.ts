import type { DerivationContext } from '../protocol/documents.js';
import { documentId } from '../protocol/documents.js';
import type { Queryable } from './database/index.js';

export interface Ward {
  id: string;
  name: string;
}

/**
 * Returns the ward with this Location id, or undefined when there is none. A ward is a Location
 * document of the `reference` collection whose ward is itself.
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

/**
 * Builds the derivation context from the server's Location documents, so that an Encounter's ward
 * is derived from the same data the workstation has pulled.
 */
export async function loadDerivationContext(database: Queryable): Promise<DerivationContext> {
  const { rows } = await database.query<{ id: string; ward_id: string }>(
    `SELECT id, ward_id FROM documents WHERE collection = 'reference' AND resource_type = 'Location' AND NOT deleted`,
  );
  const wardByLocationId = new Map(rows.map((row) => [row.id.slice('Location/'.length), row.ward_id]));
  return {
    wardOfLocation: (locationId) => {
      const wardId = wardByLocationId.get(locationId);
      return wardId === '' ? undefined : wardId;
    },
  };
}
