import { join } from 'node:path';

import type { RxStorage, RxStorageInstanceCreationParams } from 'rxdb';
import { ensureRxStorageInstanceParamsAreCorrect, RXDB_VERSION } from 'rxdb';

import type { DatabaseKey } from './connection-pool.js';
import { acquireConnection } from './connection-pool.js';
import type { SqliteInstanceInternals, SqliteInstanceOptions } from './sqlite-instance.js';
import { SqliteStorageInstance } from './sqlite-instance.js';

export interface SqliteStorageSettings {
  /** Folder holding one `<databaseName>.sqlite` file per RxDB database. */
  directory: string;
  /** 256-bit key as 64 hex digits; without it the files are not encrypted. */
  key?: DatabaseKey;
}

export type SqliteRxStorage = RxStorage<SqliteInstanceInternals, SqliteInstanceOptions>;

/**
 * Creates an RxStorage on better-sqlite3: one SQLite file per RxDB database, one table per collection and
 * schema version. RxDB's own SQLite storage is a paid product whose free trial stops at 500
 * documents; this one has no such limit.
 */
export function getRxStorageSQLite(settings: SqliteStorageSettings): SqliteRxStorage {
  return {
    name: 'hms-sqlite',
    rxdbVersion: RXDB_VERSION,
    async createStorageInstance<RxDocType>(params: RxStorageInstanceCreationParams<RxDocType, SqliteInstanceOptions>) {
      ensureRxStorageInstanceParamsAreCorrect(params);
      if (!/^[a-z0-9_-]+$/i.test(params.databaseName)) {
        throw new Error(`Invalid database name "${params.databaseName}": use letters, digits, "-" and "_" only, since it names a file`);
      }
      const filePath = join(settings.directory, `${params.databaseName}.sqlite`);
      const database = acquireConnection(filePath, settings.key);
      const internals: SqliteInstanceInternals = {
        filePath,
        tableName: `${params.collectionName}-v${params.schema.version}`,
      };
      return new SqliteStorageInstance<RxDocType>(
        database,
        params.databaseName,
        params.collectionName,
        params.schema,
        internals,
        params.options ?? {},
      );
    },
  };
}
