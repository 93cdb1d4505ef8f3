import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildBlockMap } from 'app-builder-lib/out/targets/blockmap/blockmap.js';
import { NsisUpdater } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { createRootLogger } from '../../../main/core/logging/logger.js';
import { updateWindow } from '../../../main/core/policy.js';
import type { MachinePolicy } from '../../../main/core/policy.js';
import type { DocumentationState } from '../../../main/update/update-decision.js';
import { updatePolicyOf } from '../../../main/update/update-decision.js';
import { UpdateService } from '../../../main/update/update-service.js';
import { startFeedServer } from '../../support/update/feed-server.js';
import { seededRandom } from '../../support/seeded-random.js';
import { NodeHttpExecutor } from '../../support/update/node-http-executor.js';

/**
 * The real electron-updater (NsisUpdater, whose check and download run on any OS) against a feed
 * served by this test on 127.0.0.1, driven through UpdateService: check, full and differential
 * download, fallback when ranges are refused, checksum, rollout and channels. Installing is not
 * run, because it starts the NSIS installer, which needs Windows; quitAndInstall is a spy.
 */
const logger = createRootLogger({ level: 'silent' });
const NIGHT = updateWindow.parse({ start: '02:00', end: '04:30', minIdleMinutes: 15, timeZone: 'UTC' });
const INSIDE_WINDOW = new Date('2026-12-05T03:00:00Z');
const OUTSIDE_WINDOW = new Date('2026-12-05T09:00:00Z');

const root = mkdtempSync(join(tmpdir(), 'hms-update-feed-'));
const feedFolder = join(root, 'feed');
let feed: Awaited<ReturnType<typeof startFeedServer>>;

/** Deterministic installer bytes for a version, so the sha512 in the channel file is real. */
function installerBytes(version: string): Buffer {
  const bytes = Buffer.alloc(256 * 1024);
  for (let index = 0; index < bytes.length; index += 1) bytes[index] = (index * 31 + version.length * 7 + version.charCodeAt(version.length - 1)) & 0xff;
  return bytes;
}

/** Name of a channel's file: electron-updater 6 adds the platform it runs on, not the installer's. */
function channelFile(channel: string): string {
  if (process.platform === 'win32') return `${channel}.yml`;
  return `${channel}-${process.platform === 'darwin' ? 'mac' : 'linux'}.yml`;
}

/** Publishes an installer and its channel file, as electron-builder's NSIS target writes them. */
function publish(channel: string, version: string, options: { stagingPercentage?: number; wrongChecksum?: boolean } = {}): void {
  const name = `hms-workstation-setup-${version}.exe`;
  const bytes = installerBytes(version);
  writeFileSync(join(feedFolder, name), bytes);
  const sha512 = options.wrongChecksum ? createHash('sha512').update('not the installer').digest('base64') : createHash('sha512').update(bytes).digest('base64');
  const lines = [`version: ${version}`, 'files:', `  - url: ${name}`, `    sha512: ${sha512}`, `    size: ${bytes.length}`, `path: ${name}`, `sha512: ${sha512}`, "releaseDate: '2026-12-01T00:00:00.000Z'"];
  if (options.stagingPercentage !== undefined) lines.push(`stagingPercentage: ${options.stagingPercentage}`);
  writeFileSync(join(feedFolder, channelFile(channel)), `${lines.join('\n')}\n`);
}

/**
 * Publishes two installers whose bytes differ by 64 KiB changed and 5000 bytes inserted, each
 * with the blockmap electron-builder writes beside an NSIS installer, and the newer one's channel
 * file. Returns the older installer, which the app keeps as `installer.exe` after installing it.
 */
async function publishDifferential(): Promise<{ oldInstaller: string; newBytes: Buffer }> {
  const random = seededRandom(20261205);
  const oldBytes = Buffer.alloc(1024 * 1024);
  for (let index = 0; index < oldBytes.length; index += 1) oldBytes[index] = Math.floor(random() * 256);
  const changed = Buffer.from(oldBytes);
  for (let index = 300_000; index < 300_000 + 64 * 1024; index += 1) changed[index] = Math.floor(random() * 256);
  const newBytes = Buffer.concat([changed.subarray(0, 700_000), Buffer.alloc(5000, 7), changed.subarray(700_000)]);

  const oldInstaller = join(feedFolder, 'hms-workstation-setup-1.2.0.exe');
  const newInstaller = join(feedFolder, 'hms-workstation-setup-1.3.0.exe');
  writeFileSync(oldInstaller, oldBytes);
  writeFileSync(newInstaller, newBytes);
  await buildBlockMap(oldInstaller, 'gzip', `${oldInstaller}.blockmap`);
  const { sha512, size } = await buildBlockMap(newInstaller, 'gzip', `${newInstaller}.blockmap`);
  const lines = ['version: 1.3.0', 'files:', '  - url: hms-workstation-setup-1.3.0.exe', `    sha512: ${sha512}`, `    size: ${size}`, 'path: hms-workstation-setup-1.3.0.exe', `sha512: ${sha512}`, "releaseDate: '2026-12-01T00:00:00.000Z'"];
  writeFileSync(join(feedFolder, channelFile('latest')), `${lines.join('\n')}\n`);
  return { oldInstaller, newBytes };
}

let appCount = 0;

/** A fresh updater with a stand-in app of the given version, its folders under the test's temp folder. */
function newUpdater(version: string) {
  const folder = join(root, `app-${(appCount += 1)}`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'app-update.yml'), `provider: generic\nurl: ${feed.url}\nupdaterCacheDirName: hms-workstation-updater\n`);
  const app: AppAdapter = {
    version,
    name: 'hms-workstation',
    isPackaged: true,
    appUpdateConfigPath: join(folder, 'app-update.yml'),
    userDataPath: join(folder, 'user-data'),
    baseCachePath: join(folder, 'cache'),
    whenReady: async () => undefined,
    relaunch: () => undefined,
    quit: () => undefined,
    onQuit: () => undefined,
  };
  const updater = new NsisUpdater(null, app);
  // Private in electron-updater 6.8.10: the default executor needs Electron's net module.
  (updater as unknown as { httpExecutor: NodeHttpExecutor }).httpExecutor = new NodeHttpExecutor();
  updater.disableDifferentialDownload = true;
  const quitAndInstall = vi.spyOn(updater, 'quitAndInstall').mockImplementation(() => undefined);
  return { updater, quitAndInstall, cacheFolder: join(folder, 'cache', 'hms-workstation-updater') };
}

function serviceFor(updater: NsisUpdater, policy: MachinePolicy, situation: { now?: Date; documentation?: DocumentationState; currentVersion?: string } = {}) {
  const service = new UpdateService({
    updater,
    policy: updatePolicyOf(policy),
    feedUrl: feed.url,
    currentVersion: situation.currentVersion ?? updater.currentVersion.version,
    clock: { now: () => situation.now ?? INSIDE_WINDOW },
    systemIdleSeconds: () => 3600,
    documentation: () => situation.documentation ?? 'none-open',
    logger,
  });
  service.configure();
  return service;
}

const IN_WINDOW_POLICY: MachinePolicy = { updateMode: 'download-and-install-in-window', updateChannel: 'latest', updateRing: 0, updateWindow: NIGHT };

describe('update service on electron-updater', () => {
  const previousCache = process.env.XDG_CACHE_HOME;

  beforeAll(async () => {
    // electron-updater falls back to the user's cache folder in some paths; keep everything under the temp folder.
    process.env.XDG_CACHE_HOME = join(root, 'xdg-cache');
    mkdirSync(feedFolder, { recursive: true });
    feed = await startFeedServer(feedFolder);
  });

  afterEach(() => {
    feed.requests.length = 0;
    feed.acceptRanges = true;
    rmSync(feedFolder, { recursive: true, force: true });
    mkdirSync(feedFolder, { recursive: true });
  });

  afterAll(async () => {
    await feed.close();
    if (previousCache === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = previousCache;
    rmSync(root, { recursive: true, force: true });
  });

  it('checks only in notify mode', async () => {
    publish('latest', '1.3.0');
    const { updater } = newUpdater('1.2.0');
    const service = serviceFor(updater, { updateMode: 'notify', updateChannel: 'latest' });

    expect((await service.tick()).action).toBe('check');
    expect(await service.tick()).toEqual({ action: 'notify', reason: 'version 1.3.0 is available (updateMode "notify" downloads nothing)' });
    expect(feed.requests.map((request) => request.path)).toEqual([`/${channelFile('latest')}`]);
  });

  it('downloads in full and installs in the window', async () => {
    publish('latest', '1.3.0');
    const { updater, quitAndInstall, cacheFolder } = newUpdater('1.2.0');
    const service = serviceFor(updater, IN_WINDOW_POLICY);

    const actions = [(await service.tick()).action, (await service.tick()).action, (await service.tick()).action];

    expect(actions).toEqual(['check', 'download', 'install']);
    expect(feed.requests.map((request) => request.path)).toContain('/hms-workstation-setup-1.3.0.exe');
    expect(readFileSync(join(cacheFolder, 'pending', 'hms-workstation-setup-1.3.0.exe'))).toEqual(installerBytes('1.3.0'));
    expect(quitAndInstall).toHaveBeenCalledWith(true, true);
  });

  it('waits outside the window', async () => {
    publish('latest', '1.3.0');
    const { updater, quitAndInstall } = newUpdater('1.2.0');
    const service = serviceFor(updater, IN_WINDOW_POLICY, { now: OUTSIDE_WINDOW });

    await service.tick();
    await service.tick();

    expect((await service.tick()).action).toBe('wait');
    expect(quitAndInstall).not.toHaveBeenCalled();
  });

  it('waits while documentation is open', async () => {
    publish('latest', '1.3.0');
    const { updater, quitAndInstall } = newUpdater('1.2.0');
    const service = serviceFor(updater, IN_WINDOW_POLICY, { documentation: 'open' });

    await service.tick();
    await service.tick();

    expect((await service.tick()).action).toBe('wait');
    expect(quitAndInstall).not.toHaveBeenCalled();
  });

  it('rejects a download with a wrong checksum', async () => {
    publish('latest', '1.3.0', { wrongChecksum: true });
    const { updater } = newUpdater('1.2.0');
    serviceFor(updater, IN_WINDOW_POLICY);

    await updater.checkForUpdates();

    await expect(updater.downloadUpdate()).rejects.toMatchObject({ code: 'ERR_CHECKSUM_MISMATCH' });
  });

  it('takes a staged release by ring', async () => {
    publish('latest', '1.3.0', { stagingPercentage: 30 });
    const early = newUpdater('1.2.0');
    const late = newUpdater('1.2.0');

    const earlyResult = await (serviceFor(early.updater, { ...IN_WINDOW_POLICY, updateRing: 2 }), early.updater.checkForUpdates());
    const lateResult = await (serviceFor(late.updater, { ...IN_WINDOW_POLICY, updateRing: 3 }), late.updater.checkForUpdates());

    expect(earlyResult?.isUpdateAvailable).toBe(true);
    expect(lateResult?.isUpdateAvailable).toBe(false);
  });

  it('switches channel without a downgrade', async () => {
    publish('pilot-ward', '1.3.0-beta.2');
    publish('latest', '1.2.0');
    const { updater } = newUpdater('1.3.0-beta.1');

    serviceFor(updater, { ...IN_WINDOW_POLICY, updateChannel: 'pilot-ward' });
    const pilot = await updater.checkForUpdates();
    serviceFor(updater, { ...IN_WINDOW_POLICY, updateChannel: 'latest' });
    const stable = await updater.checkForUpdates();

    expect(pilot?.isUpdateAvailable).toBe(true);
    expect(pilot?.updateInfo.version).toBe('1.3.0-beta.2');
    expect(updater.allowDowngrade).toBe(false);
    expect(stable?.isUpdateAvailable).toBe(false);
    expect(feed.requests.map((request) => request.path)).toEqual([`/${channelFile('pilot-ward')}`, `/${channelFile('latest')}`]);
  });

  it('downgrades when policy allows', async () => {
    publish('latest', '1.2.0');
    const { updater } = newUpdater('1.3.0-beta.1');

    serviceFor(updater, { ...IN_WINDOW_POLICY, allowDowngrade: true });
    const result = await updater.checkForUpdates();

    expect(result?.isUpdateAvailable).toBe(true);
    expect(result?.updateInfo.version).toBe('1.2.0');
  });

  it('uses only the stand-in app folders', () => {
    expect(existsSync(join(root, 'xdg-cache'))).toBe(false);
  });

  it('downloads only the changed blocks', async () => {
    const { oldInstaller, newBytes } = await publishDifferential();
    const { updater, cacheFolder } = newUpdater('1.2.0');
    updater.disableDifferentialDownload = false;
    mkdirSync(cacheFolder, { recursive: true });
    copyFileSync(oldInstaller, join(cacheFolder, 'installer.exe'));
    serviceFor(updater, IN_WINDOW_POLICY);

    await updater.checkForUpdates();
    await updater.downloadUpdate();

    const installerRequests = feed.requests.filter((request) => request.path === '/hms-workstation-setup-1.3.0.exe');
    const transferred = installerRequests.reduce((sum, request) => sum + request.bytes, 0);
    expect(installerRequests.every((request) => request.range !== undefined)).toBe(true);
    expect(transferred).toBeGreaterThan(64 * 1024);
    expect(transferred).toBeLessThan(newBytes.length / 4);
    expect(readFileSync(join(cacheFolder, 'pending', 'hms-workstation-setup-1.3.0.exe'))).toEqual(newBytes);
  });

  it('falls back to full download without ranges', async () => {
    const { oldInstaller, newBytes } = await publishDifferential();
    const { updater, cacheFolder } = newUpdater('1.2.0');
    updater.disableDifferentialDownload = false;
    mkdirSync(cacheFolder, { recursive: true });
    copyFileSync(oldInstaller, join(cacheFolder, 'installer.exe'));
    serviceFor(updater, IN_WINDOW_POLICY);
    feed.acceptRanges = false;

    await updater.checkForUpdates();
    await updater.downloadUpdate();

    const installerRequests = feed.requests.filter((request) => request.path === '/hms-workstation-setup-1.3.0.exe');
    const fullRequests = installerRequests.filter((request) => request.range === undefined);
    expect(installerRequests[0]?.range).toMatch(/^bytes=\d+-\d+,/);
    expect(fullRequests).toHaveLength(1);
    expect(fullRequests[0]?.bytes).toBe(newBytes.length);
    expect(readFileSync(join(cacheFolder, 'pending', 'hms-workstation-setup-1.3.0.exe'))).toEqual(newBytes);
  });
});
