import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import { WebSocketServer } from 'ws';

import { TOKEN_PROTOCOL_PREFIX, WEBSOCKET_PATH, WEBSOCKET_PROTOCOL, callMessage } from '../../../preload/api/index.js';
import type { MockHms } from './mock-hms-api.js';

/**
 * Creates a stand-in for the browser host's WebSocket endpoint, so the preview can run the
 * renderer's real browser client. It accepts an upgrade on WEBSOCKET_PATH only with both
 * subprotocols and the expected token, returns results for `call` frames from a MockHms and
 * forwards the mock's events. Like the real host, it rejects other handshakes with 403 Forbidden.
 */
export function createMockWebSocketHost(mock: MockHms, token: string) {
  const server = new WebSocketServer({ noServer: true, handleProtocols: () => WEBSOCKET_PROTOCOL });
  let rejecting = false;

  mock.addEventSink((channel, payload) => {
    const frame = JSON.stringify({ type: 'event', channel, payload });
    for (const client of server.clients) client.send(frame);
  });

  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const parsed = callMessage.safeParse(JSON.parse(String(data)));
      if (!parsed.success) {
        console.warn('mock host: ignoring a malformed frame');
        return;
      }
      const { id, channel, input } = parsed.data;
      void mock.call(channel, input).then((result) => socket.send(JSON.stringify({ type: 'result', id, result })));
    });
  });

  return {
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
      const protocols = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((value) => value.trim());
      const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      if (rejecting || path !== WEBSOCKET_PATH || !protocols.includes(WEBSOCKET_PROTOCOL) || !protocols.includes(`${TOKEN_PROTOCOL_PREFIX}${token}`)) {
        console.warn(`mock host: rejected an upgrade on ${path}`);
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        return;
      }
      server.handleUpgrade(request, socket, head, (client) => server.emit('connection', client, request));
    },
    /** Drops every open connection and rejects new handshakes, as a host restarted with a new launch token does. */
    rejectConnections(): void {
      rejecting = true;
      for (const client of server.clients) client.terminate();
    },
    acceptConnections(): void {
      rejecting = false;
    },
    close(): void {
      for (const client of server.clients) client.terminate();
      server.close();
    },
  };
}
