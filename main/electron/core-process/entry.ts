import { systemClock } from '../../core/clock.js';
import { createCore } from '../../core/core.js';
import { createFileLogger } from '../../core/logging/file-logger.js';
import { lockDataDirectory } from '../../core/data-directory-lock.js';
import { loadSettings } from '../../core/settings.js';
import { startDocumentationStateFile } from '../../update/documentation-state.js';
import type { CoreInitMessage } from './messages.js';
import { coreInitMessage } from './messages.js';
import type { ParentMessageEvent } from './port-router.js';
import { CorePortRouter } from './port-router.js';

/**
 * Entry of the core's Electron utility process. It runs the same core as the browser host and
 * serves the windows' MessagePorts that main hands over. It never imports `electron`: the utility
 * process gives it only `process.parentPort`.
 */

interface ParentPort {
  on(event: 'message', listener: (event: ParentMessageEvent) => void): unknown;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!parentPort) {
  console.error('core-process.js runs only as an Electron utility process started by HMS Workstation');
  process.exit(1);
}

// Windows may be connected before the core has opened its replica: hold their ports until then.
const early: ParentMessageEvent[] = [];
let router: CorePortRouter | undefined;
let initialised = false;

parentPort.on('message', (event) => {
  if (!initialised) {
    initialised = true;
    void start(event.data, parentPort);
    return;
  }
  if (router) router.acceptParentMessage(event);
  else early.push(event);
});

async function start(data: unknown, port: ParentPort): Promise<void> {
  const parsed = coreInitMessage.safeParse(data);
  if (!parsed.success) {
    fail(port, `The core received an invalid start message: ${parsed.error.message}`);
    return;
  }
  const init: CoreInitMessage = parsed.data;
  // Files this process creates (replica, logs, settings) hold patient data: readable by this user only.
  process.umask(0o077);
  let logger;
  try {
    logger = await createFileLogger({ directory: init.logDirectory, name: 'core', level: init.policy.logLevel });
  } catch (error) {
    fail(port, `The core cannot write its log in ${init.logDirectory}: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }

  try {
    const settings = loadSettings(init.dataDirectory, { serverUrl: init.policy.serverUrl, wardId: init.policy.wardId });
    lockDataDirectory(init.dataDirectory);
    const core = await createCore({
      settings,
      dataDirectory: init.dataDirectory,
      logger,
      policy: init.policy,
      logDirectory: init.logDirectory,
      replicaKey: init.replicaKey,
      ...(init.policyReading ? { policyReading: init.policyReading } : {}),
      ...(init.versions ? { versions: init.versions } : {}),
      ...(init.crashDumpDirectory ? { crashDumpDirectory: init.crashDumpDirectory } : {}),
    });
    // A signed-in or locked session may hold unsaved drafts in a window, so it counts as open documentation.
    startDocumentationStateFile({ dataDirectory: init.dataDirectory, clock: systemClock, documentation: () => (core.session.current() === null ? 'none-open' : 'open') });
    router = new CorePortRouter(core.gateway, core.events, logger);
    for (const event of early.splice(0)) router.acceptParentMessage(event);
    logger.info('core process ready');
    port.postMessage({ type: 'ready' });
  } catch (error) {
    logger.fatal({ error: error instanceof Error ? error.message : String(error) }, 'core process could not start');
    fail(port, error instanceof Error ? error.message : String(error));
  }
}

function fail(port: ParentPort, message: string): void {
  port.postMessage({ type: 'startup-failed', message });
  // Let the message leave before the process ends.
  setTimeout(() => process.exit(1), 100);
}
