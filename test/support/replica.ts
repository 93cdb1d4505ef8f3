import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { addRxPlugin } from 'rxdb';
import { disableWarnings, RxDBDevModePlugin } from 'rxdb/plugins/dev-mode';
import { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';

import type { ReplicaDatabase } from '../../sync/replica/replica.js';
import { openReplica } from '../../sync/replica/replica.js';
import { getRxStorageSQLite } from '../../sync/replica/sqlite/sqlite-storage.js';

let devModeAdded = false;

/**
 * RxDB's dev-mode plugin checks every schema, query and write against RxDB's rules. It belongs in
 * tests only: the shipped app never loads it.
 */
export function useRxdbDevMode(): void {
  if (devModeAdded) return;
  disableWarnings();
  addRxPlugin(RxDBDevModePlugin);
  devModeAdded = true;
}

export function makeTempDirectory(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `hms-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Storage as tests use it: our SQLite storage under RxDB's schema validation. */
export function validatedSqliteStorage(directory: string, key?: string) {
  return wrappedValidateAjvStorage({ storage: getRxStorageSQLite({ directory, ...(key ? { key } : {}) }) });
}

export async function openTestReplica(directory: string, name?: string): Promise<ReplicaDatabase> {
  useRxdbDevMode();
  return openReplica({ directory, storage: validatedSqliteStorage(directory), ...(name ? { name } : {}) });
}
