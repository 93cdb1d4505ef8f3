import type { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it, vi } from 'vitest';

/**
 * Imports main/electron/main.ts against a mocked `electron` and checks what it wires, in order:
 * scheme privileges before ready, then permissions, protocol, core process and window.
 */
const electron = vi.hoisted(() => {
  const steps: string[] = [];
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  return { steps, ready, markReady: () => markReady(), dataDirectory: '', windows: [] as { options: Record<string, unknown>; webContents: EventEmitter & { postMessage: ReturnType<typeof vi.fn> } }[], forks: [] as string[] };
});

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  const app = Object.assign(new Emitter(), {
    requestSingleInstanceLock: () => {
      electron.steps.push('single-instance lock');
      return true;
    },
    quit: vi.fn(),
    exit: vi.fn(),
    getPath: () => electron.dataDirectory,
    setPath: vi.fn(),
    getVersion: () => '0.1.0',
    getAppPath: () => '/opt/hms-workstation/resources/app.asar',
    whenReady: () => electron.ready,
  });
  app.on('web-contents-created', () => undefined);
  return {
    app,
    dialog: { showErrorBox: vi.fn() },
    crashReporter: { start: vi.fn() },
    protocol: {
      registerSchemesAsPrivileged: () => electron.steps.push('register app scheme'),
      handle: (scheme: string) => electron.steps.push(`handle ${scheme}://`),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: () => electron.steps.push('deny permissions'),
        setPermissionCheckHandler: () => undefined,
        setDevicePermissionHandler: () => undefined,
        setProxy: async () => undefined,
      },
    },
    safeStorage: {
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => 'gnome_libsecret',
      encryptString: (text: string) => Buffer.from(text),
      decryptString: (buffer: Buffer) => buffer.toString(),
    },
    utilityProcess: {
      fork: (modulePath: string) => {
        electron.steps.push('fork core');
        electron.forks.push(modulePath);
        return Object.assign(new Emitter(), { postMessage: vi.fn(), kill: vi.fn(), pid: 1 });
      },
    },
    MessageChannelMain: class {
      port1 = { side: 'core' };
      port2 = { side: 'window' };
    },
    BrowserWindow: class extends Emitter {
      static count = 0;
      readonly id: number;
      readonly webContents = Object.assign(new Emitter(), { postMessage: vi.fn(), isDestroyed: () => false });
      constructor(options: Record<string, unknown>) {
        super();
        electron.steps.push('create window');
        this.id = ++(this.constructor as unknown as { count: number }).count;
        electron.windows.push({ options, webContents: this.webContents });
      }
      loadURL = vi.fn(async () => undefined);
    },
  };
});

describe('Electron composition root', () => {
  electron.dataDirectory = mkdtempSync(join(tmpdir(), 'hms-electron-main-'));
  const listenersBefore = { exception: process.listeners('uncaughtException'), rejection: process.listeners('unhandledRejection') };

  afterAll(() => {
    for (const listener of process.listeners('uncaughtException')) if (!listenersBefore.exception.includes(listener)) process.off('uncaughtException', listener);
    for (const listener of process.listeners('unhandledRejection')) if (!listenersBefore.rejection.includes(listener)) process.off('unhandledRejection', listener);
    rmSync(electron.dataDirectory, { recursive: true, force: true });
  });

  it('registers the scheme and takes the lock before the app is ready', async () => {
    await import('../../../main/electron/main.js');

    expect(electron.steps).toEqual(['register app scheme', 'single-instance lock']);
  });

  it('wires permissions, protocol, core and window once ready', async () => {
    electron.markReady();
    // main() opens its log file before it waits for ready, so the wiring follows a few ticks later.
    await vi.waitFor(() => expect(electron.steps).toContain('create window'), { timeout: 5_000 });

    expect(electron.steps.slice(2)).toEqual(['deny permissions', 'handle app://', 'handle hms-dicom://', 'fork core', 'create window']);
    expect(electron.forks[0]).toMatch(/core-process\.js$/);
    const preferences = electron.windows[0]?.options.webPreferences as Record<string, unknown>;
    expect(preferences.preload).toMatch(/preload[\\/]preload\.cjs$/);
    expect(preferences.sandbox).toBe(true);
  });

  it('hands the window its port to the core after each load', () => {
    const webContents = electron.windows[0]?.webContents;

    webContents?.emit('did-finish-load');
    webContents?.emit('did-finish-load');

    expect(webContents?.postMessage).toHaveBeenCalledTimes(2);
    expect(webContents?.postMessage).toHaveBeenCalledWith('hms:core-port', null, [{ side: 'window' }]);
  });
});
