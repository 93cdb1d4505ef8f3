import type { Logger } from 'pino';

import { openPgliteDatabase } from './pglite.js';
import { openPostgresDatabase } from './postgresql.js';
import type { Database } from './types.js';

export type { ChannelListener, Database, Queryable, QueryResult, Unsubscribe } from './types.js';

export interface DatabaseOptions {
  /** `postgres://` URL of a PostgreSQL server; when set, `dataDir` is ignored. */
  databaseUrl?: string | undefined;
  /** Folder of the embedded PGlite database; in memory when neither option is set. */
  dataDir?: string | undefined;
}

/** Opens PostgreSQL through `pg` when a URL is given, and the embedded PGlite otherwise. */
export function openDatabase(options: DatabaseOptions, logger: Logger): Promise<Database> {
  if (options.databaseUrl) return openPostgresDatabase(options.databaseUrl, logger);
  return openPgliteDatabase(options.dataDir);
}
