import { parseArgs } from 'node:util';

import { createServer } from './app.js';
import { openDatabase } from './database/index.js';
import { renewDatasetEpoch } from './dataset-epoch.js';
import { describeErrorForLog } from './errors.js';
import { createLogger } from './logging.js';
import { ensureSchema } from './schema.js';

const USAGE = `Usage: tsx sync/server/main.ts [options]

Runs the HMS reference sync server.

Options:
  --port <number>          TCP port to listen on (default 8787; 0 picks a free port)
  --host <address>         interface to listen on (default 127.0.0.1)
  --database-url <url>     PostgreSQL connection URL (default: $DATABASE_URL); without one the
                           server uses the embedded PGlite
  --data-dir <folder>      PGlite data folder (default: $HMS_SERVER_DATA_DIR); in memory when unset
  --seed                   seed the demo wards, patients and users unless already seeded
  --renew-dataset-epoch    give the database a new dataset epoch, print it and exit; run it
                           after restoring the database from a backup, before starting the
                           server, so that every workstation sends back what it holds
  --help                   print this help

Environment:
  LOG_LEVEL                pino log level: fatal, error, warn, info (default), debug, trace, silent`;

const DEFAULT_PORT = 8787;

/** Renews the dataset epoch of the database (see dataset-epoch.ts) and prints the new one. */
async function renewEpoch(databaseUrl: string | undefined, dataDir: string | undefined): Promise<void> {
  const logger = createLogger('warn');
  const database = await openDatabase({ databaseUrl, dataDir }, logger);
  try {
    await ensureSchema(database);
    console.log(`New dataset epoch: ${await renewDatasetEpoch(database)}`);
  } finally {
    await database.close();
  }
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new Error(`Invalid --port "${value}": expected an integer from 0 to 65535`);
  return port;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'database-url': { type: 'string' },
      'data-dir': { type: 'string' },
      seed: { type: 'boolean', default: false },
      'renew-dataset-epoch': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }

  const logger = createLogger((process.env.LOG_LEVEL as 'info' | undefined) ?? 'info');
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
  const dataDir = values['data-dir'] ?? process.env.HMS_SERVER_DATA_DIR;
  if (values['renew-dataset-epoch']) {
    await renewEpoch(databaseUrl, dataDir);
    return;
  }
  try {
    const server = await createServer({
      port: parsePort(values.port),
      host: values.host,
      ...(databaseUrl ? { databaseUrl } : {}),
      ...(dataDir ? { dataDir } : {}),
      seed: values.seed,
      logger,
    });
    logger.info({ url: server.url }, 'sync server started');

    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping the sync server');
      server.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: describeErrorForLog(error) }, 'stopping the sync server failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (error) {
    logger.error({ err: describeErrorForLog(error) }, 'the sync server failed to start');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(USAGE);
  process.exitCode = 2;
});
