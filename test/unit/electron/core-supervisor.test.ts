import { EventEmitter } from 'node:events';

import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({}));

const { CoreSupervisor } = await import('../../../main/electron/core-supervisor.js');

/** A stand-in for a utility process: records messages and can be made to exit. */
class FakeCoreProcess extends EventEmitter {
  readonly messages: { message: unknown; transfer: unknown[] | undefined }[] = [];
  killed = false;
  readonly pid = 4242;
  postMessage(message: unknown, transfer?: unknown[]): void {
    this.messages.push({ message, transfer });
  }
  kill(): boolean {
    this.killed = true;
    return true;
  }
}

const INIT = { type: 'init' as const, dataDirectory: '/data', logDirectory: '/data/logs', replicaKey: 'ab'.repeat(32), policy: {} };

function supervisorWithFakes() {
  const processes: FakeCoreProcess[] = [];
  let channelCount = 0;
  let clock = 0;
  const supervisor = new CoreSupervisor({
    electron: {
      fork: vi.fn(() => {
        const child = new FakeCoreProcess();
        processes.push(child);
        return child as never;
      }),
      createChannel: () => {
        channelCount += 1;
        return { port1: { name: `core-end-${channelCount}` } as never, port2: { name: `window-end-${channelCount}` } as never };
      },
    },
    modulePath: '/app/dist/electron/main/core-process.js',
    init: () => INIT,
    logger: pino({ level: 'silent' }),
    initialRestartDelayMs: 1_000,
    maxRestartDelayMs: 4_000,
    stableAfterMs: 60_000,
    now: () => clock,
  });
  const webContents = { postMessage: vi.fn(), isDestroyed: () => false };
  return { supervisor, processes, webContents, advanceClock: (ms: number) => (clock += ms) };
}

describe('core supervisor', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts the core with its init message', () => {
    const { supervisor, processes } = supervisorWithFakes();

    supervisor.start();

    expect(processes).toHaveLength(1);
    expect(processes[0]?.messages[0]?.message).toEqual(INIT);
  });

  it('hands each window one end of a new channel and the core the other', () => {
    const { supervisor, processes, webContents } = supervisorWithFakes();
    supervisor.start();

    supervisor.connectWindow({ id: 7, webContents });

    expect(processes[0]?.messages[1]).toEqual({ message: { type: 'connect-window', windowId: 7 }, transfer: [{ name: 'core-end-1' }] });
    expect(webContents.postMessage).toHaveBeenCalledWith('hms:core-port', null, [{ name: 'window-end-1' }]);
  });

  it('restarts the core after it exits and reconnects the windows', () => {
    const { supervisor, processes, webContents } = supervisorWithFakes();
    supervisor.start();
    supervisor.connectWindow({ id: 7, webContents });

    processes[0]?.emit('exit', 134);
    vi.advanceTimersByTime(999);
    expect(processes).toHaveLength(1);
    vi.advanceTimersByTime(1);

    expect(processes).toHaveLength(2);
    expect(processes[1]?.messages.map((entry) => entry.message)).toEqual([INIT, { type: 'connect-window', windowId: 7 }]);
    expect(webContents.postMessage).toHaveBeenLastCalledWith('hms:core-port', null, [{ name: 'window-end-2' }]);
  });

  it('doubles the delay after quick exits up to the maximum', () => {
    const { supervisor, processes } = supervisorWithFakes();
    supervisor.start();

    for (const expectedDelay of [1_000, 2_000, 4_000, 4_000]) {
      const before = processes.length;
      processes.at(-1)?.emit('exit', 1);
      vi.advanceTimersByTime(expectedDelay - 1);
      expect(processes).toHaveLength(before);
      vi.advanceTimersByTime(1);
      expect(processes).toHaveLength(before + 1);
    }
  });

  it('goes back to the first delay after a long run', () => {
    const { supervisor, processes, advanceClock } = supervisorWithFakes();
    supervisor.start();
    processes[0]?.emit('exit', 1);
    vi.advanceTimersByTime(1_000);
    processes[1]?.emit('exit', 1);
    vi.advanceTimersByTime(2_000);

    advanceClock(120_000);
    processes[2]?.emit('exit', 1);
    vi.advanceTimersByTime(1_000);

    expect(processes).toHaveLength(4);
  });

  it('does not restart a core it stopped', () => {
    const { supervisor, processes } = supervisorWithFakes();
    supervisor.start();

    supervisor.stop();
    processes[0]?.emit('exit', 0);
    vi.advanceTimersByTime(60_000);

    expect(processes[0]?.killed).toBe(true);
    expect(processes).toHaveLength(1);
  });

  it('passes messages from the core to main', () => {
    const onCoreMessage = vi.fn();
    const processes: FakeCoreProcess[] = [];
    const supervisor = new CoreSupervisor({
      electron: {
        fork: () => {
          const child = new FakeCoreProcess();
          processes.push(child);
          return child as never;
        },
        createChannel: () => ({ port1: {} as never, port2: {} as never }),
      },
      modulePath: '/core.js',
      init: () => INIT,
      logger: pino({ level: 'silent' }),
      onCoreMessage,
    });
    supervisor.start();

    processes[0]?.emit('message', { type: 'startup-failed', message: 'settings.json: serverUrl: Invalid URL' });

    expect(onCoreMessage).toHaveBeenCalledWith({ type: 'startup-failed', message: 'settings.json: serverUrl: Invalid URL' });
  });
});
