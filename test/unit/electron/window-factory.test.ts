import { beforeEach, describe, expect, it, vi } from 'vitest';

const created = vi.hoisted(() => [] as { options: Record<string, unknown>; loadURL: ReturnType<typeof vi.fn> }[]);

vi.mock('electron', () => ({
  BrowserWindow: class {
    readonly loadURL = vi.fn(async () => undefined);
    constructor(options: Record<string, unknown>) {
      created.push({ options, loadURL: this.loadURL });
    }
    once(): void {}
    show(): void {}
  },
}));

const { createWorkstationWindow } = await import('../../../main/electron/window-factory.js');

describe('workstation window', () => {
  beforeEach(() => {
    created.length = 0;
  });

  it('locks the renderer down in its web preferences', () => {
    createWorkstationWindow({ preloadPath: '/app/dist/electron/preload/preload.cjs', title: 'HMS Workstation' });
    const preferences = created[0]?.options.webPreferences as Record<string, unknown>;

    expect(preferences.preload).toBe('/app/dist/electron/preload/preload.cjs');
    expect(preferences.sandbox).toBe(true);
    expect(preferences.contextIsolation).toBe(true);
    expect(preferences.nodeIntegration).toBe(false);
    expect(preferences.nodeIntegrationInWorker).toBe(false);
    expect(preferences.nodeIntegrationInSubFrames).toBe(false);
    expect(preferences.webSecurity).toBe(true);
    expect(preferences.allowRunningInsecureContent).toBe(false);
    expect(preferences.webviewTag).toBe(false);
    expect(preferences.experimentalFeatures).toBe(false);
    expect(preferences.navigateOnDragDrop).toBe(false);
    expect(preferences.disableBlinkFeatures).toBe('Auxclick');
  });

  it('loads the renderer from app://, never file://', () => {
    createWorkstationWindow({ preloadPath: '/p.cjs', title: 'HMS Workstation' });

    expect(created[0]?.loadURL).toHaveBeenCalledWith('app://workstation/index.html');
  });
});
