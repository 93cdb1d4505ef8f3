import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { createCore } from '../core/core.js';
import { createRootLogger } from '../core/logging/logger.js';
import { loadSettings } from '../core/settings.js';
import { DEFAULT_REPLICA_NAME } from '../../sync/replica/replica.js';
import { startBrowserHost } from './browser-host.js';

const USAGE = `Usage: hms-browser-host [options]

Runs the HMS Workstation core and serves its UI to this machine's browser on 127.0.0.1.

Options:
  --data-dir DIR      folder of the replica and settings (default: .data/workstation)
  --server-url URL    central sync server, e.g. http://127.0.0.1:8080 (stored in settings)
  --ward ID           Location id of the ward this workstation serves (stored in settings)
  --port N            TCP port on 127.0.0.1 (default: a free port)
  --renderer-dir DIR  built renderer (default: dist/renderer of this package)
  --fresh             delete the local replica first and sync it anew from the server
  --help              show this text`;

/** Walks up from this file to the folder holding the project's package.json. */
function packageRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (folder !== dirname(folder)) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'hms-workstation') return folder;
    folder = dirname(folder);
  }
  throw new Error('Cannot find the hms-workstation package folder above this script');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      'server-url': { type: 'string' },
      ward: { type: 'string' },
      port: { type: 'string' },
      'renderer-dir': { type: 'string' },
      fresh: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }

  const root = packageRoot();
  const dataDirectory = resolve(values['data-dir'] ?? join(root, '.data', 'workstation'));
  const rendererDirectory = resolve(values['renderer-dir'] ?? join(root, 'dist', 'renderer'));
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid --port "${values.port}": use a number from 0 to 65535`);
  if (!existsSync(join(rendererDirectory, 'index.html'))) {
    throw new Error(`The renderer is not built: ${join(rendererDirectory, 'index.html')} is missing. Run npm run build first`);
  }

  const logger = createRootLogger();
  if (values.fresh) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDirectory, `${DEFAULT_REPLICA_NAME}.sqlite${suffix}`), { force: true });
    logger.info('local replica deleted (--fresh); it syncs anew from the server');
  }
  const settings = loadSettings(dataDirectory, { serverUrl: values['server-url'], wardId: values.ward });
  const core = await createCore({ settings, dataDirectory, logger });
  const host = await startBrowserHost({ gateway: core.gateway, events: core.events, logger, rendererDirectory, port });

  console.log(`\nHMS Workstation is running. Open this address in a browser on this machine:\n\n  ${host.url}\n`);

  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await host.close();
    await core.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
