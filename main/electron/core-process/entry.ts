import { systemClock } from '../../core/clock.js';
import { createCore } from '../../core/core.js';
import { createFileLogger } from '../../core/logging/file-logger.js';
import { lockDataDirectory } from '../../core/data-directory-lock.js';
import { loadSettings } from '../../core/settings.js';
import { startDocumentationStateFile } from '../../update/documentation-state.js';
import type { Core } from '../../core/core.js';
import type { CoreInitMessage, InstanceResultMessage } from './messages.js';
import { coreInitMessage, readInstanceMessage } from './messages.js';
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
let core: Core | undefined;
let initialised = false;

parentPort.on('message', (event) => {
  if (!initialised) {
    initialised = true;
    void start(event.data, parentPort);
    return;
  }
  const instanceRequest = readInstanceMessage.safeParse(event.data);
  if (instanceRequest.success) {
    void answerInstanceRequest(instanceRequest.data, parentPort);
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
    core = await createCore({
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
    const started = core;
    // A signed-in or locked session may hold unsaved drafts in a window, so it counts as open documentation.
    startDocumentationStateFile({ dataDirectory: init.dataDirectory, clock: systemClock, documentation: () => (started.session.current() === null ? 'none-open' : 'open') });
    router = new CorePortRouter(started.gateway, started.events, logger);
    for (const event of early.splice(0)) router.acceptParentMessage(event);
    logger.info('core process ready');
    port.postMessage({ type: 'ready' });
  } catch (error) {
    logger.fatal({ error: error instanceof Error ? error.message : String(error) }, 'core process could not start');
    fail(port, error instanceof Error ? error.message : String(error));
  }
}

/** Reads one instance for main's hms-dicom: scheme and posts the result back with the request's id. */
async function answerInstanceRequest(request: { requestId: number; studyInstanceUid: string; seriesInstanceUid: string; sopInstanceUid: string }, port: ParentPort): Promise<void> {
  const { requestId, ...uids } = request;
  let reply: InstanceResultMessage;
  if (!core) {
    reply = { type: 'instance-result', requestId, status: 502, error: 'The workstation core is still starting; try again in a moment' };
  } else {
    try {
      const response = await core.imaging.readInstance(uids);
      reply = response.status === 200 ? { type: 'instance-result', requestId, status: 200, bytes: response.bytes } : { type: 'instance-result', requestId, status: response.status, error: response.error };
    } catch (error) {
      reply = { type: 'instance-result', requestId, status: 502, error: `Reading the instance failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  port.postMessage(reply);
}

function fail(port: ParentPort, message: string): void {
  port.postMessage({ type: 'startup-failed', message });
  // Let the message leave before the process ends.
  setTimeout(() => process.exit(1), 100);
}
