import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { AppImageUpdater } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter.js';
import type { UpdateCheckResult, UpdateInfo } from 'electron-updater';
import { afterAll, describe, expect, it, vi } from 'vitest';

import type { Clock } from '../../../main/core/clock.js';
import { createRootLogger } from '../../../main/core/logging/logger.js';
import { updateWindow } from '../../../main/core/policy.js';
import type { DocumentationState, UpdatePolicy } from '../../../main/update/update-decision.js';
import { updatePolicyOf } from '../../../main/update/update-decision.js';
import type { Updater } from '../../../main/update/update-service.js';
import { UpdateService } from '../../../main/update/update-service.js';

const logger = createRootLogger({ level: 'silent' });
const NIGHT = updateWindow.parse({ start: '02:00', end: '04:30', timeZone: 'UTC' });
const POLICY = updatePolicyOf({ updateMode: 'download-and-install-in-window', updateChannel: 'pilot-ward', updateRing: 2, updateWindow: NIGHT });

function updateInfo(version: string, stagingPercentage?: number): UpdateInfo {
  return { version, files: [], path: `hms-workstation-${version}.AppImage`, sha512: 'x', releaseDate: '2026-12-01T00:00:00.000Z', ...(stagingPercentage === undefined ? {} : { stagingPercentage }) };
}

/** A stand-in updater whose calls the tests inspect. */
function standInUpdater(available: UpdateInfo | null) {
  const updater = {
    channel: null as string | null,
    allowDowngrade: false,
    autoDownload: true,
    autoInstallOnAppQuit: true,
    isUserWithinRollout: (() => true) as Updater['isUserWithinRollout'],
    logger: null as Updater['logger'],
    setFeedURL: vi.fn(),
    checkForUpdates: vi.fn(async (): Promise<UpdateCheckResult | null> => (available ? ({ isUpdateAvailable: true, updateInfo: available, versionInfo: available } as UpdateCheckResult) : null)),
    downloadUpdate: vi.fn(async () => ['/tmp/pending/update.AppImage']),
    quitAndInstall: vi.fn(),
  };
  return updater;
}

function service(updater: Updater, overrides: { policy?: UpdatePolicy; clock?: Clock; idle?: number; documentation?: DocumentationState } = {}) {
  return new UpdateService({
    updater,
    policy: overrides.policy ?? POLICY,
    feedUrl: 'http://127.0.0.1:9/feed/',
    currentVersion: '1.2.0',
    clock: overrides.clock ?? { now: () => new Date('2026-12-05T03:00:00Z') },
    systemIdleSeconds: () => overrides.idle ?? 3600,
    documentation: () => overrides.documentation ?? 'none-open',
    logger,
  });
}

describe('update service', () => {
  it('configures the updater from policy', () => {
    const updater = standInUpdater(null);

    service(updater).configure();

    expect(updater.setFeedURL).toHaveBeenCalledWith({ provider: 'generic', url: 'http://127.0.0.1:9/feed/', channel: 'pilot-ward' });
    expect(updater.channel).toBe('pilot-ward');
    expect(updater.autoDownload).toBe(false);
    expect(updater.autoInstallOnAppQuit).toBe(false);
    expect(updater.isUserWithinRollout(updateInfo('1.3.0', 30))).toBe(true);
    expect(updater.isUserWithinRollout(updateInfo('1.3.0', 20))).toBe(false);
  });

  it('checks, downloads, then installs', async () => {
    const updater = standInUpdater(updateInfo('1.3.0'));
    const updates = service(updater);
    updates.configure();

    expect((await updates.tick()).action).toBe('check');
    expect((await updates.tick()).action).toBe('download');
    expect((await updates.tick()).action).toBe('install');
    expect(updater.checkForUpdates).toHaveBeenCalledTimes(1);
    expect(updater.downloadUpdate).toHaveBeenCalledTimes(1);
    expect(updater.quitAndInstall).toHaveBeenCalledWith(true, true);
  });

  it('never installs after the session ends', async () => {
    const updater = standInUpdater(updateInfo('1.3.0'));
    const updates = service(updater);
    updates.configure();
    await updates.tick();
    await updates.tick();

    updates.endSession();

    expect((await updates.tick()).action).toBe('wait');
    expect(updater.quitAndInstall).not.toHaveBeenCalled();
  });

  it('waits while documentation is open', async () => {
    const updater = standInUpdater(updateInfo('1.3.0'));
    const updates = service(updater, { documentation: 'open' });
    updates.configure();
    await updates.tick();
    await updates.tick();

    expect(await updates.tick()).toEqual({ action: 'wait', reason: 'version 1.3.0 waits: documentation is open on this workstation' });
    expect(updater.quitAndInstall).not.toHaveBeenCalled();
  });

  it('survives a failed check', async () => {
    const updater = standInUpdater(null);
    updater.checkForUpdates.mockRejectedValueOnce(new Error('connect ECONNREFUSED 127.0.0.1:9'));
    let now = new Date('2026-12-05T03:00:00Z');
    const updates = service(updater, { clock: { now: () => now } });
    updates.configure();

    expect((await updates.tick()).action).toBe('check');
    expect((await updates.tick()).action).toBe('none');
    now = new Date('2026-12-05T07:00:00Z');
    expect((await updates.tick()).action).toBe('check');
  });

  it('does nothing without a feed URL', async () => {
    const updater = standInUpdater(updateInfo('1.3.0'));
    const updates = new UpdateService({ updater, policy: POLICY, feedUrl: undefined, currentVersion: '1.2.0', clock: { now: () => new Date() }, systemIdleSeconds: () => 0, documentation: () => 'none-open', logger });
    updates.configure();

    expect(await updates.tick()).toEqual({ action: 'none', reason: 'policy sets no updateUrl' });
    expect(updater.setFeedURL).not.toHaveBeenCalled();
    expect(updater.autoInstallOnAppQuit).toBe(false);
  });
});

describe('update service on electron-updater', () => {
  const directory = mkdtempSync(join(tmpdir(), 'hms-updater-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  /** The app object electron-updater takes in place of Electron's app; no Electron needed. */
  const app: AppAdapter = {
    version: '1.3.0-beta.1',
    name: 'hms-workstation',
    isPackaged: true,
    appUpdateConfigPath: join(directory, 'app-update.yml'),
    userDataPath: join(directory, 'user-data'),
    baseCachePath: join(directory, 'cache'),
    whenReady: async () => undefined,
    relaunch: () => undefined,
    quit: () => undefined,
    onQuit: () => undefined,
  };

  it('keeps downgrade off after the channel', () => {
    const updater = new AppImageUpdater(null, app);
    updater.channel = 'beta';
    expect(updater.allowDowngrade).toBe(true);

    service(updater, { policy: updatePolicyOf({ updateMode: 'download-and-install-in-window', updateChannel: 'latest', updateWindow: NIGHT }) }).configure();

    expect(updater.channel).toBe('latest');
    expect(updater.allowDowngrade).toBe(false);
    expect(updater.autoInstallOnAppQuit).toBe(false);
    expect(updater.autoDownload).toBe(false);
  });

  it('decides rollout by ring', async () => {
    const updater = new AppImageUpdater(null, app);

    service(updater, { policy: updatePolicyOf({ updateMode: 'download', updateChannel: 'latest', updateRing: 4 }) }).configure();

    expect(await updater.isUserWithinRollout(updateInfo('1.3.0', 41))).toBe(true);
    expect(await updater.isUserWithinRollout(updateInfo('1.3.0', 40))).toBe(false);
  });
});
