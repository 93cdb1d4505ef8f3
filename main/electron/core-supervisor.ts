import type { ForkOptions, MessagePortMain, UtilityProcess, WebContents } from 'electron';

import type { InstanceRequest, InstanceResponse } from '../core/imaging/instance-access.js';
import type { Logger } from '../core/logging/logger.js';
import type { CoreInitMessage, ReadInstanceMessage } from './core-process/messages.js';
import { CORE_PORT_CHANNEL, instanceResultMessage } from './core-process/messages.js';

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
  /** Gives up an instance request after this long; longer than the core's PACS retrieve limit. */
  instanceTimeoutMs?: number;
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
  #nextRequestId = 1;
  readonly #instanceRequests = new Map<number, { resolve: (response: InstanceResponse) => void; timer: NodeJS.Timeout }>();

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

    child.on('message', (message: unknown) => {
      const result = instanceResultMessage.safeParse(message);
      if (result.success) this.#settleInstance(result.data.requestId, toInstanceResponse(result.data));
      else this.#options.onCoreMessage?.(message);
    });
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

  /**
   * Asks the core for one DICOM instance, for the hms-dicom: scheme. Resolves with 502 while no
   * core runs or when it exits before replying, and with 504 when it does not reply in time.
   */
  readInstance(request: InstanceRequest): Promise<InstanceResponse> {
    const child = this.#child;
    if (!child) return Promise.resolve({ status: 502, error: 'The workstation core is restarting; try again in a moment' });
    const requestId = this.#nextRequestId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#settleInstance(requestId, { status: 504, error: 'The workstation core did not return the instance in time' }), this.#options.instanceTimeoutMs ?? 150_000);
      this.#instanceRequests.set(requestId, { resolve, timer });
      const message: ReadInstanceMessage = { type: 'read-instance', requestId, ...request };
      child.postMessage(message);
    });
  }

  disconnectWindow(windowId: number): void {
    this.#windows.delete(windowId);
  }

  stop(): void {
    this.#stopping = true;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#child?.kill();
    this.#child = undefined;
    for (const requestId of [...this.#instanceRequests.keys()]) this.#settleInstance(requestId, { status: 502, error: 'The workstation is stopping' });
  }

  #handPort(window: ConnectedWindow): void {
    if (!this.#child || window.webContents.isDestroyed()) return;
    const { port1, port2 } = this.#options.electron.createChannel();
    this.#child.postMessage({ type: 'connect-window', windowId: window.id }, [port1]);
    window.webContents.postMessage(CORE_PORT_CHANNEL, null, [port2]);
  }

  #settleInstance(requestId: number, response: InstanceResponse): void {
    const pending = this.#instanceRequests.get(requestId);
    if (!pending) return;
    this.#instanceRequests.delete(requestId);
    clearTimeout(pending.timer);
    pending.resolve(response);
  }

  #onExit(child: UtilityProcess, code: number): void {
    if (this.#child !== child) return;
    this.#child = undefined;
    for (const requestId of [...this.#instanceRequests.keys()]) this.#settleInstance(requestId, { status: 502, error: 'The workstation core stopped before it returned the instance; try again' });
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

/** The core's reply as the scheme handler takes it; a reply without bytes or a known status is a 502. */
function toInstanceResponse(message: { status: number; bytes?: Uint8Array | undefined; error?: string | undefined }): InstanceResponse {
  if (message.status === 200 && message.bytes) return { status: 200, bytes: message.bytes };
  const known = [400, 401, 403, 404, 423, 502, 504] as const;
  const status = known.find((value) => value === message.status) ?? 502;
  return { status, error: message.error ?? `The workstation core returned status ${message.status} without a message` };
}
