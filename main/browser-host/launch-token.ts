import { randomBytes, timingSafeEqual } from 'node:crypto';

import { TOKEN_PROTOCOL_PREFIX, WEBSOCKET_PROTOCOL } from '../../preload/api/websocket-transport.js';

/** Creates a random token for one launch of the browser host: 256 bits, hex. */
export function createLaunchToken(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Checks the `Sec-WebSocket-Protocol` header of a handshake: it must offer the API protocol and
 * `hms-token.<token>` with this launch's token. Compared in constant time.
 */
export function handshakeCarriesToken(protocolHeader: string | undefined, expectedToken: string): boolean {
  if (!protocolHeader) return false;
  const offered = protocolHeader.split(',').map((value) => value.trim());
  if (!offered.includes(WEBSOCKET_PROTOCOL)) return false;
  const presented = offered.find((value) => value.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length);
  if (!presented) return false;
  const expected = Buffer.from(expectedToken, 'utf8');
  const actual = Buffer.from(presented, 'utf8');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
