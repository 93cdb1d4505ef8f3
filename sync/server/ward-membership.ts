import type { FhirResource } from '../protocol/documents.js';
import type { Queryable } from './database/index.js';

/**
 * The scopes each patient belongs to, kept in `ward_membership`: a workstation receives the
 * records and entries of exactly the patients of its scope. A scope is a Location that
 * workstations enrol to. It is either a ward, which contains the patients with an active Encounter
 * there, or a laboratory department, which contains the patients with an active lab order
 * (ServiceRequest) that names it in `locationReference`. The table and the functions keep the
 * word "ward" from the time wards were the only scopes.
 */

/**
 * Encounter statuses that keep a patient in a ward. A patient on leave (`onleave`) keeps the bed,
 * so the ward keeps receiving the chart.
 */
export const ACTIVE_ENCOUNTER_STATUSES = ['in-progress', 'onleave'];

/**
 * ServiceRequest statuses that keep a patient in the performing department's scope. An order on
 * hold (`on-hold`), such as one waiting for a repeat sample, is still the lab's work.
 */
export const ACTIVE_ORDER_STATUSES = ['active', 'on-hold'];

/** The reason a patient belongs to a scope: an active Encounter (ward) or an active lab order (department). */
export type MembershipBasis = 'encounter' | 'service-request';

/** True for an Encounter that places its patient in its location's ward. */
export function isActiveEncounter(resource: FhirResource): boolean {
  return resource.resourceType === 'Encounter' && ACTIVE_ENCOUNTER_STATUSES.includes(String(resource.status));
}

/** True for the resource types whose changes can move a patient in or out of a scope. */
export function affectsMembership(resourceType: string): boolean {
  return resourceType === 'Encounter' || resourceType === 'ServiceRequest';
}

export interface Membership {
  patientId: string;
  wardId: string;
}

/** Returns each patient's scopes with the basis of each; a patient in no scope maps to an empty map. */
export async function scopesOfPatients(database: Queryable, patientIds: readonly string[]): Promise<Map<string, Map<string, MembershipBasis>>> {
  const scopesByPatient = new Map<string, Map<string, MembershipBasis>>(patientIds.map((patientId) => [patientId, new Map()]));
  if (patientIds.length === 0) return scopesByPatient;
  const { rows } = await database.query<{ patient_id: string; ward_id: string; basis: MembershipBasis }>(
    'SELECT patient_id, ward_id, basis FROM ward_membership WHERE patient_id = ANY($1::text[])',
    [patientIds],
  );
  for (const row of rows) scopesByPatient.get(row.patient_id)?.set(row.ward_id, row.basis);
  return scopesByPatient;
}

/**
 * How long after a patient left a scope its workstations may still push new entries for them. The
 * observations a nurse charted offline or before the transfer reached the workstation are part of
 * the record, and so are the results a lab bench stored before the order's completion reached it.
 * They must not be refused. 72 hours covers a long outage.
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
 * The scopes each of the patients in $1 belongs to now, derived from their records: the ward of
 * each active Encounter, and the department of each active ServiceRequest. A Location that is both
 * (an Encounter at the lab itself) counts as an Encounter.
 */
const ACTIVE_SCOPES = `
  SELECT DISTINCT ON (patient_id, ward_id) patient_id, ward_id,
    CASE resource_type WHEN 'Encounter' THEN 'encounter' ELSE 'service-request' END AS basis
  FROM documents
  WHERE collection = 'records' AND patient_id = ANY($1::text[]) AND NOT deleted AND ward_id <> ''
    AND ((resource_type = 'Encounter' AND document->'resource'->>'status' = ANY($2::text[]))
      OR (resource_type = 'ServiceRequest' AND document->'resource'->>'status' = ANY($3::text[])))
  ORDER BY patient_id, ward_id, basis`;

/**
 * Recomputes the scopes of these patients from their Encounter and ServiceRequest documents, which
 * must already be written in this transaction. Returns the memberships that did not exist before.
 *
 * A scope that loses a patient (discharge, transfer, a completed or revoked order) keeps receiving
 * their documents for LATE_ENTRY_WINDOW through `ward_departures`, so its workstations see the
 * change itself.
 */
export async function refreshWardMembership(transaction: Queryable, patientIds: readonly string[]): Promise<Membership[]> {
  if (patientIds.length === 0) return [];
  const parameters = [patientIds, ACTIVE_ENCOUNTER_STATUSES, ACTIVE_ORDER_STATUSES];

  // Departures are remembered, so that entries charted in the old scope before its workstations
  // learned of the change are still accepted (see LATE_ENTRY_WINDOW).
  await transaction.query(
    `WITH departed AS (
       DELETE FROM ward_membership AS membership
       WHERE membership.patient_id = ANY($1::text[])
         AND (membership.patient_id, membership.ward_id) NOT IN (SELECT patient_id, ward_id FROM (${ACTIVE_SCOPES}) AS active)
       RETURNING patient_id, ward_id)
     INSERT INTO ward_departures (patient_id, ward_id, departed_at)
     SELECT patient_id, ward_id, now() FROM departed
     ON CONFLICT (ward_id, patient_id) DO UPDATE SET departed_at = excluded.departed_at`,
    parameters,
  );
  // A patient who stays in a scope for another reason (the Encounter ended, an order remains)
  // keeps the row, with the new basis.
  await transaction.query(
    `UPDATE ward_membership AS membership SET basis = active.basis
     FROM (${ACTIVE_SCOPES}) AS active
     WHERE membership.patient_id = active.patient_id AND membership.ward_id = active.ward_id AND membership.basis <> active.basis`,
    parameters,
  );
  const { rows } = await transaction.query<{ patient_id: string; ward_id: string }>(
    `INSERT INTO ward_membership (patient_id, ward_id, basis) ${ACTIVE_SCOPES}
     ON CONFLICT DO NOTHING RETURNING patient_id, ward_id`,
    parameters,
  );
  return rows.map((row) => ({ patientId: row.patient_id, wardId: row.ward_id }));
}
