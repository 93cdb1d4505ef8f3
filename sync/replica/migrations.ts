import type { MigrationStrategies, RxCollection, RxDatabase } from 'rxdb';
import { addRxPlugin } from 'rxdb';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';

import type { CollectionName } from '../protocol/collections.js';

/**
 * Schema migrations of the replica's collections. When a collection's schema version goes up,
 * its strategy for the new version goes here (RxDB's `migrationStrategies`: version → function
 * from the old document to the new one, or null to drop it). All schemas are at version 0 today.
 */
export const MIGRATION_STRATEGIES: { [Name in CollectionName]: MigrationStrategies } = {
  reference: {},
  records: {},
  entries: {},
};

export interface MigrationProgress {
  collection: string;
  handled: number;
  total: number;
  percent: number;
}

let pluginAdded = false;

export function useMigrationPlugin(): void {
  if (pluginAdded) return;
  addRxPlugin(RxDBMigrationSchemaPlugin);
  pluginAdded = true;
}

/**
 * Migrates every collection whose stored documents have an older schema version, reporting
 * progress. RxDB copies the documents into the new version's table and removes the old table only
 * after the last one is copied, so a migration that fails leaves the old data intact, and the next
 * start tries again.
 */
export async function migrateCollections(database: Pick<RxDatabase, 'collections'>, onProgress: (progress: MigrationProgress) => void = () => undefined): Promise<void> {
  for (const collection of Object.values(database.collections) as RxCollection[]) {
    if (!(await collection.migrationNeeded())) continue;
    const state = collection.getMigrationState();
    const subscription = state.$.subscribe((status) => {
      onProgress({ collection: collection.name, handled: status.count.handled, total: status.count.total, percent: status.count.percent });
    });
    try {
      await state.migratePromise(500);
    } finally {
      subscription.unsubscribe();
    }
  }
}
