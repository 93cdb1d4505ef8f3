import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { resolve } from 'node:path';

import type { WebSocket } from 'ws';
import { WebSocketServer } from 'ws';

import type { EventMessage, ResultMessage } from '../../preload/api/websocket-transport.js';
import { callMessage, WEBSOCKET_PATH, WEBSOCKET_PROTOCOL } from '../../preload/api/websocket-transport.js';
import type { ApiGateway } from '../core/gateway.js';
import type { ReadImagingInstance } from '../core/imaging/instance-access.js';
import type { CoreEvents } from '../core/events.js';
import type { Logger } from '../core/logging/logger.js';
import { isImagingRoute, serveImagingInstance } from './imaging-route.js';
import { createLaunchToken, handshakeCarriesToken } from './launch-token.js';
import { securityHeaders, serveStatic } from './static-files.js';

export interface BrowserHostOptions {
  gateway: ApiGateway;
  events: CoreEvents;
  logger: Logger;
  /** Folder of the built renderer (dist/renderer). */
  rendererDirectory: string;
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port?: number;
  /** Fixes the launch token, for tests; normally random per launch. */
  token?: string;
  /** The core's reader of DICOM instances for the viewer; without it the instance route returns 404. */
  readImagingInstance?: ReadImagingInstance;
}

export interface BrowserHost {
  /** The address to open, with the launch token in the fragment. */
  url: string;
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * Runs the renderer in an ordinary browser: serves the built renderer on 127.0.0.1 and carries the
 * API contract over a WebSocket. Only a page of this origin that presents this launch's token in
 * the handshake may connect. The token sits in the URL fragment, which browsers never send to a
 * server, so it does not appear in requests or logs.
 */
export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const logger = options.logger;
  const token = options.token ?? createLaunchToken();
  const root = resolve(options.rendererDirectory);
  const sockets = new Set<WebSocket>();
  let origin = '';
  let port = 0;

  const server = createServer((request, response) => {
    if (!hostHeaderMatches(request, port)) {
      response.writeHead(421, { 'content-type': 'text/plain; charset=utf-8' }).end(`Open http://127.0.0.1:${port}/ as printed by the workstation`);
      return;
    }
    if (isImagingRoute(new URL(request.url ?? '/', 'http://127.0.0.1').pathname)) {
      void serveImagingInstance(request, response, token, options.readImagingInstance ?? notSetUp, logger);
      return;
    }
    serveStatic(root, request, response, securityHeaders(port));
  });

  const webSockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has(WEBSOCKET_PROTOCOL) ? WEBSOCKET_PROTOCOL : false),
  });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = refuseHandshake(request, { origin, port, token });
    if (refusal) {
      logger.warn({ reason: refusal, origin: request.headers.origin ?? null }, 'WebSocket handshake rejected');
      socket.end(`HTTP/1.1 ${refusal.startsWith('path') ? '404 Not Found' : '403 Forbidden'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    webSockets.handleUpgrade(request, socket, head, (webSocket) => attach(webSocket));
  });

  const attach = (webSocket: WebSocket) => {
    const senderId = `ws-${randomUUID().slice(0, 8)}`;
    sockets.add(webSocket);
    logger.info({ senderId, connections: sockets.size }, 'renderer connected');

    webSocket.on('message', (data, isBinary) => {
      void handleMessage(webSocket, senderId, isBinary ? null : data.toString());
    });
    webSocket.on('close', () => {
      sockets.delete(webSocket);
      logger.info({ senderId, connections: sockets.size }, 'renderer disconnected');
    });
  };

  const handleMessage = async (webSocket: WebSocket, senderId: string, text: string | null) => {
    let parsed;
    try {
      parsed = text === null ? undefined : callMessage.safeParse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      logger.warn({ senderId }, 'malformed message from the renderer closed its connection');
      webSocket.close(1008, 'Malformed message');
      return;
    }
    const { id, channel, input } = parsed.data;
    const result = await options.gateway.handle(channel, input, { senderId });
    const message: ResultMessage = { type: 'result', id, result };
    if (webSocket.readyState === webSocket.OPEN) webSocket.send(JSON.stringify(message));
  };

  const unsubscribe = options.events.subscribe((channel, payload) => {
    const message: EventMessage = { type: 'event', channel, payload };
    const text = JSON.stringify(message);
    for (const webSocket of sockets) if (webSocket.readyState === webSocket.OPEN) webSocket.send(text);
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    // Loopback only: the browser host is for this machine's own browser.
    server.listen(options.port ?? 0, '127.0.0.1', () => resolvePromise());
  });
  port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  logger.info({ port }, 'browser host listening on 127.0.0.1');

  return {
    url: `${origin}/#token=${token}`,
    origin,
    port,
    token,
    async close() {
      unsubscribe();
      for (const webSocket of sockets) webSocket.terminate();
      webSockets.close();
      await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
      logger.info('browser host stopped');
    },
  };
}

async function notSetUp(): ReturnType<ReadImagingInstance> {
  return { status: 404, error: 'This browser host serves no imaging instances' };
}

/** DNS rebinding defence: the Host header must name this loopback address and port. */
function hostHeaderMatches(request: IncomingMessage, port: number): boolean {
  return request.headers.host === `127.0.0.1:${port}`;
}

/** Returns the reason to reject a WebSocket handshake, or undefined to accept it. */
export function refuseHandshake(request: IncomingMessage, expected: { origin: string; port: number; token: string }): string | undefined {
  const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
  if (pathname !== WEBSOCKET_PATH) return `path ${pathname.slice(0, 50)} is not the API endpoint`;
  if (!hostHeaderMatches(request, expected.port)) return 'Host header does not name this browser host';
  if (request.headers.origin !== expected.origin) return 'Origin is not this browser host';
  if (!handshakeCarriesToken(request.headers['sec-websocket-protocol'], expected.token)) return 'launch token missing or wrong';
  return undefined;
}
