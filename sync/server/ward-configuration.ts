import type { WardConfigurationResponse } from '../protocol/ward-configuration.js';
import type { Queryable } from './database/index.js';

/**
 * The `ward_configuration` table: one row per ward or laboratory department whose settings IT fixed
 * centrally. The server stores the values as given; each workstation validates every key against
 * its own policy schema, because that schema belongs to the workstation's version.
 */

/** Returns the ward's configuration, or an empty one with revision 0 when IT set none. */
export async function findWardConfiguration(database: Queryable, wardId: string): Promise<WardConfigurationResponse> {
  const { rows } = await database.query<{ config: Record<string, unknown>; revision: number; updated_at: Date }>(
    'SELECT config, revision, updated_at FROM ward_configuration WHERE ward_id = $1',
    [wardId],
  );
  const row = rows[0];
  if (!row) return { wardId, revision: 0, updatedAt: null, values: {} };
  return { wardId, revision: row.revision, updatedAt: row.updated_at.toISOString(), values: row.config };
}

/** Replaces the ward's configuration and raises its revision; returns the stored document. */
export async function setWardConfiguration(database: Queryable, wardId: string, values: Record<string, unknown>): Promise<WardConfigurationResponse> {
  const { rows } = await database.query<{ revision: number; updated_at: Date }>(
    `INSERT INTO ward_configuration (ward_id, config) VALUES ($1, $2)
     ON CONFLICT (ward_id) DO UPDATE SET config = EXCLUDED.config, revision = ward_configuration.revision + 1, updated_at = now()
     RETURNING revision, updated_at`,
    [wardId, JSON.stringify(values)],
  );
  const row = rows[0] as { revision: number; updated_at: Date };
  return { wardId, revision: row.revision, updatedAt: row.updated_at.toISOString(), values };
}
