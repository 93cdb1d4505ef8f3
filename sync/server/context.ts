import type { Database } from './database/index.js';
import type { ChangeFeed } from './change-feed.js';
import type { UserStatusFeed } from './user-status-feed.js';

/**
 * Pauses and failures that integration tests inject into the push writer to reproduce races
 * between concurrent transactions. Test builds only: main.ts never sets them, so a production
 * server runs none. Each hook runs inside the push's open transaction, which keeps its row locks.
 */
export interface ServerTestHooks {
  /** Called after every pushed row is locked and its stored state read, before any write. */
  afterLock?(documentIds: readonly string[]): Promise<void>;
  /** Called after the push's writes and NOTIFY, just before COMMIT. Throwing rolls the push back. */
  beforeCommit?(documentIds: readonly string[]): Promise<void>;
}

/** Services shared by the routes, created once per server instance by createServer. */
export interface ServerContext {
  database: Database;
  tokenSecret: Buffer;
  /** Sent on every response; see dataset-epoch.ts. */
  datasetEpoch: string;
  changeFeed: ChangeFeed;
  userStatusFeed: UserStatusFeed;
  /** The clock for token expiry and emergency access reports; tests inject a fixed one. */
  now: () => Date;
  heartbeatIntervalMs: number;
  /** How long access and refresh tokens live, in milliseconds (see tokens.ts). */
  tokenLifetimes: { accessMs: number; refreshMs: number };
  /** Test-only hooks into the push writer; unset in production. */
  testHooks?: ServerTestHooks;
}
