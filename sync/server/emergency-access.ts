import type { EmergencyAccessReports, EmergencyAccessResponse, WireDocument } from '../protocol/wire.js';
import type { Queryable } from './database/index.js';
import { findPlacements } from './patient-placement.js';

/** Emergency ("break the glass") access: a patient's chart outside the user's ward, and its reports. */

export type EmergencyAccessReport = EmergencyAccessReports['reports'][number];

/**
 * Reads the patient's current records (Patient, Encounters, AllergyIntolerances), their
 * Observations, and the Locations of their ward and bed. Deleted documents and AuditEvents are left
 * out. Returns undefined when no Patient document has this id.
 */
export async function readPatientChart(database: Queryable, patientId: string): Promise<EmergencyAccessResponse | undefined> {
  const { rows } = await database.query<{ collection: 'records' | 'entries'; document: WireDocument }>(
    `SELECT collection, document FROM documents
     WHERE collection IN ('records', 'entries') AND patient_id = $1 AND NOT deleted AND resource_type <> 'AuditEvent'
     ORDER BY collection, resource_type, id`,
    [patientId],
  );
  const records = rows.filter((row) => row.collection === 'records').map((row) => row.document);
  if (!records.some((document) => document.resourceType === 'Patient')) return undefined;

  const placement = (await findPlacements(database, [patientId])).get(patientId);
  return {
    records,
    entries: rows.filter((row) => row.collection === 'entries').map((row) => row.document),
    reference: placement?.locations ?? [],
  };
}

export async function insertEmergencyAccessReport(database: Queryable, report: EmergencyAccessReport): Promise<void> {
  await database.query(
    `INSERT INTO emergency_access (id, at, user_id, workstation_id, patient_id, reason) VALUES ($1, $2::timestamptz, $3, $4, $5, $6)`,
    [report.id, report.at, report.userId, report.workstationId, report.patientId, report.reason],
  );
}

/**
 * Returns the reports made at or after `since`, oldest first.
 *
 * NOTE: the response is not paged, because the wire format has no cursor. A client that wants
 * fewer reports passes a later `since`.
 */
export async function listEmergencyAccessReports(database: Queryable, since: Date): Promise<EmergencyAccessReport[]> {
  const { rows } = await database.query<{ id: string; at: Date; user_id: string; workstation_id: string; patient_id: string; reason: string }>(
    `SELECT id, at, user_id, workstation_id, patient_id, reason FROM emergency_access WHERE at >= $1::timestamptz ORDER BY at, id`,
    [since.toISOString()],
  );
  return rows.map((row) => ({ id: row.id, at: new Date(row.at).toISOString(), userId: row.user_id, workstationId: row.workstation_id, patientId: row.patient_id, reason: row.reason }));
}
