import type { Database } from './database/index.js';
import type { ChangeFeed } from './change-feed.js';
import type { UserStatusFeed } from './user-status-feed.js';

/** Services shared by the routes, created once per server instance by createServer. */
export interface ServerContext {
  database: Database;
  tokenSecret: Buffer;
  changeFeed: ChangeFeed;
  userStatusFeed: UserStatusFeed;
  /** The clock for token expiry and emergency access reports; tests inject a fixed one. */
  now: () => Date;
  heartbeatIntervalMs: number;
}
