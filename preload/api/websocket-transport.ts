import { z } from 'zod';

/**
 * Messages of the browser host's WebSocket transport. The renderer's browser client and the host
 * both parse with these schemas, so a malformed frame is rejected by name on either side.
 *
 * The per-launch token travels in the handshake as a second WebSocket subprotocol,
 * `hms-token.<token>`, next to `WEBSOCKET_PROTOCOL`; it never appears in a URL the server sees.
 */
export const WEBSOCKET_PROTOCOL = 'hms.v1';
export const TOKEN_PROTOCOL_PREFIX = 'hms-token.';
export const WEBSOCKET_PATH = '/api';

export const callMessage = z.object({
  type: z.literal('call'),
  id: z.number().int().nonnegative(),
  channel: z.string().max(100),
  input: z.unknown(),
});
export type CallMessage = z.infer<typeof callMessage>;

export const resultMessage = z.object({
  type: z.literal('result'),
  id: z.number().int().nonnegative(),
  result: z.union([
    z.object({ ok: z.literal(true), value: z.unknown() }),
    z.object({
      ok: z.literal(false),
      error: z.object({
        code: z.string(),
        message: z.string(),
        issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
      }),
    }),
  ]),
});
export type ResultMessage = z.infer<typeof resultMessage>;

export const eventMessage = z.object({
  type: z.literal('event'),
  channel: z.string(),
  payload: z.unknown(),
});
export type EventMessage = z.infer<typeof eventMessage>;

export const serverMessage = z.discriminatedUnion('type', [resultMessage, eventMessage]);
