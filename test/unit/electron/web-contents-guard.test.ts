import { EventEmitter } from 'node:events';

import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({}));

const { denyAllPermissions, guardAllWebContents } = await import('../../../main/electron/web-contents-guard.js');

const logger = pino({ level: 'silent' });

/** A web contents stand-in: events plus the window-open handler it was given. */
class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
}

function guardedContents(): FakeWebContents {
  const app = new EventEmitter();
  guardAllWebContents(app as never, logger);
  const contents = new FakeWebContents();
  app.emit('web-contents-created', {}, contents);
  return contents;
}

describe('web contents guard', () => {
  it('denies every new window', () => {
    const contents = guardedContents();

    expect(contents.windowOpenHandler?.({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'app://workstation/index.html' })).toEqual({ action: 'deny' });
  });

  it.each(['will-navigate', 'will-redirect'])('prevents %s', (eventName) => {
    const contents = guardedContents();
    const event = { preventDefault: vi.fn() };

    contents.emit(eventName, event, 'https://example.org/phishing');

    expect(event.preventDefault).toHaveBeenCalledOnce();
  });

  it('prevents attaching a webview', () => {
    const contents = guardedContents();
    const event = { preventDefault: vi.fn() };

    contents.emit('will-attach-webview', event, {}, {});

    expect(event.preventDefault).toHaveBeenCalledOnce();
  });

  it('guards web contents created later too', () => {
    const app = new EventEmitter();
    guardAllWebContents(app as never, logger);
    const first = new FakeWebContents();
    const second = new FakeWebContents();

    app.emit('web-contents-created', {}, first);
    app.emit('web-contents-created', {}, second);

    expect(first.windowOpenHandler).toBeDefined();
    expect(second.windowOpenHandler).toBeDefined();
  });

  it('denies every permission request and check', () => {
    const session = { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn(), setDevicePermissionHandler: vi.fn() };
    denyAllPermissions(session as never, logger);
    const requestHandler = session.setPermissionRequestHandler.mock.calls[0]?.[0] as (contents: unknown, permission: string, callback: (granted: boolean) => void) => void;
    const checkHandler = session.setPermissionCheckHandler.mock.calls[0]?.[0] as () => boolean;
    const deviceHandler = session.setDevicePermissionHandler.mock.calls[0]?.[0] as () => boolean;

    for (const permission of ['media', 'geolocation', 'notifications', 'hid', 'serial', 'clipboard-read']) {
      const callback = vi.fn();
      requestHandler({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
    }
    expect(checkHandler()).toBe(false);
    expect(deviceHandler()).toBe(false);
  });
});
