import { randomBytes } from 'node:crypto';

import pg from 'pg';

/** The PostgreSQL the integration tests use: 127.0.0.1:5432, user postgres, trust authentication. */
export const ADMIN_DATABASE_URL = process.env.HMS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Creates a fresh, uniquely named database for one test file and drops it afterwards. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const name = `hms_${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
