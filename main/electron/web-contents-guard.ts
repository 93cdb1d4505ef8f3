import type { App, Session, WebContents } from 'electron';

import type { Logger } from '../core/logging/logger.js';

// #region security-critical: every web contents of the app, present and future, is held here.
/**
 * Denies, for every web contents the app ever creates, the ways a page could leave the app:
 * navigation, redirects, new windows and embedded <webview>s. The renderer is a single page and
 * needs none of them.
 */
export function guardAllWebContents(app: Pick<App, 'on'>, logger: Logger): void {
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, logger));
}

export function guardWebContents(contents: WebContents, logger: Logger): void {
  contents.setWindowOpenHandler(({ url }) => {
    logger.warn({ url: describeUrl(url) }, 'new window denied');
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    logger.warn({ url: describeUrl(url) }, 'navigation denied');
  });
  contents.on('will-redirect', (event, url) => {
    event.preventDefault();
    logger.warn({ url: describeUrl(url) }, 'redirect denied');
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    logger.warn('webview denied');
  });
}

/** Denies every permission a page may request (camera, notifications, HID, serial and the rest). */
export function denyAllPermissions(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>, logger: Logger): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    logger.warn({ permission }, 'permission request denied');
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}
// #endregion

/** Scheme and host only: a denied URL may carry patient data in its path or query. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return 'invalid URL';
  }
}
