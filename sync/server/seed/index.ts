import type { Logger } from 'pino';

import type { CollectionName } from '../../protocol/collections.js';
import { COLLECTION_NAMES } from '../../protocol/collections.js';
import { notifyChanges } from '../change-feed.js';
import type { Database } from '../database/index.js';
import { insertDocument } from '../document-store.js';
import { insertUser } from '../users.js';
import { refreshWardMembership } from '../ward-membership.js';
import { buildDemoData } from './demo-data.js';
import { defaultBundlesDir } from './synthea.js';
import { hashDemoUsers } from './users.js';

export { DEMO_USERS } from './users.js';
export type { DemoUser } from './users.js';
export { SEEDED_WARDS, seededWards } from './wards.js';
export { buildDemoData } from './demo-data.js';
export { LAB_PANELS, SEEDED_ACCESSIONS, SEEDED_LAB_DEPARTMENT, SEEDED_LAB_ORDERS, labOrderId, specimenId } from './lab-orders.js';
export type { SeededLabOrder } from './lab-orders.js';

export interface SeedOptions {
  /** The seed's "now": who counts as an adult, admission times and vital signs derive from it. */
  now?: Date;
  /** Folder of Synthea bundles; test/fixtures/fhir/synthea of this repository by default. */
  bundlesDir?: string;
}

export interface SeedResult {
  /** False when the database was already seeded and nothing was written. */
  seeded: boolean;
  patients: number;
  documents: Record<CollectionName, number>;
  users: number;
}

/** Settings key whose presence marks a seeded database. */
const SEED_MARKER_KEY = 'demo_seed';

async function isSeeded(database: Database): Promise<boolean> {
  const { rows } = await database.query('SELECT 1 FROM settings WHERE key = $1', [SEED_MARKER_KEY]);
  return rows.length > 0;
}

/**
 * Seeds the demo wards and laboratory, patients, their records (lab orders included) and entries,
 * and one demo user per role. Does
 * nothing when the database was seeded before. Each collection is written in one transaction; a
 * seed interrupted half-way completes on the next start, since existing documents are skipped.
 */
export async function seedDemoData(database: Database, options: SeedOptions, logger: Logger): Promise<SeedResult> {
  const documents = Object.fromEntries(COLLECTION_NAMES.map((name) => [name, 0])) as Record<CollectionName, number>;
  if (await isSeeded(database)) {
    logger.info('database already seeded; skipping the seed');
    return { seeded: false, patients: 0, documents, users: 0 };
  }

  const now = options.now ?? new Date();
  const demo = await buildDemoData({ bundlesDir: options.bundlesDir ?? defaultBundlesDir(), now });
  for (const collection of COLLECTION_NAMES) {
    documents[collection] = await database.transaction(async (transaction) => {
      let inserted = 0;
      for (const { document, derived } of demo.documents[collection]) {
        if (await insertDocument(transaction, { collection, document, derived }, undefined)) inserted++;
      }
      if (collection === 'records') await refreshWardMembership(transaction, [...demo.mrnByPatient.keys()]);
      await notifyChanges(transaction, [collection]);
      return inserted;
    });
  }

  const users = await hashDemoUsers();
  const insertedUsers = await database.transaction(async (transaction) => {
    let inserted = 0;
    for (const user of users) if (await insertUser(transaction, user)) inserted++;
    await transaction.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
      SEED_MARKER_KEY,
      JSON.stringify({ version: 1, now: now.toISOString() }),
    ]);
    return inserted;
  });

  const result: SeedResult = { seeded: true, patients: demo.mrnByPatient.size, documents, users: insertedUsers };
  logger.info({ patients: result.patients, ...documents, users: insertedUsers }, 'demo data seeded');
  return result;
}
