import semver from 'semver';

import type { MachinePolicy, UpdateWindow } from '../core/policy.js';
import { POLICY_DEFAULTS } from '../core/policy.js';
import { describeWindow, isInsideWindow } from './maintenance-window.js';
import { isRingInRollout } from './rollout.js';

/** The update settings of the effective policy. */
export interface UpdatePolicy {
  mode: NonNullable<MachinePolicy['updateMode']>;
  channel: string;
  ring: number;
  window?: UpdateWindow;
  allowDowngrade: boolean;
  minimumVersion?: string;
}

/** Takes the update settings from a resolved policy, with the defaults where it sets none. */
export function updatePolicyOf(policy: MachinePolicy): UpdatePolicy {
  return {
    mode: policy.updateMode ?? POLICY_DEFAULTS.updateMode,
    channel: policy.updateChannel ?? POLICY_DEFAULTS.updateChannel,
    ring: policy.updateRing ?? POLICY_DEFAULTS.updateRing,
    allowDowngrade: policy.allowDowngrade ?? POLICY_DEFAULTS.allowDowngrade,
    ...(policy.updateWindow ? { window: policy.updateWindow } : {}),
    ...(policy.minimumVersion ? { minimumVersion: policy.minimumVersion } : {}),
  };
}

/**
 * Whether anyone has documentation open that an install would lose. `unknown`, when the core has
 * not reported it, is treated as open.
 */
export type DocumentationState = 'none-open' | 'open' | 'unknown';

/** The release the feed offers on this machine's channel. */
export interface OfferedRelease {
  version: string;
  /** `stagingPercentage` of the channel file; absent means every machine. */
  stagingPercentage?: number;
  /** The installer is downloaded and its checksum verified. */
  downloaded: boolean;
}

/** Everything the decision depends on; the caller reads the clock, idle time and core state. */
export interface UpdateSituation {
  policy: UpdatePolicy;
  currentVersion: string;
  now: Date;
  lastCheckAt?: Date;
  offered?: OfferedRelease;
  /** Seconds since the last keyboard or pointer input on the whole system. */
  systemIdleSeconds: number;
  documentation: DocumentationState;
  /** The app is quitting, or the user is logging off, or the system shutting down. */
  sessionEnding: boolean;
}

export type UpdateAction = 'none' | 'check' | 'download' | 'notify' | 'install' | 'wait';

export interface UpdateDecision {
  action: UpdateAction;
  /** One sentence for the log and the diagnostics screen, with versions and settings but no patient data. */
  reason: string;
}

/** Hours between two checks of the feed. */
export const CHECK_INTERVAL_HOURS = 4;

/**
 * Decides the next update step. `notify` tells the user and IT that a release is ready and
 * installs nothing. `wait` means a downloaded release must not be installed yet. Never `install`
 * while the session ends, because an installer killed halfway by log-off or shutdown leaves a
 * broken install.
 */
export function decideUpdate(situation: UpdateSituation): UpdateDecision {
  const { policy, offered } = situation;
  if (policy.mode === 'off') return { action: 'none', reason: 'updates are off (updateMode "off")' };

  if (situation.sessionEnding) {
    if (offered?.downloaded) return { action: 'wait', reason: `version ${offered.version} is not installed while the app quits or the session ends` };
    return { action: 'none', reason: 'no update work while the app quits or the session ends' };
  }

  if (offered === undefined) return decideCheck(situation);

  const rejection = rejectRelease(situation, offered);
  if (rejection !== undefined) return { action: 'none', reason: rejection };

  if (policy.mode === 'notify') return { action: 'notify', reason: `version ${offered.version} is available (updateMode "notify" downloads nothing)` };
  if (!offered.downloaded) return { action: 'download', reason: `downloading version ${offered.version} on channel "${policy.channel}"` };
  if (policy.mode === 'download') return { action: 'notify', reason: `version ${offered.version} is downloaded; updateMode "download" leaves installing to IT or the user` };

  return decideInstall(situation, offered);
}

function decideCheck(situation: UpdateSituation): UpdateDecision {
  const due = situation.lastCheckAt === undefined || situation.now.getTime() - situation.lastCheckAt.getTime() >= CHECK_INTERVAL_HOURS * 3_600_000;
  if (due) return { action: 'check', reason: `checking channel "${situation.policy.channel}"` };
  return { action: 'none', reason: `last check less than ${CHECK_INTERVAL_HOURS} hours ago` };
}

/** Says why an offered release must not be taken, or undefined when it may. */
function rejectRelease(situation: UpdateSituation, offered: OfferedRelease): string | undefined {
  const { policy, currentVersion } = situation;
  if (semver.valid(offered.version) === null) return `the feed offers "${offered.version}", which is not a semantic version`;
  if (policy.minimumVersion !== undefined && semver.lt(offered.version, policy.minimumVersion)) {
    return `version ${offered.version} is older than the minimum version ${policy.minimumVersion}`;
  }
  if (semver.eq(offered.version, currentVersion)) return `version ${currentVersion} is already running`;
  if (semver.lt(offered.version, currentVersion) && !policy.allowDowngrade) {
    return `version ${offered.version} is older than the running ${currentVersion}, and policy does not allow a downgrade (allowDowngrade)`;
  }
  if (!isRingInRollout(policy.ring, offered.stagingPercentage)) {
    return `version ${offered.version} is staged at ${offered.stagingPercentage}%, which reaches ring ${policy.ring} above ${policy.ring * 10}%`;
  }
  return undefined;
}

function decideInstall(situation: UpdateSituation, offered: OfferedRelease): UpdateDecision {
  const { policy } = situation;
  // A running version below the minimum is a security recall: it installs at the next safe
  // moment, window or not, but never while someone documents or uses the workstation.
  const recalled = policy.minimumVersion !== undefined && semver.valid(situation.currentVersion) !== null && semver.lt(situation.currentVersion, policy.minimumVersion);

  if (!recalled) {
    if (policy.window === undefined) return { action: 'wait', reason: `version ${offered.version} is downloaded, but policy sets no updateWindow to install it in` };
    if (!isInsideWindow(policy.window, situation.now)) return { action: 'wait', reason: `version ${offered.version} waits for the maintenance window (${describeWindow(policy.window)})` };
  }
  if (situation.documentation === 'open') return { action: 'wait', reason: `version ${offered.version} waits: documentation is open on this workstation` };
  if (situation.documentation === 'unknown') return { action: 'wait', reason: `version ${offered.version} waits: the core has not reported whether documentation is open` };

  const requiredIdleSeconds = (policy.window?.minIdleMinutes ?? 15) * 60;
  if (situation.systemIdleSeconds < requiredIdleSeconds) {
    return { action: 'wait', reason: `version ${offered.version} waits: the system has been idle ${Math.floor(situation.systemIdleSeconds)} s of the ${requiredIdleSeconds} s required` };
  }
  const cause = recalled ? `the running ${situation.currentVersion} is below the minimum version ${policy.minimumVersion ?? ''}` : 'inside the maintenance window';
  return { action: 'install', reason: `installing version ${offered.version}: ${cause}, nobody documenting, system idle` };
}
