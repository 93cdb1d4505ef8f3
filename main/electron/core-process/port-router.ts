import type { CoreEvents } from '../../core/events.js';
import type { ApiGateway } from '../../core/gateway.js';
import type { Logger } from '../../core/logging/logger.js';
import type { EventMessage, ResultMessage } from '../../../preload/api/websocket-transport.js';
import { callMessage } from '../../../preload/api/websocket-transport.js';
import { connectWindowMessage } from './messages.js';

/** The part of Electron's MessagePortMain the router uses. */
export interface CorePort {
  on(event: 'message', listener: (messageEvent: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
}

export interface ParentMessageEvent {
  data: unknown;
  ports: CorePort[];
}

/**
 * The core's side of the windows' MessagePorts. Only ports that main hands over on the parent port
 * with a `connect-window` message are served; a message on any other port is refused before it
 * reaches the gateway. Calls use the same call, result and event messages as the browser host.
 */
export class CorePortRouter {
  readonly #ports = new Map<CorePort, string>();
  readonly #unsubscribe: () => void;

  constructor(
    private readonly gateway: ApiGateway,
    events: CoreEvents,
    private readonly logger: Logger,
  ) {
    this.#unsubscribe = events.subscribe((channel, payload) => {
      const message: EventMessage = { type: 'event', channel, payload };
      for (const port of this.#ports.keys()) port.postMessage(message);
    });
  }

  /** Takes a message from main on the parent port; returns whether it connected a window. */
  acceptParentMessage(event: ParentMessageEvent): boolean {
    const parsed = connectWindowMessage.safeParse(event.data);
    const port = event.ports[0];
    if (!parsed.success || event.ports.length !== 1 || !port) {
      this.logger.warn({ ports: event.ports.length }, 'unexpected message from the main process ignored');
      return false;
    }
    const senderId = `window-${parsed.data.windowId}`;
    this.#ports.set(port, senderId);
    port.on('message', (messageEvent) => void this.handlePortMessage(port, messageEvent.data));
    port.on('close', () => {
      this.#ports.delete(port);
      this.logger.info({ senderId, windows: this.#ports.size }, 'window disconnected');
    });
    port.start();
    this.logger.info({ senderId, windows: this.#ports.size }, 'window connected');
    return true;
  }

  /** Runs a call that arrived on `port`, if main handed that port out. */
  async handlePortMessage(port: CorePort, data: unknown): Promise<void> {
    const senderId = this.#ports.get(port);
    if (!senderId) {
      // Unexpected sender: only main can transfer ports into this process.
      this.logger.warn('message on a port main did not hand out rejected');
      return;
    }
    const parsed = callMessage.safeParse(data);
    if (!parsed.success) {
      this.logger.warn({ senderId }, 'malformed message from a window ignored');
      return;
    }
    const { id, channel, input } = parsed.data;
    const result = await this.gateway.handle(channel, input, { senderId });
    const message: ResultMessage = { type: 'result', id, result };
    if (this.#ports.has(port)) port.postMessage(message);
  }

  get connectedWindows(): number {
    return this.#ports.size;
  }

  close(): void {
    this.#unsubscribe();
    for (const port of this.#ports.keys()) port.close();
    this.#ports.clear();
  }
}
