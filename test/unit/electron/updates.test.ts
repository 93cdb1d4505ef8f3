import type { EventEmitter } from 'node:events';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { createRootLogger } from '../../../main/core/logging/logger.js';
import { sessionProxyConfig } from '../../../main/update/proxy-config.js';

/** setupUpdates against a mocked `electron` and a stand-in electron-updater autoUpdater. */
const mocks = vi.hoisted(() => ({
  netSessionProxy: vi.fn(async () => undefined),
  app: undefined as unknown as EventEmitter & { getVersion: () => string },
  powerMonitor: undefined as unknown as EventEmitter & { getSystemIdleTime: () => number },
  autoUpdater: {
    channel: null as string | null,
    allowDowngrade: false,
    autoDownload: true,
    autoInstallOnAppQuit: true,
    isUserWithinRollout: () => true,
    logger: null as unknown,
    netSession: { setProxy: undefined as unknown },
    setFeedURL: undefined as unknown as ReturnType<typeof vi.fn>,
    checkForUpdates: undefined as unknown as ReturnType<typeof vi.fn>,
    downloadUpdate: undefined as unknown as ReturnType<typeof vi.fn>,
    quitAndInstall: undefined as unknown as ReturnType<typeof vi.fn>,
  },
}));

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  mocks.app = Object.assign(new Emitter(), { getVersion: () => '1.2.0' });
  mocks.powerMonitor = Object.assign(new Emitter(), { getSystemIdleTime: () => 0 });
  return { app: mocks.app, powerMonitor: mocks.powerMonitor };
});

vi.mock('electron-updater', () => {
  mocks.autoUpdater.netSession.setProxy = mocks.netSessionProxy;
  mocks.autoUpdater.setFeedURL = vi.fn();
  mocks.autoUpdater.checkForUpdates = vi.fn(async () => null);
  mocks.autoUpdater.downloadUpdate = vi.fn();
  mocks.autoUpdater.quitAndInstall = vi.fn();
  return { default: { autoUpdater: mocks.autoUpdater } };
});

const logger = createRootLogger({ level: 'silent' });

describe('Electron update setup', () => {
  const stops: (() => void)[] = [];
  afterEach(() => {
    for (const stop of stops.splice(0)) stop();
  });

  it('stays off without a feed', async () => {
    const { setupUpdates } = await import('../../../main/electron/updates.js');

    expect(setupUpdates({ policy: { updateMode: 'download' }, dataDirectory: '/nonexistent', logger })).toBeUndefined();
    expect(setupUpdates({ policy: { updateMode: 'off', updateUrl: 'https://updates.hospital.example/' }, dataDirectory: '/nonexistent', logger })).toBeUndefined();
    expect(mocks.autoUpdater.setFeedURL).not.toHaveBeenCalled();
  });

  it('configures the updater from policy', async () => {
    const { setupUpdates } = await import('../../../main/electron/updates.js');

    const updates = setupUpdates({
      policy: { updateMode: 'download-and-install-in-window', updateUrl: 'https://updates.hospital.example/', updateChannel: 'pilot-ward', proxy: { mode: 'fixed', server: 'proxy.hospital.example:3128' } },
      dataDirectory: '/nonexistent',
      logger,
    });
    if (updates) stops.push(() => updates.stop());

    expect(updates).toBeDefined();
    expect(mocks.autoUpdater.setFeedURL).toHaveBeenCalledWith({ provider: 'generic', url: 'https://updates.hospital.example/', channel: 'pilot-ward' });
    expect(mocks.autoUpdater.autoInstallOnAppQuit).toBe(false);
    expect(mocks.netSessionProxy).toHaveBeenCalledWith({ mode: 'fixed_servers', proxyRules: 'proxy.hospital.example:3128' });
    expect(mocks.app.listenerCount('before-quit')).toBe(1);
    expect(mocks.powerMonitor.listenerCount('shutdown')).toBe(1);
    await vi.waitFor(() => expect(mocks.autoUpdater.checkForUpdates).toHaveBeenCalledTimes(1));
  });
});

describe('proxy from policy', () => {
  it('maps every mode', () => {
    expect(sessionProxyConfig({ mode: 'system' })).toEqual({ mode: 'system' });
    expect(sessionProxyConfig({ mode: 'direct' })).toEqual({ mode: 'direct' });
    expect(sessionProxyConfig({ mode: 'fixed', server: 'proxy:3128', bypassList: '<local>' })).toEqual({ mode: 'fixed_servers', proxyRules: 'proxy:3128', proxyBypassRules: '<local>' });
    expect(sessionProxyConfig({ mode: 'pac', pacUrl: 'http://wpad.hospital.example/proxy.pac' })).toEqual({ mode: 'pac_script', pacScript: 'http://wpad.hospital.example/proxy.pac' });
  });
});
