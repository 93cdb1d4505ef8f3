import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { createCore } from '../core/core.js';
import { createFileLogger } from '../core/logging/file-logger.js';
import type { Logger } from '../core/logging/logger.js';
import { logPolicyProblems, runPolicyReport } from '../core/policy-report.js';
import { hostPolicy } from '../core/policy-resolve.js';
import { systemClock } from '../core/clock.js';
import { runBusyCheck } from '../update/busy-check.js';
import { startDocumentationStateFile } from '../update/documentation-state.js';
import { platformPolicySources, readPolicySources, resolveWorkstationPolicy } from '../core/policy-sources.js';
import { loadSettings } from '../core/settings.js';
import { lockDataDirectory } from '../core/data-directory-lock.js';
import { Outbox } from '../../sync/client/outbox.js';
import { DEFAULT_REPLICA_NAME } from '../../sync/replica/replica.js';
import { startBrowserHost } from './browser-host.js';
import { loadReplicaKey } from './replica-key-file.js';

const USAGE = `Usage: hms-browser-host [options]

Runs the HMS Workstation core and serves its UI to this machine's browser on 127.0.0.1.

Options:
  --data-dir DIR      folder of the replica and settings (default: .data/workstation)
  --server-url URL    central sync server, e.g. http://127.0.0.1:8080 (stored in settings)
  --ward ID           Location id of the ward this workstation serves (stored in settings)
  --port N            TCP port on 127.0.0.1 (default: a free port)
  --renderer-dir DIR  built renderer (default: dist/renderer of this package)
  --fresh             delete the local replica and sync it anew from the server; refused
                      while changes have not reached the server
  --discard-unsent    with --fresh, delete the replica even with changes not yet sent
  --policy-report     print every effective policy value with its source and exit:
                      0 when the policy is valid, 1 when a file or key was ignored
  --busy              exit 0 when installing an update now would lose no one's documentation
                      (no workstation runs on DIR, or its session is signed out), 1 otherwise
  --help              show this text

Logs go to DIR/logs (rotated daily, kept 90 days). The replica is encrypted with the key in
HMS_REPLICA_KEY (64 hex digits) or in DIR/replica.key, created with the replica and readable by
its owner only: keep it with the backups of DIR, not beside copies of the replica. IT's policy
(/etc/hms-workstation/policy.json and policy.d/*.json on Linux) overrides the server URL, ward,
session rules and update settings.`;

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

function packageVersion(root: string): string {
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Deletes the replica for --fresh, unless it holds changes the server has not confirmed. */
function deleteReplica(dataDirectory: string, discardUnsent: boolean, logger: Logger): void {
  const file = join(dataDirectory, `${DEFAULT_REPLICA_NAME}.sqlite`);
  if (existsSync(file) && !discardUnsent) {
    const outbox = new Outbox(file, loadReplicaKey(dataDirectory, file, process.env));
    const unsent = outbox.count();
    outbox.close();
    if (unsent > 0) {
      throw new Error(`The replica in ${dataDirectory} holds ${unsent} change(s) the central server has not confirmed; --fresh would delete them. Start without --fresh and let them sync, or add --discard-unsent to delete them anyway`);
    }
  }
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  logger.info('local replica deleted (--fresh); it syncs anew from the server');
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
      'discard-unsent': { type: 'boolean', default: false },
      'policy-report': { type: 'boolean', default: false },
      busy: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }

  // Files this process creates (replica, logs, settings) hold patient data: readable by this user only.
  process.umask(0o077);
  const root = packageRoot();
  const dataDirectory = resolve(values['data-dir'] ?? join(root, '.data', 'workstation'));
  const policySources = platformPolicySources(process.platform, process.env);
  if (values['policy-report']) {
    process.exitCode = runPolicyReport({ sources: policySources, dataDirectory, write: (text) => process.stdout.write(text) });
    return;
  }
  if (values.busy) {
    process.exitCode = runBusyCheck({ dataDirectory, clock: systemClock, write: (text) => process.stdout.write(text) });
    return;
  }
  const rendererDirectory = resolve(values['renderer-dir'] ?? join(root, 'dist', 'renderer'));
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid --port "${values.port}": use a number from 0 to 65535`);
  if (!existsSync(join(rendererDirectory, 'index.html'))) {
    throw new Error(`The renderer is not built: ${join(rendererDirectory, 'index.html')} is missing. Run npm run build first`);
  }

  const machinePolicy = readPolicySources(policySources);
  const effectivePolicy = resolveWorkstationPolicy(machinePolicy, dataDirectory);
  const policy = hostPolicy(effectivePolicy);
  const lock = lockDataDirectory(dataDirectory);
  const logger = await createFileLogger({ directory: join(dataDirectory, 'logs'), name: 'workstation', level: policy.logLevel });
  logPolicyProblems(effectivePolicy.problems, logger);
  if (values.fresh) deleteReplica(dataDirectory, values['discard-unsent'], logger);
  const settings = loadSettings(dataDirectory, { serverUrl: policy.serverUrl ?? values['server-url'], wardId: policy.wardId ?? values.ward });
  const replicaKey = loadReplicaKey(dataDirectory, join(dataDirectory, `${DEFAULT_REPLICA_NAME}.sqlite`), process.env);
  const core = await createCore({
    settings,
    dataDirectory,
    logger,
    policy,
    policyReading: machinePolicy,
    versions: { app: packageVersion(root), electron: null },
    replicaKey,
    onMigrationProgress: ({ collection, percent }) => console.log(`Upgrading the local replica (${collection}): ${Math.floor(percent)}%`),
  });
  // A signed-in or locked session may hold unsaved drafts in the browser, so it counts as open documentation.
  const documentationState = startDocumentationStateFile({ dataDirectory, clock: systemClock, documentation: () => (core.session.current() === null ? 'none-open' : 'open') });
  const host = await startBrowserHost({ gateway: core.gateway, events: core.events, logger, rendererDirectory, port, readImagingInstance: core.imaging.readInstance });

  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await host.close();
    documentationState.stop();
    await core.close();
    lock.release();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  // Printed after the handlers are in place, because scripts send SIGTERM as soon as this line appears.
  console.log(`\nHMS Workstation is running. Open this address in a browser on this machine:\n\n  ${host.url}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
