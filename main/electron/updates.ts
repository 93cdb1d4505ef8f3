import type { Session } from 'electron';
import { app, powerMonitor } from 'electron';
import electronUpdater from 'electron-updater';

import { systemClock } from '../core/clock.js';
import type { Logger } from '../core/logging/logger.js';
import type { MachinePolicy } from '../core/policy.js';
import { POLICY_DEFAULTS } from '../core/policy.js';
import { checkBusy } from '../update/documentation-state.js';
import { sessionProxyConfig } from '../update/proxy-config.js';
import { updatePolicyOf } from '../update/update-decision.js';
import { UpdateService } from '../update/update-service.js';

/** Minutes between two update decisions; a check itself happens at most every few hours. */
const TICK_MS = 60_000;

/**
 * Starts the update service when policy turns updates on and names a feed. The updater's network
 * session gets the policy's proxy too, since electron-updater downloads through a session of its
 * own. The core's documentation state comes from the state file it
 * writes in the data folder, the same source `--busy` reads.
 */
export function setupUpdates(options: { policy: MachinePolicy; dataDirectory: string; logger: Logger }): { endSession(): void; stop(): void } | undefined {
  const { policy, dataDirectory, logger } = options;
  const updatePolicy = updatePolicyOf(policy);
  if (updatePolicy.mode === 'off' || policy.updateUrl === undefined) {
    logger.info({ mode: updatePolicy.mode }, 'in-app updates are off or have no updateUrl');
    return undefined;
  }

  const updater = electronUpdater.autoUpdater;
  applyPolicyProxy([updater.netSession], policy, logger);
  const service = new UpdateService({
    updater,
    policy: updatePolicy,
    feedUrl: policy.updateUrl,
    currentVersion: app.getVersion(),
    clock: systemClock,
    systemIdleSeconds: () => powerMonitor.getSystemIdleTime(),
    documentation: () => (checkBusy({ dataDirectory, now: systemClock.now() }).safeToInstall ? 'none-open' : 'open'),
    logger,
  });
  service.configure();

  // Windows announces log-off and shutdown on each window (query-session-end); main.ts forwards it to endSession.
  app.on('before-quit', () => service.endSession());
  powerMonitor.on('shutdown', () => service.endSession());

  const tick = () => {
    service.tick().catch((error: unknown) => logger.error({ error: (error as Error).message }, 'update step failed'));
  };
  tick();
  const timer = setInterval(tick, TICK_MS);
  return { endSession: () => service.endSession(), stop: () => clearInterval(timer) };
}

/** Applies the policy's proxy to Electron sessions; failures are logged, as the app still works offline. */
export function applyPolicyProxy(sessions: Session[], policy: MachinePolicy, logger: Logger): void {
  const config = sessionProxyConfig(policy.proxy ?? POLICY_DEFAULTS.proxy);
  for (const target of sessions) {
    target.setProxy(config).catch((error: unknown) => logger.error({ mode: config.mode, error: (error as Error).message }, 'proxy from policy could not be applied'));
  }
}
