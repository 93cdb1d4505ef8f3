import { mkdirSync } from 'node:fs';

import { PGlite } from '@electric-sql/pglite';
import type { Transaction } from '@electric-sql/pglite';

import type { ChannelListener, Database, Queryable, QueryResult, Unsubscribe } from './types.js';

function queryableOf(target: PGlite | Transaction): Queryable {
  return {
    async query<Row>(sql: string, parameters: readonly unknown[] = []): Promise<QueryResult<Row>> {
      const result = await target.query<Row>(sql, [...parameters]);
      return { rows: result.rows, rowCount: result.affectedRows ?? 0 };
    },
  };
}

/**
 * Opens PGlite, PostgreSQL compiled to WebAssembly and run in this process, stored in `dataDir`
 * or in memory when `dataDir` is undefined.
 */
export async function openPgliteDatabase(dataDir: string | undefined): Promise<Database> {
  // PGlite creates only the last folder of the path; a fresh data folder may lack its parents.
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const database = await PGlite.create(dataDir ?? 'memory://');
  // PGlite has one connection, so two transactions must never interleave their statements. Each
  // transaction waits for the previous one to end.
  let previousTransaction: Promise<unknown> = Promise.resolve();
  let closing: Promise<void> | undefined;

  return {
    kind: 'pglite',
    query: queryableOf(database).query,

    transaction<T>(work: (transaction: Queryable) => Promise<T>): Promise<T> {
      const run = previousTransaction.then(() => database.transaction((transaction) => work(queryableOf(transaction))));
      previousTransaction = run.catch(() => undefined);
      return run;
    },

    async listen(channel: string, listener: ChannelListener): Promise<Unsubscribe> {
      // PGlite runs in this process, so its notification channel cannot be lost and
      // `listener.onReconnect` is never called.
      const unlisten = await database.listen(channel, (payload) => listener.onNotification(payload));
      // Closing PGlite ends its subscriptions, and unlisten on a closed PGlite throws.
      return async () => {
        if (!closing) await unlisten();
      };
    },

    close(): Promise<void> {
      // PGlite throws when closed twice; a second close waits for the first.
      closing ??= database.close();
      return closing;
    },
  };
}
