import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { BrowserWindow } from 'electron';
import { app, crashReporter, dialog, MessageChannelMain, protocol, safeStorage, session, utilityProcess } from 'electron';

import { createFileLogger } from '../core/logging/file-logger.js';
import { logPolicyProblems, POLICY_REPORT_SWITCH, runPolicyReport } from '../core/policy-report.js';
import { hostPolicy, resolvePolicy } from '../core/policy-resolve.js';
import { POLICY_DEFAULTS } from '../core/policy.js';
import type { PolicyReading } from '../core/policy-document.js';
import { systemClock } from '../core/clock.js';
import { BUSY_SWITCH, dataDirectoryArgument, runBusyCheck } from '../update/busy-check.js';
import { platformPolicySources, readPolicySources, resolveWorkstationPolicy } from '../core/policy-sources.js';
import { startLocalCrashReports } from './crash-reports.js';
import { handleAppProtocol } from './app-protocol.js';
import { handleDicomProtocol, registerPrivilegedSchemes } from './dicom-protocol.js';
import { coreReadyMessage, coreStartupFailedMessage } from './core-process/messages.js';
import { CoreSupervisor } from './core-supervisor.js';
import { installGlobalErrorHandlers } from './error-handler.js';
import { resolveAppPaths } from './paths.js';
import { applyPolicyProxy, setupUpdates } from './updates.js';
import { loadOrCreateReplicaKey } from './replica-key.js';
import { enforceSingleInstance } from './single-instance.js';
import { denyAllPermissions, guardAllWebContents } from './web-contents-guard.js';
import { createWorkstationWindow } from './window-factory.js';

/**
 * Composition root of the Electron host: one instance, hardened web contents, the app:// protocol,
 * the core in a utility process, then the window. Everything it wires is tested on its own with a
 * mocked `electron` module, since the Electron binary is not available on every build machine.
 */

const bundleDirectory = dirname(fileURLToPath(import.meta.url));
const PRODUCT_NAME = 'HMS Workstation';

function showFatalError(message: string): void {
  dialog.showErrorBox(PRODUCT_NAME, message);
  app.exit(1);
}

/**
 * Prints the policy report for IT and exits without opening a window or taking the
 * single-instance lock, so it also works while a nurse has the app open.
 */
function reportPolicy(): void {
  const sources = platformPolicySources(process.platform, process.env);
  const dataDirectory = machinePaths(readPolicySources(sources)).dataDirectory;
  // NOTE: a Windows GUI build has no console attached, so IT must redirect stdout to a file to read this.
  const exitCode = runPolicyReport({ sources, dataDirectory, write: (text) => process.stdout.write(text) });
  app.exit(exitCode);
}

/**
 * Prints the `--busy` verdict for IT's deployment tools and exits, like reportPolicy without a
 * window or lock. It checks the folder of `--data-dir` or the policy's dataDirectory, never the
 * caller's own profile folder, which on a shared PC is not where the nurses' sessions run.
 */
/**
 * The app's folders from the machine's policy alone: the ward configuration and user settings live
 * in the data folder, so they cannot move it.
 */
function machinePaths(machine: PolicyReading) {
  return resolveAppPaths(app, hostPolicy(resolvePolicy(machine.layers, machine.problems)));
}

function reportBusy(): void {
  const policy = hostPolicy(resolvePolicy(readPolicySources(platformPolicySources(process.platform, process.env)).layers));
  const dataDirectory = dataDirectoryArgument(process.argv) ?? policy.dataDirectory;
  app.exit(runBusyCheck({ dataDirectory, clock: systemClock, write: (text) => process.stdout.write(text) }));
}

async function main(): Promise<void> {
  if (process.argv.includes(POLICY_REPORT_SWITCH)) {
    reportPolicy();
    return;
  }
  if (process.argv.includes(BUSY_SWITCH)) {
    reportBusy();
    return;
  }
  // Electron accepts scheme privileges only before the app is ready, so these run synchronously first.
  registerPrivilegedSchemes(protocol);
  const machinePolicy = readPolicySources(platformPolicySources(process.platform, process.env));
  const paths = machinePaths(machinePolicy);
  // Before the single-instance lock, which lives in userData: off the roaming profile on Windows.
  app.setPath('userData', paths.userDataDirectory);
  let window: BrowserWindow | undefined;
  if (!enforceSingleInstance(app, () => window)) return;

  const effectivePolicy = resolveWorkstationPolicy(machinePolicy, paths.dataDirectory);
  const policy = hostPolicy(effectivePolicy);
  const crashReports = startLocalCrashReports({
    app,
    crashReporter,
    directory: paths.crashDumpDirectory,
    retentionDays: policy.crashDumpRetentionDays ?? POLICY_DEFAULTS.crashDumpRetentionDays,
    now: () => new Date(),
  });
  const logger = await createFileLogger({ directory: paths.logDirectory, name: 'main', level: policy.logLevel });
  logPolicyProblems(effectivePolicy.problems, logger);
  installGlobalErrorHandlers({ process, logger, showError: (title, message) => dialog.showErrorBox(title, message), exit: (code) => app.exit(code) });
  guardAllWebContents(app, logger);

  const supervisor = new CoreSupervisor({
    electron: { fork: (modulePath, args, options) => utilityProcess.fork(modulePath, args, options), createChannel: () => new MessageChannelMain() },
    modulePath: join(bundleDirectory, 'core-process.js'),
    init: () => ({
      type: 'init',
      dataDirectory: paths.dataDirectory,
      logDirectory: paths.logDirectory,
      replicaKey: loadOrCreateReplicaKey(paths.dataDirectory, safeStorage, process.platform),
      policy,
      policyReading: machinePolicy,
      versions: { app: app.getVersion(), electron: process.versions.electron ?? null },
      crashDumpDirectory: paths.crashDumpDirectory,
    }),
    logger,
    onCoreMessage: (message) => {
      if (coreReadyMessage.safeParse(message).success) logger.info('core process ready');
      const failed = coreStartupFailedMessage.safeParse(message);
      if (failed.success) showFatalError(`HMS Workstation could not start its local database: ${failed.data.message}`);
    },
  });

  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => supervisor.stop());
  app.on('before-quit', () => crashReports.stop());

  void app.whenReady().then(() => {
    denyAllPermissions(session.defaultSession, logger);
    applyPolicyProxy([session.defaultSession], policy, logger);
    handleAppProtocol(protocol, join(app.getAppPath(), 'dist', 'renderer'));
    handleDicomProtocol(protocol, (request) => supervisor.readInstance(request), logger);
    try {
      supervisor.start();
    } catch (error) {
      logger.fatal({ error: (error as Error).message }, 'core process could not be started');
      showFatalError((error as Error).message);
      return;
    }
    window = createWorkstationWindow({ preloadPath: join(bundleDirectory, '..', 'preload', 'preload.cjs'), title: PRODUCT_NAME });
    const windowId = window.id;
    const webContents = window.webContents;
    // The port goes to the page once it has loaded, and again after every reload, which starts a
    // new preload that needs a new port.
    webContents.on('did-finish-load', () => supervisor.connectWindow({ id: windowId, webContents }));
    window.on('closed', () => {
      supervisor.disconnectWindow(windowId);
      window = undefined;
    });
    const updates = setupUpdates({ policy, dataDirectory: paths.dataDirectory, logger });
    app.on('before-quit', () => updates?.stop());
    // Windows only: an installer started during log-off or shutdown can be killed halfway.
    window.on('query-session-end', () => updates?.endSession());
    logger.info({ dataDirectory: paths.dataDirectory }, 'HMS Workstation started');
  });
}

main().catch((error: unknown) => {
  // Before the logger exists (an invalid policy file, say): the message names the file and field.
  void app.whenReady().then(() => showFatalError((error as Error).message));
});
