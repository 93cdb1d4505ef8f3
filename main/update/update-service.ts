import type { AppUpdater, UpdateInfo } from 'electron-updater';

import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logging/logger.js';
import { isRingInRollout } from './rollout.js';
import type { DocumentationState, OfferedRelease, UpdateDecision, UpdatePolicy } from './update-decision.js';
import { decideUpdate } from './update-decision.js';

/** The part of electron-updater's AppUpdater the service drives; tests stand in their own. */
export type Updater = Pick<
  AppUpdater,
  'channel' | 'allowDowngrade' | 'autoDownload' | 'autoInstallOnAppQuit' | 'isUserWithinRollout' | 'setFeedURL' | 'checkForUpdates' | 'downloadUpdate' | 'quitAndInstall' | 'logger'
>;

export interface UpdateServiceOptions {
  updater: Updater;
  policy: UpdatePolicy;
  /** Base URL of the feed (policy updateUrl); no URL means no update work. */
  feedUrl: string | undefined;
  currentVersion: string;
  clock: Clock;
  /** Seconds since the last input on the whole system (Electron's powerMonitor.getSystemIdleTime). */
  systemIdleSeconds: () => number;
  /** Whether the core has documentation open. */
  documentation: () => DocumentationState;
  logger: Logger;
  /** Called when a release is ready for the user or IT to act on; shows a passive badge, never a dialog. */
  onReleaseReady?: (version: string) => void;
}

/**
 * Runs the update steps that decideUpdate chooses, through electron-updater. The updater never
 * acts on its own: no automatic download, no install on quit, and staged rollout by the machine's
 * ring. The host calls `tick` on a timer and `endSession` on quit, log-off or shutdown.
 */
export class UpdateService {
  #offered: OfferedRelease | undefined;
  #lastCheckAt: Date | undefined;
  #sessionEnding = false;
  #lastReason = '';

  constructor(private readonly options: UpdateServiceOptions) {}

  /** Applies policy to the updater; call once before the first tick. */
  configure(): void {
    const { updater, policy, feedUrl, logger } = this.options;
    updater.autoDownload = false;
    // An installer started at quit can be killed halfway by log-off or shutdown.
    updater.autoInstallOnAppQuit = false;
    updater.logger = logger;
    if (feedUrl === undefined) return;

    updater.setFeedURL({ provider: 'generic', url: feedUrl, channel: policy.channel });
    // electron-updater's channel setter also sets allowDowngrade to true, so policy must come after it.
    updater.channel = policy.channel;
    updater.allowDowngrade = policy.allowDowngrade;
    updater.isUserWithinRollout = (info: UpdateInfo) => isRingInRollout(policy.ring, info.stagingPercentage);
    logger.info({ channel: policy.channel, ring: policy.ring, mode: policy.mode, allowDowngrade: policy.allowDowngrade }, 'updater configured');
  }

  /** Marks that the app quits or the session ends: from now on nothing is installed. */
  endSession(): void {
    this.#sessionEnding = true;
  }

  /** Decides the next step and runs it; returns the decision for the diagnostics screen. */
  async tick(): Promise<UpdateDecision> {
    const { options } = this;
    if (options.feedUrl === undefined && options.policy.mode !== 'off') return this.#record({ action: 'none', reason: 'policy sets no updateUrl' });

    const decision = decideUpdate({
      policy: options.policy,
      currentVersion: options.currentVersion,
      now: options.clock.now(),
      ...(this.#lastCheckAt ? { lastCheckAt: this.#lastCheckAt } : {}),
      ...(this.#offered ? { offered: this.#offered } : {}),
      systemIdleSeconds: options.systemIdleSeconds(),
      documentation: options.documentation(),
      sessionEnding: this.#sessionEnding,
    });
    this.#record(decision);

    switch (decision.action) {
      case 'check':
        await this.#check();
        break;
      case 'download':
        await this.#download();
        break;
      case 'notify':
        if (this.#offered) options.onReleaseReady?.(this.#offered.version);
        break;
      case 'install':
        // Silent, and the app starts again after the installer.
        options.updater.quitAndInstall(true, true);
        break;
      case 'none':
        // A release the policy rejects is forgotten, so that the next due check can find a newer one.
        this.#offered = undefined;
        break;
      case 'wait':
        break;
    }
    return decision;
  }

  async #check(): Promise<void> {
    const { updater, clock, logger } = this.options;
    this.#lastCheckAt = clock.now();
    try {
      const result = await updater.checkForUpdates();
      if (result?.isUpdateAvailable) {
        const { version, stagingPercentage } = result.updateInfo;
        this.#offered = { version, downloaded: false, ...(stagingPercentage === undefined ? {} : { stagingPercentage }) };
        logger.info({ version, stagingPercentage }, 'update available');
      }
    } catch (error) {
      logger.warn({ error: (error as Error).message }, 'update check failed; retrying at the next check interval');
    }
  }

  async #download(): Promise<void> {
    const { updater, logger } = this.options;
    const offered = this.#offered;
    if (offered === undefined) return;
    try {
      await updater.downloadUpdate();
      offered.downloaded = true;
      logger.info({ version: offered.version }, 'update downloaded');
    } catch (error) {
      logger.warn({ version: offered.version, error: (error as Error).message }, 'update download failed; retrying at the next tick');
    }
  }

  /** Logs a decision once, when its reason changes, so a waiting update does not fill the log. */
  #record(decision: UpdateDecision): UpdateDecision {
    if (decision.reason !== this.#lastReason) this.options.logger.info({ action: decision.action }, `update: ${decision.reason}`);
    this.#lastReason = decision.reason;
    return decision;
  }
}
