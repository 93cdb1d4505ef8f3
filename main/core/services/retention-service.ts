import { normalizeMangoQuery, prepareQuery } from 'rxdb';

import type { Outbox } from '../../../sync/client/outbox.js';
import type { CollectionName } from '../../../sync/protocol/collections.js';
import type { PatientSearchIndex } from '../../../sync/replica/patient-index.js';
import type { ReplicaDatabase } from '../../../sync/replica/replica.js';
import type { SqliteDatabase } from '../../../sync/replica/sqlite/connection-pool.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logging/logger.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Only these collections hold patient documents; Locations are the ward's, not a patient's. */
const PATIENT_COLLECTIONS: CollectionName[] = ['records', 'entries'];
/** Patients read from the storage at a time. */
export const PATIENT_PAGE_SIZE = 2_000;

/**
 * Reads the ids of the replica's live Patients in pages, in patientId order, straight from the
 * storage instance. An RxQuery of every Patient would make an RxDocument of each, and RxDB's query
 * cache would keep them after the run. A Patient's document id is `Patient/<patientId>`, so
 * patientId is unique among Patients and each page can start after the last one.
 */
export async function* readPatientIdPages(replica: ReplicaDatabase, pageSize = PATIENT_PAGE_SIZE): AsyncGenerator<string[]> {
  const schema = replica.records.schema.jsonSchema;
  let after = '';
  for (;;) {
    const mango = { selector: { resourceType: 'Patient', patientId: { $gt: after }, _deleted: false }, sort: [{ resourceType: 'asc' }, { patientId: 'asc' }], limit: pageSize, skip: 0 };
    const { documents } = await replica.records.storageInstance.query(prepareQuery(schema, normalizeMangoQuery(schema, mango as never)));
    const ids = documents.map((document) => document.patientId);
    if (ids.length > 0) yield ids;
    if (ids.length < pageSize) return;
    after = ids.at(-1) as string;
  }
}

export interface RetentionOptions {
  replica: ReplicaDatabase;
  /** The replica's SQLite connection, for the table of patients out of scope. */
  database: SqliteDatabase;
  outbox: Outbox;
  index: PatientSearchIndex;
  audit: AuditTrail;
  wardId: string;
  workstationId: string;
  retentionDays: number;
  clock: Clock;
  logger: Logger;
}

export interface RetentionResult {
  removedPatients: string[];
  /** Patients due for removal whose changes have not reached the server yet. */
  waitingForSync: string[];
}

/**
 * Removes the local copy of patients who left this workstation's ward more than the policy's days
 * ago: the replica holds the ward's patients, not everyone who ever passed through. A patient's
 * changes not yet sent keep their copy until the server has them. The removal stays local (it is
 * never pushed as a deletion), and an AuditEvent records it.
 */
export class RetentionService {
  constructor(private readonly options: RetentionOptions) {
    options.database.prepare('CREATE TABLE IF NOT EXISTS hms_out_of_scope (patient_id TEXT PRIMARY KEY, since TEXT NOT NULL) WITHOUT ROWID').run();
  }

  async run(): Promise<RetentionResult> {
    const { replica, database, index, wardId, clock, retentionDays, logger } = this.options;
    const now = clock.now();
    const markOut = database.prepare('INSERT OR IGNORE INTO hms_out_of_scope (patient_id, since) VALUES (?, ?)');
    const markIn = database.prepare('DELETE FROM hms_out_of_scope WHERE patient_id = ?');
    // One transaction per page: outside a transaction each statement would commit on its own.
    const ordered = await patientsWithOpenOrders(replica, wardId);
    const markPage = database.transaction((patientIds: string[]) => {
      for (const patientId of patientIds) {
        if (index.placementOf(patientId)?.wardId === wardId || ordered.has(patientId)) markIn.run(patientId);
        else markOut.run(patientId, now.toISOString());
      }
    });
    for await (const patientIds of readPatientIdPages(replica)) markPage(patientIds);

    const cutoff = new Date(now.getTime() - retentionDays * DAY_MS).toISOString();
    const due = database.prepare('SELECT patient_id FROM hms_out_of_scope WHERE since <= ?').pluck().all(cutoff) as string[];
    const result: RetentionResult = { removedPatients: [], waitingForSync: [] };
    for (const patientId of due) {
      if (await this.#remove(patientId)) result.removedPatients.push(patientId);
      else result.waitingForSync.push(patientId);
    }
    if (due.length > 0) logger.info({ removed: result.removedPatients.length, waitingForSync: result.waitingForSync.length }, 'retention removed local copies of patients who left the ward');
    return result;
  }

  /** Removes one patient's documents; returns false while some of them wait for the server. */
  async #remove(patientId: string): Promise<boolean> {
    const { replica, outbox, audit, database } = this.options;
    const byCollection = new Map<CollectionName, string[]>();
    for (const collection of PATIENT_COLLECTIONS) {
      const documents = await replica[collection].find({ selector: { patientId } }).exec();
      // AuditEvents are kept as written; they hold ids only and leave with the next push.
      const ids = documents.filter((document) => document.resourceType !== 'AuditEvent').map((document) => document.id);
      if (outbox.pendingAmong(collection, ids).length > 0) return false;
      byCollection.set(collection, ids);
    }

    let removed = 0;
    for (const [collection, ids] of byCollection) {
      if (ids.length === 0) continue;
      outbox.markPurged(collection, ids);
      await replica[collection].bulkRemove(ids);
      // Physically delete the tombstones at once: a removed copy must not linger on disk.
      await replica[collection].storageInstance.cleanup(0);
      removed += ids.length;
    }
    database.prepare('DELETE FROM hms_out_of_scope WHERE patient_id = ?').run(patientId);
    await audit.retentionRemoval(patientId, removed);
    return true;
  }
}

/** Order statuses that keep a patient in a laboratory department's scope, as the server counts them. */
const OPEN_ORDER_STATUSES = new Set(['active', 'on-hold']);

/**
 * Patients with an open order for this scope: a lab bench enrols to its department as a ward
 * workstation enrols to its ward, and its patients are those with orders there, not beds.
 */
async function patientsWithOpenOrders(replica: ReplicaDatabase, scopeId: string): Promise<Set<string>> {
  const orders = await replica.records.find({ selector: { resourceType: 'ServiceRequest', wardId: scopeId } }).exec();
  return new Set(orders.filter((order) => OPEN_ORDER_STATUSES.has(String(order.resource.status))).map((order) => order.patientId));
}
