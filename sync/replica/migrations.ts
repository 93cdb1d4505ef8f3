import type { MigrationStrategies, RxCollection, RxDatabase } from 'rxdb';
import { addRxPlugin } from 'rxdb';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';

import type { CollectionName } from '../protocol/collections.js';
import type { RecordDocument } from '../protocol/documents.js';

/**
 * Schema migrations of the replica's collections. When a collection's schema version goes up,
 * its strategy for the new version goes here (RxDB's `migrationStrategies`: version → function
 * from the old document to the new one, or null to drop it).
 *
 * RxDB runs the same strategies over the replication's stored assumed master states, and the
 * server compares those with its stored documents on every push. A strategy that changed a
 * document the server stores would therefore turn the next push of it into a false conflict.
 */
export const MIGRATION_STRATEGIES: { [Name in CollectionName]: MigrationStrategies } = {
  reference: {},
  records: {
    // Version 1 adds the optional `accession` of Specimens and its index. Version 0 replicas hold
    // no Specimens of their own making, and a Specimen pulled from the server already carries its
    // accession, so every document stays as it is.
    1: (document: RecordDocument) => document,
  },
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
