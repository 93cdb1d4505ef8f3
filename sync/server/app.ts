import type { AddressInfo } from 'node:net';

import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Level, Logger } from 'pino';

import { HEARTBEAT_INTERVAL_MS } from '../protocol/wire.js';
import { ChangeFeed } from './change-feed.js';
import { DATASET_EPOCH_HEADER, loadDatasetEpoch } from './dataset-epoch.js';
import { enableConformanceCollection } from './conformance-collection.js';
import type { ServerContext, ServerTestHooks } from './context.js';
import type { Database } from './database/index.js';
import { openDatabase } from './database/index.js';
import { installErrorHandler } from './errors.js';
import { createLogger, withRequestSerializer } from './logging.js';
import { registerAuditRoutes } from './routes/audit.js';
import { registerDatasetRoute } from './routes/dataset.js';
import { registerHealthRoute } from './routes/health.js';
import { registerPatientRoutes } from './routes/patients.js';
import { registerPullRoute } from './routes/pull.js';
import { registerPushRoute } from './routes/push.js';
import { registerRefreshRoute, registerSignInRoute } from './routes/sign-in.js';
import type { OpenStreams } from './routes/stream.js';
import { registerStreamRoute } from './routes/stream.js';
import { registerUserStatusRoute } from './routes/user-status.js';
import { registerWardConfigurationRoute } from './routes/ward-configuration.js';
import { ensureSchema } from './schema.js';
import type { SeedOptions } from './seed/index.js';
import { seedDemoData } from './seed/index.js';
import { ACCESS_TOKEN_LIFETIME_MS, loadTokenSecret, REFRESH_TOKEN_LIFETIME_MS } from './tokens.js';
import { UserStatusFeed } from './user-status-feed.js';

export interface CreateServerOptions {
  /** TCP port; 0 (the default) picks a free one, see `SyncServer.url`. */
  port?: number;
  /** Interface to listen on; 127.0.0.1 by default. */
  host?: string;
  /** `postgres://` URL of a PostgreSQL server. Without it the server uses the embedded PGlite. */
  databaseUrl?: string;
  /** PGlite data folder, used when `databaseUrl` is unset; in memory when both are unset. */
  dataDir?: string;
  /** Seeds the demo wards, patients and users before listening, unless already seeded. */
  seed?: boolean | SeedOptions;
  /** Clock for token expiry and, unless `seed.now` is set, for the seed. Defaults to the system clock. */
  now?: () => Date;
  /** Lifetime of access tokens in milliseconds; 15 minutes by default. */
  accessTokenLifetimeMs?: number;
  /** Lifetime of refresh tokens, the longest a workstation syncs without a sign-in; 12 hours by default. */
  refreshTokenLifetimeMs?: number;
  /** Interval of `heartbeat` events on /sync/stream, in milliseconds. */
  heartbeatIntervalMs?: number;
  /** Logger to use; by default a pino logger at `logLevel` writing JSON lines to stdout. */
  logger?: Logger;
  logLevel?: Level | 'silent';
  /** Test-only pauses and failures inside push transactions; never set it in production (main.ts does not). */
  testHooks?: ServerTestHooks;
  /** Test-only: serves the generic collection of RxDB's replication conformance suite (conformance-collection.ts). */
  conformanceCollection?: boolean;
}

export interface SyncServer {
  app: FastifyInstance;
  /** Base URL such as `http://127.0.0.1:41234`, without a trailing slash. */
  url: string;
  database: Database;
  /** Ends the event streams, stops listening and closes the database. */
  close(): Promise<void>;
}

/** Largest request body: a push carries at most 500 documents of a few kilobytes each. */
const BODY_LIMIT_BYTES = 32 * 1024 * 1024;

function buildApp(context: ServerContext, logger: Logger): { app: FastifyInstance; openStreams: OpenStreams } {
  // Typed as Fastify's base logger so that the instance has the default FastifyInstance type.
  const loggerInstance: FastifyBaseLogger = withRequestSerializer(logger);
  const app = Fastify({ loggerInstance, bodyLimit: BODY_LIMIT_BYTES, routerOptions: { ignoreTrailingSlash: true } });
  const openStreams: OpenStreams = new Set();
  installErrorHandler(app);
  // Every response names the dataset, so a workstation notices a restored database at its first contact.
  app.addHook('onRequest', async (_request, reply) => {
    reply.header(DATASET_EPOCH_HEADER, context.datasetEpoch);
  });
  registerHealthRoute(app, context);
  registerDatasetRoute(app, context);
  registerSignInRoute(app, context);
  registerRefreshRoute(app, context);
  registerPullRoute(app, context);
  registerPushRoute(app, context);
  registerStreamRoute(app, context, openStreams);
  registerUserStatusRoute(app, context);
  registerPatientRoutes(app, context);
  registerAuditRoutes(app, context);
  registerWardConfigurationRoute(app, context);

  // Event streams never end by themselves, and the HTTP server waits for open requests on close.
  app.addHook('preClose', async () => {
    for (const response of openStreams) response.end();
  });
  return { app, openStreams };
}

/** Opens the database, prepares it, and starts the HTTP server. */
export async function createServer(options: CreateServerOptions = {}): Promise<SyncServer> {
  const logger = options.logger ?? createLogger(options.logLevel);
  const now = options.now ?? (() => new Date());
  const database = await openDatabase({ databaseUrl: options.databaseUrl, dataDir: options.dataDir }, logger.child({ component: 'database' }));
  logger.info({ database: database.kind, persistent: Boolean(options.databaseUrl ?? options.dataDir) }, 'database opened');

  let changeFeed: ChangeFeed | undefined;
  let userStatusFeed: UserStatusFeed | undefined;
  try {
    await ensureSchema(database);
    if (options.seed) {
      const seedOptions = options.seed === true ? {} : options.seed;
      await seedDemoData(database, { now: now(), ...seedOptions }, logger.child({ component: 'seed' }));
    }
    const tokenSecret = await loadTokenSecret(database);
    const datasetEpoch = await loadDatasetEpoch(database);
    logger.info({ datasetEpoch }, 'dataset epoch loaded');
    changeFeed = await ChangeFeed.start(database, logger.child({ component: 'change-feed' }));
    userStatusFeed = await UserStatusFeed.start(database);

    const context: ServerContext = {
      database,
      tokenSecret,
      datasetEpoch,
      changeFeed,
      userStatusFeed,
      now,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS,
      ...(options.testHooks ? { testHooks: options.testHooks } : {}),
      tokenLifetimes: { accessMs: options.accessTokenLifetimeMs ?? ACCESS_TOKEN_LIFETIME_MS, refreshMs: options.refreshTokenLifetimeMs ?? REFRESH_TOKEN_LIFETIME_MS },
    };
    const { app } = buildApp(context, logger);
    if (options.conformanceCollection) await enableConformanceCollection(app, context);
    const feeds = [changeFeed, userStatusFeed];
    app.addHook('onClose', async () => {
      for (const feed of feeds) await feed.close();
      await database.close();
      logger.info('server stopped');
    });

    await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
    const address = app.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return { app, url: `http://${host}:${address.port}`, database, close: () => app.close() };
  } catch (error) {
    await userStatusFeed?.close();
    await changeFeed?.close();
    await database.close();
    throw error;
  }
}
