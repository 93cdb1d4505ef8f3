import { EventEmitter } from 'node:events';

import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({}));

const { enforceSingleInstance } = await import('../../../main/electron/single-instance.js');

function fakeApp(gotLock: boolean) {
  const app = new EventEmitter() as EventEmitter & { requestSingleInstanceLock: () => boolean; quit: ReturnType<typeof vi.fn> };
  app.requestSingleInstanceLock = () => gotLock;
  app.quit = vi.fn();
  return app;
}

describe('single instance', () => {
  it('quits a second instance', () => {
    const app = fakeApp(false);

    expect(enforceSingleInstance(app as never, () => undefined)).toBe(false);
    expect(app.quit).toHaveBeenCalledOnce();
  });

  it('focuses the existing window when a second instance starts', () => {
    const app = fakeApp(true);
    const window = { isMinimized: () => true, restore: vi.fn(), show: vi.fn(), focus: vi.fn() };

    expect(enforceSingleInstance(app as never, () => window as never)).toBe(true);
    app.emit('second-instance');

    expect(app.quit).not.toHaveBeenCalled();
    expect(window.restore).toHaveBeenCalledOnce();
    expect(window.show).toHaveBeenCalledOnce();
    expect(window.focus).toHaveBeenCalledOnce();
  });
});
