import { createHash, randomUUID } from 'node:crypto';

import type { Database, Queryable } from './database/index.js';

/**
 * The dataset epoch: one value that changes whenever the server's data may have gone back in time,
 * sent on every response as DATASET_EPOCH_HEADER. A workstation that sees it change re-sends every
 * local document whose state differs from the server's and pulls everything again, so that work
 * written after a backup is not lost when the database is restored from that backup.
 *
 * The epoch joins a random value kept in `settings` with what PostgreSQL itself changes on a
 * restore, because a restored `settings` row carries the old value:
 * - the database's oid, new when pg_restore loads a dump into a freshly created database;
 * - the cluster's system identifier, new for a dump loaded into a new cluster (initdb);
 * - the timeline, which point-in-time recovery from a base backup moves on when it ends.
 * A failover to a standby moves the timeline too; the re-send it causes is harmless, as every
 * push is idempotent. `renewDatasetEpoch` covers what none of these catch, such as a restore of
 * single tables: the restore procedure calls it.
 */

export const DATASET_EPOCH_HEADER = 'x-hms-dataset-epoch';
/** Set by a workstation on the pushes of its re-send after an epoch change, so that the server can count what it recovered. */
export const RECONCILE_HEADER = 'x-hms-reconcile';

const EPOCH_SETTING_KEY = 'dataset_epoch';

/** Facts of the PostgreSQL cluster and database that a restore changes; empty where unavailable (PGlite). */
async function restoreMarkers(database: Queryable): Promise<string> {
  const { rows } = await database.query<{ oid: string }>('SELECT oid::text AS oid FROM pg_database WHERE datname = current_database()');
  const markers = [`database ${rows[0]?.oid ?? ''}`];
  try {
    const system = await database.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()');
    const checkpoint = await database.query<{ timeline: string }>('SELECT timeline_id::text AS timeline FROM pg_control_checkpoint()');
    markers.push(`system ${system.rows[0]?.id ?? ''}`, `timeline ${checkpoint.rows[0]?.timeline ?? ''}`);
  } catch {
    // pg_control_* need the pg_monitor role or superuser; the stored value and the oid still count.
  }
  return markers.join(', ');
}

/** Reads the dataset epoch, creating its stored part at the first start. */
export async function loadDatasetEpoch(database: Database): Promise<string> {
  // ON CONFLICT DO NOTHING keeps the first value when two instances start at once.
  await database.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [EPOCH_SETTING_KEY, randomUUID()]);
  const { rows } = await database.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [EPOCH_SETTING_KEY]);
  const stored = rows[0]?.value;
  if (!stored) throw new Error('The dataset epoch is missing from the settings table after insert');
  const markers = await restoreMarkers(database);
  return `${stored}.${createHash('sha256').update(markers).digest('hex').slice(0, 16)}`;
}

/**
 * Gives the dataset a new epoch, for the restore procedure: every workstation re-sends what it
 * holds at its next contact. Running instances keep the old epoch until they restart.
 */
export async function renewDatasetEpoch(database: Database): Promise<string> {
  await database.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [EPOCH_SETTING_KEY, randomUUID()]);
  return loadDatasetEpoch(database);
}
