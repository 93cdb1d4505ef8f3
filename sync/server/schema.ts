import type { Database } from './database/index.js';
import { USER_STATUS_CHANNEL } from './user-status-feed.js';

/**
 * Tables of the reference server, created at start when missing.
 *
 * `documents.txid` is the PostgreSQL transaction id (xid8) of the last insert or update, set by a
 * trigger so that no statement can forget it. Pulls read the change feed in (txid, id) order, and
 * only below the oldest transaction still running (see routes/pull.ts).
 *
 * Another trigger keeps the document's `_deleted` and the `deleted` column equal, because pulls
 * send the document and the server's own queries read the column. A writer other than this server
 * may leave `_deleted` out, set it to null, or change only the column: the flag the statement set
 * wins, and a missing or non-boolean `_deleted` takes the column's value. Workstations reject a
 * pulled document whose `_deleted` is not a boolean, which would stall their whole feed.
 *
 * `ward_membership` lists the scopes of each patient: the wards where they have an active
 * Encounter, and the laboratory departments where they have an active lab order, with `basis`
 * telling which. It decides which patients' records and entries a workstation receives (see
 * ward-membership.ts).
 *
 * A change of `users.disabled`, or a deleted user, sends NOTIFY on USER_STATUS_CHANNEL with the
 * user id, whichever statement made it, so that every instance closes that user's event streams.
 *
 * `emergency_access` stores one report per emergency access to a patient outside the user's ward.
 *
 * `ward_configuration` holds the settings IT fixed for a ward's workstations (see
 * ward-configuration.ts).
 *
 * `dataset_recoveries` counts, per dataset epoch and workstation, the documents that workstations
 * sent back after the database was restored (see dataset-epoch.ts).
 */
const SCHEMA_SQL = [
  `CREATE TABLE IF NOT EXISTS documents (
    collection text COLLATE "C" NOT NULL,
    id text COLLATE "C" NOT NULL,
    resource_type text NOT NULL,
    patient_id text NOT NULL DEFAULT '',
    ward_id text NOT NULL DEFAULT '',
    document jsonb NOT NULL,
    deleted boolean NOT NULL DEFAULT false,
    txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    updated_by_user_id text,
    updated_by_workstation_id text,
    updated_at timestamptz,
    PRIMARY KEY (collection, id)
  )`,
  // Added after the first release; the trigger below fills it.
  `ALTER TABLE documents ADD COLUMN IF NOT EXISTS updated_at timestamptz`,
  `CREATE INDEX IF NOT EXISTS documents_feed ON documents (collection, txid, id)`,
  `CREATE INDEX IF NOT EXISTS documents_patient ON documents (patient_id)`,
  `CREATE OR REPLACE FUNCTION documents_set_txid() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     NEW.txid := pg_current_xact_id();
     -- A replay to the end of the feed (a ward gaining a patient) is no new write.
     IF TG_OP = 'INSERT' OR NEW.document IS DISTINCT FROM OLD.document THEN
       NEW.updated_at := now();
     END IF;
     RETURN NEW;
   END
   $$`,
  `CREATE OR REPLACE TRIGGER documents_set_txid BEFORE INSERT OR UPDATE ON documents
   FOR EACH ROW EXECUTE FUNCTION documents_set_txid()`,
  `CREATE OR REPLACE FUNCTION documents_sync_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF jsonb_typeof(NEW.document->'_deleted') IS DISTINCT FROM 'boolean'
        OR (TG_OP = 'UPDATE' AND NEW.deleted IS DISTINCT FROM OLD.deleted
            AND NEW.document->'_deleted' IS NOT DISTINCT FROM OLD.document->'_deleted') THEN
       NEW.document := jsonb_set(NEW.document, '{_deleted}', to_jsonb(NEW.deleted));
     ELSE
       NEW.deleted := (NEW.document->>'_deleted')::boolean;
     END IF;
     RETURN NEW;
   END
   $$`,
  `CREATE OR REPLACE TRIGGER documents_sync_deleted BEFORE INSERT OR UPDATE OF document, deleted ON documents
   FOR EACH ROW EXECUTE FUNCTION documents_sync_deleted()`,
  `CREATE TABLE IF NOT EXISTS users (
    id text PRIMARY KEY,
    username text NOT NULL UNIQUE,
    display_name text NOT NULL,
    roles text[] NOT NULL,
    password_hash bytea NOT NULL,
    password_salt bytea NOT NULL,
    scrypt_cost integer NOT NULL,
    scrypt_block_size integer NOT NULL,
    scrypt_parallelization integer NOT NULL,
    disabled boolean NOT NULL DEFAULT false
  )`,
  `CREATE TABLE IF NOT EXISTS settings (
    key text PRIMARY KEY,
    value text NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS ward_membership (
    patient_id text NOT NULL,
    ward_id text NOT NULL,
    PRIMARY KEY (ward_id, patient_id)
  )`,
  `CREATE INDEX IF NOT EXISTS ward_membership_patient ON ward_membership (patient_id)`,
  // Added with lab scopes; every row before it came from an Encounter.
  `ALTER TABLE ward_membership ADD COLUMN IF NOT EXISTS basis text NOT NULL DEFAULT 'encounter'
   CHECK (basis IN ('encounter', 'service-request'))`,
  `CREATE TABLE IF NOT EXISTS ward_departures (
    patient_id text NOT NULL,
    ward_id text NOT NULL,
    departed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (ward_id, patient_id)
  )`,
  `CREATE INDEX IF NOT EXISTS documents_patient_mrn ON documents ((document->>'mrn'))
   WHERE collection = 'records' AND resource_type = 'Patient'`,
  `CREATE INDEX IF NOT EXISTS documents_specimen_accession ON documents ((document->>'accession'))
   WHERE collection = 'records' AND resource_type = 'Specimen'`,
  `CREATE OR REPLACE FUNCTION users_notify_status() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     PERFORM pg_notify('${USER_STATUS_CHANNEL}', OLD.id);
     RETURN NULL;
   END
   $$`,
  `CREATE OR REPLACE TRIGGER users_notify_status AFTER UPDATE OF disabled OR DELETE ON users
   FOR EACH ROW EXECUTE FUNCTION users_notify_status()`,
  `CREATE TABLE IF NOT EXISTS emergency_access (
    id text PRIMARY KEY,
    at timestamptz NOT NULL,
    user_id text NOT NULL,
    workstation_id text NOT NULL,
    patient_id text NOT NULL,
    reason text NOT NULL
  )`,
  `CREATE INDEX IF NOT EXISTS emergency_access_at ON emergency_access (at, id)`,
  `CREATE TABLE IF NOT EXISTS ward_configuration (
    ward_id text PRIMARY KEY,
    config jsonb NOT NULL,
    revision integer NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE IF NOT EXISTS dataset_recoveries (
    epoch text NOT NULL,
    workstation_id text NOT NULL,
    documents integer NOT NULL,
    last_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (epoch, workstation_id)
  )`,
];

/** Arbitrary constant key of the advisory lock that serialises schema creation between instances. */
const SCHEMA_LOCK_KEY = 7_340_112;

/** Creates the tables, indexes and triggers when they are missing; safe to run at every start. */
export async function ensureSchema(database: Database): Promise<void> {
  await database.transaction(async (transaction) => {
    // Two instances starting at once would otherwise race on CREATE … IF NOT EXISTS, which is not
    // atomic in PostgreSQL and fails with a unique violation in the loser.
    await transaction.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY]);
    for (const statement of SCHEMA_SQL) await transaction.query(statement);
  });
}
