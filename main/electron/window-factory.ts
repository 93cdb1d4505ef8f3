import { BrowserWindow } from 'electron';

import { APP_ENTRY_URL } from './app-protocol.js';

export interface WorkstationWindowOptions {
  preloadPath: string;
  title: string;
}

/**
 * Creates the workstation's window and loads the renderer from app://. The options are written out
 * in the constructor call so that reviewers and static checkers (Electronegativity) see them.
 */
export function createWorkstationWindow(options: WorkstationWindowOptions): BrowserWindow {
  // #region security-critical: the renderer runs as untrusted web content. Sandboxed, isolated
  // from the preload's world, with no Node, no <webview>, no insecure content, no experimental
  // Blink features, no navigation by drag and drop and no middle-click (auxclick) new windows.
  const window = new BrowserWindow({
    title: options.title,
    width: 1400,
    height: 900,
    minWidth: 1024,
    minHeight: 700,
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      preload: options.preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
    },
  });
  // #endregion
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_ENTRY_URL);
  return window;
}
