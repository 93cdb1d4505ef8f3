import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import { z } from 'zod';

import { ROLES } from '../../preload/api/roles.js';
import type { Database } from './database/index.js';
import { HttpError } from './errors.js';

/**
 * Bearer tokens: `base64url(JSON payload) "." base64url(HMAC-SHA256(secret, first part))`. The
 * secret is generated once and kept in the settings table, so tokens stay valid across restarts
 * and across server instances on one PostgreSQL.
 *
 * A sign-in returns two tokens. The access token authorises requests and lives minutes, so a
 * stolen one is soon useless. The refresh token lives one shift and buys new access tokens at
 * POST /auth/refresh without the user's password, each time checking that the user is still
 * enabled, so a workstation keeps syncing through the night after its nurse signed in once.
 */

export const ACCESS_TOKEN_LIFETIME_MS = 15 * 60 * 1000;
export const REFRESH_TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;

export type TokenKind = 'access' | 'refresh';

const tokenPayload = z.object({
  /** Absent in tokens issued before refresh tokens existed: those were access tokens. */
  kind: z.enum(['access', 'refresh']).default('access'),
  userId: z.string(),
  roles: z.array(z.enum(ROLES)),
  wardId: z.string(),
  workstationId: z.string(),
  /** Expiry as milliseconds since the Unix epoch. */
  expiresAt: z.number().int(),
});
export type TokenPayload = z.infer<typeof tokenPayload>;

const SECRET_SETTING_KEY = 'token_signing_secret';
const SECRET_LENGTH_BYTES = 32;

/** Reads the token-signing secret, creating it on the first start. */
export async function loadTokenSecret(database: Database): Promise<Buffer> {
  // ON CONFLICT DO NOTHING keeps the first secret when two instances start at once.
  await database.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
    SECRET_SETTING_KEY,
    randomBytes(SECRET_LENGTH_BYTES).toString('base64'),
  ]);
  const { rows } = await database.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [SECRET_SETTING_KEY]);
  const value = rows[0]?.value;
  if (!value) throw new Error('The token-signing secret is missing from the settings table after insert');
  return Buffer.from(value, 'base64');
}

function signature(secret: Buffer, encodedPayload: string): Buffer {
  return createHmac('sha256', secret).update(encodedPayload).digest();
}

export function signToken(secret: Buffer, payload: z.input<typeof tokenPayload>): string {
  const encodedPayload = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${encodedPayload}.${signature(secret, encodedPayload).toString('base64url')}`;
}

/** Builds a 401 with the RFC 6750 challenge: no error code when the request carried no token at all. */
function unauthorized(message: string, challenge = 'Bearer error="invalid_token"'): HttpError {
  return new HttpError(401, message, { 'WWW-Authenticate': challenge });
}

/**
 * Checks a token's signature, kind and expiry and returns its payload; throws a 401 HttpError
 * otherwise. A refresh token never authorises a request, and an access token never renews itself.
 */
export function verifyToken(secret: Buffer, token: string, now: Date, kind: TokenKind = 'access'): TokenPayload {
  const parts = token.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw unauthorized('Malformed bearer token: expected the token returned by POST /auth/sign-in');
  }
  const [encodedPayload, encodedSignature] = parts as [string, string];

  const expected = signature(secret, encodedPayload);
  const received = Buffer.from(encodedSignature, 'base64url');
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    throw unauthorized('Invalid bearer token signature: sign in again');
  }

  let payload: TokenPayload;
  try {
    payload = tokenPayload.parse(JSON.parse(Buffer.from(encodedPayload, 'base64url').toString('utf8')));
  } catch {
    throw unauthorized('Malformed bearer token payload: sign in again');
  }
  if (payload.kind !== kind) {
    throw unauthorized(kind === 'access' ? 'A refresh token cannot authorise a request: send it to POST /auth/refresh for an access token' : 'Expected a refresh token from POST /auth/sign-in, got an access token');
  }
  if (payload.expiresAt <= now.getTime()) {
    const fix = kind === 'access' ? 'renew it at POST /auth/refresh or sign in again' : 'sign in again';
    throw unauthorized(`${kind === 'access' ? 'Access' : 'Refresh'} token expired at ${new Date(payload.expiresAt).toISOString()}: ${fix}`);
  }
  return payload;
}

/** Extracts the token of an `Authorization: Bearer <token>` header. */
export function bearerTokenOf(authorization: string | undefined): string {
  if (!authorization) {
    throw unauthorized('Missing bearer token: send "Authorization: Bearer <token>" with the token from POST /auth/sign-in', 'Bearer');
  }
  const match = /^Bearer +(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) throw unauthorized('Malformed Authorization header: expected "Bearer <token>"');
  return match[1];
}
