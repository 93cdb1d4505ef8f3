import type { RxCollection, RxDatabase, RxStorage } from 'rxdb';
import { createRxDatabase } from 'rxdb';

import type { CollectionName } from '../protocol/collections.js';
import type { DocumentsByCollection } from '../protocol/documents.js';
import { replaceChangeEventStream } from './change-events.js';
import { replicaConflictHandler } from './conflict-handler.js';
import type { MigrationProgress } from './migrations.js';
import { MIGRATION_STRATEGIES, migrateCollections, useMigrationPlugin } from './migrations.js';
import { entriesSchema, recordsSchema, referenceSchema } from './schemas.js';
import type { DatabaseKey } from './sqlite/connection-pool.js';
import { getRxStorageSQLite } from './sqlite/sqlite-storage.js';

export type ReplicaCollections = { [Name in CollectionName]: RxCollection<DocumentsByCollection[Name]> };
export type ReplicaDatabase = RxDatabase<ReplicaCollections>;

export interface OpenReplicaOptions {
  /** Folder of the replica's SQLite file. */
  directory: string;
  /** RxDB database name, also the file name; one per workstation profile. */
  name?: string;
  /** Overrides the storage, e.g. RxDB's memory storage in differential tests. */
  storage?: RxStorage<unknown, unknown>;
  /** Encryption key of the replica's file, 64 hex digits. */
  key?: DatabaseKey;
  /** Called as a schema migration copies documents, so a host can show the upgrade's progress. */
  onMigrationProgress?: (progress: MigrationProgress) => void;
}

export const DEFAULT_REPLICA_NAME = 'hms-replica';

/**
 * AuditEvents are written once and never changed or deleted at the workstation; RxDB's pre-save and
 * pre-remove hooks refuse both, whoever tries.
 */
function protectAuditEvents(database: ReplicaDatabase): void {
  const refuse = (data: { resourceType?: string; id?: string }, what: string) => {
    if (data.resourceType === 'AuditEvent') throw new Error(`${data.id ?? 'An AuditEvent'} cannot be ${what} at the workstation: audit events are kept as written`);
  };
  database.entries.preSave((data) => refuse(data, 'changed'), false);
  database.entries.preRemove((data) => refuse(data, 'deleted'), false);
}

/**
 * Opens the workstation's local replica: an RxDB database on the SQLite storage with the three
 * collections of the sync protocol. The replica is the workstation's memory during an outage.
 */
export async function openReplica(options: OpenReplicaOptions): Promise<ReplicaDatabase> {
  useMigrationPlugin();
  const database = await createRxDatabase<ReplicaCollections>({
    name: options.name ?? DEFAULT_REPLICA_NAME,
    storage: options.storage ?? getRxStorageSQLite({ directory: options.directory, ...(options.key ? { key: options.key } : {}) }),
    // One process owns the replica (the Electron host holds a single-instance lock), so no
    // cross-process change broadcasting is needed.
    multiInstance: false,
    eventReduce: true,
  });

  await database.addCollections({
    reference: { schema: referenceSchema, migrationStrategies: MIGRATION_STRATEGIES.reference, autoMigrate: false },
    records: { schema: recordsSchema, migrationStrategies: MIGRATION_STRATEGIES.records, autoMigrate: false, conflictHandler: replicaConflictHandler() },
    entries: { schema: entriesSchema, migrationStrategies: MIGRATION_STRATEGIES.entries, autoMigrate: false, conflictHandler: replicaConflictHandler() },
  });
  for (const collection of Object.values(database.collections)) replaceChangeEventStream(collection);
  await migrateCollections(database, options.onMigrationProgress);
  protectAuditEvents(database);
  return database;
}
