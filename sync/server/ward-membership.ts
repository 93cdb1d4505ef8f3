import type { FhirResource } from '../protocol/documents.js';
import type { Queryable } from './database/index.js';

/**
 * The wards each patient belongs to, kept in `ward_membership` from the patient's Encounters: a
 * ward's workstations receive the records and entries of exactly these patients.
 */

/**
 * Encounter statuses that keep a patient in a ward. A patient on leave (`onleave`) keeps the bed,
 * so the ward keeps receiving the chart.
 */
export const ACTIVE_ENCOUNTER_STATUSES = ['in-progress', 'onleave'];

/** True for an Encounter that places its patient in its location's ward. */
export function isActiveEncounter(resource: FhirResource): boolean {
  return resource.resourceType === 'Encounter' && ACTIVE_ENCOUNTER_STATUSES.includes(String(resource.status));
}

export interface Membership {
  patientId: string;
  wardId: string;
}

/** Returns the wards of each patient; a patient without an active Encounter has none. */
export async function wardsOfPatients(database: Queryable, patientIds: readonly string[]): Promise<Map<string, Set<string>>> {
  const wardsByPatient = new Map<string, Set<string>>(patientIds.map((patientId) => [patientId, new Set<string>()]));
  if (patientIds.length === 0) return wardsByPatient;
  const { rows } = await database.query<{ patient_id: string; ward_id: string }>(
    'SELECT patient_id, ward_id FROM ward_membership WHERE patient_id = ANY($1::text[])',
    [patientIds],
  );
  for (const row of rows) wardsByPatient.get(row.patient_id)?.add(row.ward_id);
  return wardsByPatient;
}

/**
 * How long after a patient left a ward its workstations may still push new entries for them: the
 * observations a nurse charted offline, or before the transfer reached the workstation, are part
 * of the record and must not be refused. 72 hours covers a long outage.
 */
export const LATE_ENTRY_WINDOW = '72 hours';

/** Returns which of these patients left `wardId` within LATE_ENTRY_WINDOW. */
export async function recentlyDepartedFrom(database: Queryable, wardId: string, patientIds: readonly string[]): Promise<Set<string>> {
  if (patientIds.length === 0) return new Set();
  const { rows } = await database.query<{ patient_id: string }>(
    `SELECT patient_id FROM ward_departures WHERE ward_id = $1 AND patient_id = ANY($2::text[]) AND departed_at > now() - $3::interval`,
    [wardId, patientIds, LATE_ENTRY_WINDOW],
  );
  return new Set(rows.map((row) => row.patient_id));
}

/**
 * Recomputes the membership of these patients from their Encounter documents, which must already
 * be written in this transaction. Returns the memberships that did not exist before.
 *
 * A ward that loses a patient (discharge, transfer) keeps receiving their documents for
 * LATE_ENTRY_WINDOW through `ward_departures`, so its workstations see the departure itself.
 */
export async function refreshWardMembership(transaction: Queryable, patientIds: readonly string[]): Promise<Membership[]> {
  if (patientIds.length === 0) return [];
  const activeWards = `
    SELECT DISTINCT patient_id, ward_id FROM documents
    WHERE collection = 'records' AND resource_type = 'Encounter' AND patient_id = ANY($1::text[])
      AND NOT deleted AND ward_id <> '' AND document->'resource'->>'status' = ANY($2::text[])`;

  // Departures are remembered, so that entries charted on the old ward before its workstations
  // learned of the move are still accepted (see LATE_ENTRY_WINDOW).
  await transaction.query(
    `WITH departed AS (
       DELETE FROM ward_membership AS membership
       WHERE membership.patient_id = ANY($1::text[])
         AND (membership.patient_id, membership.ward_id) NOT IN (${activeWards})
       RETURNING patient_id, ward_id)
     INSERT INTO ward_departures (patient_id, ward_id, departed_at)
     SELECT patient_id, ward_id, now() FROM departed
     ON CONFLICT (ward_id, patient_id) DO UPDATE SET departed_at = excluded.departed_at`,
    [patientIds, ACTIVE_ENCOUNTER_STATUSES],
  );
  const { rows } = await transaction.query<{ patient_id: string; ward_id: string }>(
    `INSERT INTO ward_membership (patient_id, ward_id) ${activeWards}
     ON CONFLICT DO NOTHING RETURNING patient_id, ward_id`,
    [patientIds, ACTIVE_ENCOUNTER_STATUSES],
  );
  return rows.map((row) => ({ patientId: row.patient_id, wardId: row.ward_id }));
}
