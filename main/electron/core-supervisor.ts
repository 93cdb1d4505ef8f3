import type { ForkOptions, MessagePortMain, UtilityProcess, WebContents } from 'electron';

import type { Logger } from '../core/logging/logger.js';
import type { CoreInitMessage } from './core-process/messages.js';
import { CORE_PORT_CHANNEL } from './core-process/messages.js';

/** The Electron APIs the supervisor uses, passed in so tests can stand in for them. */
export interface SupervisorElectron {
  fork(modulePath: string, args?: string[], options?: ForkOptions): UtilityProcess;
  createChannel(): { port1: MessagePortMain; port2: MessagePortMain };
}

export interface CoreSupervisorOptions {
  electron: SupervisorElectron;
  /** The built core-process entry (dist/electron/main/core-process.js). */
  modulePath: string;
  /** First message to every core process started: where its data lives and its key. */
  init: () => CoreInitMessage;
  logger: Logger;
  /** Receives the messages the core sends to main, such as a failed start. */
  onCoreMessage?: (message: unknown) => void;
  /** First restart delay; it doubles after each exit up to `maxRestartDelayMs`. */
  initialRestartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** A core that ran this long before exiting is restarted after the initial delay again. */
  stableAfterMs?: number;
  now?: () => number;
}

interface ConnectedWindow {
  id: number;
  webContents: Pick<WebContents, 'postMessage' | 'isDestroyed'>;
}

/**
 * Runs the core (replica, sync, services, devices) in an Electron utility process, so a slow query
 * or a busy serial port never blocks a window. If the core exits it is started again after a delay
 * that grows with each quick exit, and every window gets a new MessagePort to the new core.
 *
 * Each window's port is created here and handed to the core with the window's id; the core serves
 * only ports that arrive this way, so nothing but a window of ours can reach it.
 */
export class CoreSupervisor {
  readonly #options: CoreSupervisorOptions;
  readonly #windows = new Map<number, ConnectedWindow>();
  #child: UtilityProcess | undefined;
  #startedAt = 0;
  #restartDelayMs: number;
  #restartTimer: NodeJS.Timeout | undefined;
  #stopping = false;

  constructor(options: CoreSupervisorOptions) {
    this.#options = options;
    this.#restartDelayMs = options.initialRestartDelayMs ?? 1_000;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  start(): void {
    const { electron, logger } = this.#options;
    const now = this.#options.now ?? Date.now;
    const child = electron.fork(this.#options.modulePath, [], { serviceName: 'HMS Workstation core', stdio: 'inherit' });
    this.#child = child;
    this.#startedAt = now();
    child.postMessage(this.#options.init());
    logger.info({ pid: child.pid ?? null }, 'core process started');

    child.on('message', (message: unknown) => this.#options.onCoreMessage?.(message));
    child.once('exit', (code) => this.#onExit(child, code));
    for (const window of this.#windows.values()) this.#handPort(window);
  }

  /**
   * Hands a window a new port to the core, replacing any earlier one, and again after every core
   * restart until the window is disconnected.
   */
  connectWindow(window: ConnectedWindow): void {
    this.#windows.set(window.id, window);
    if (this.#child) this.#handPort(window);
  }

  disconnectWindow(windowId: number): void {
    this.#windows.delete(windowId);
  }

  stop(): void {
    this.#stopping = true;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#child?.kill();
    this.#child = undefined;
  }

  #handPort(window: ConnectedWindow): void {
    if (!this.#child || window.webContents.isDestroyed()) return;
    const { port1, port2 } = this.#options.electron.createChannel();
    this.#child.postMessage({ type: 'connect-window', windowId: window.id }, [port1]);
    window.webContents.postMessage(CORE_PORT_CHANNEL, null, [port2]);
  }

  #onExit(child: UtilityProcess, code: number): void {
    if (this.#child !== child) return;
    this.#child = undefined;
    if (this.#stopping) return;

    const now = this.#options.now ?? Date.now;
    const ranForMs = now() - this.#startedAt;
    if (ranForMs >= (this.#options.stableAfterMs ?? 60_000)) this.#restartDelayMs = this.#options.initialRestartDelayMs ?? 1_000;
    const delay = this.#restartDelayMs;
    this.#restartDelayMs = Math.min(delay * 2, this.#options.maxRestartDelayMs ?? 30_000);

    this.#options.logger.error({ exitCode: code, ranForMs, restartInMs: delay }, 'core process exited; restarting');
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (!this.#stopping) this.start();
    }, delay);
  }
}
