import type { App, BrowserWindow } from 'electron';

/**
 * Keeps one running app per user session: a second start focuses the existing window and quits.
 * Two instances would open one replica twice. Returns false in the instance that must quit.
 */
export function enforceSingleInstance(app: Pick<App, 'requestSingleInstanceLock' | 'quit' | 'on'>, currentWindow: () => BrowserWindow | undefined): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => {
    const window = currentWindow();
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  });
  return true;
}
