import type { FastifyRequest } from 'fastify';

import type { Role } from '../../preload/api/roles.js';
import { USER_DISABLED_ERROR } from '../protocol/wire.js';
import type { ServerContext } from './context.js';
import { forbidden, HttpError } from './errors.js';
import type { TokenPayload } from './tokens.js';
import { bearerTokenOf, verifyToken } from './tokens.js';
import { findUserStatus } from './users.js';

/**
 * The signed-in user and workstation of a request, from its bearer token. `roles` contains the roles
 * that are both in the token and still granted to the user, so a role revoked on the server stops
 * counting at once, while a role granted later needs a new sign-in.
 */
export type Session = TokenPayload;

const sessions = new WeakMap<FastifyRequest, Session>();

/** Builds the 403 for a disabled account. Its `error` code makes the workstation drop the user's cached password. */
export function userDisabledError(userId: string): HttpError {
  return new HttpError(403, `User ${userId} is disabled on the server: ask IT to enable the account`, {}, USER_DISABLED_ERROR);
}

/**
 * Checks the request's bearer token and that its user still exists and is enabled. Throws a 401
 * HttpError for a bad token or a deleted user, and a 403 `user-disabled` for a disabled user.
 * Registered as an onRequest hook on every route that needs a signed-in user.
 */
export async function authenticate(context: ServerContext, request: FastifyRequest): Promise<void> {
  const token = verifyToken(context.tokenSecret, bearerTokenOf(request.headers.authorization), context.now());
  const user = await findUserStatus(context.database, token.userId);
  if (user.status === 'unknown') {
    throw new HttpError(401, `User ${token.userId} no longer exists on the server: sign in again`, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
  }
  if (user.status === 'disabled') throw userDisabledError(token.userId);
  sessions.set(request, { ...token, roles: token.roles.filter((role) => user.roles.includes(role)) });
}

/** Returns the session that `authenticate` stored for this request. */
export function sessionOf(request: FastifyRequest): Session {
  const session = sessions.get(request);
  if (!session) throw new Error(`Route ${request.url} ran without the authenticate hook`);
  return session;
}

/** Formats roles for an error message, such as "nurse or doctor". */
export function describeRoles(roles: readonly Role[]): string {
  if (roles.length === 0) return 'none';
  if (roles.length === 1) return roles[0] as string;
  return `${roles.slice(0, -1).join(', ')} or ${roles.at(-1) as string}`;
}

/** Throws a 403 HttpError unless the session has one of `roles`. `action` names the request in the message. */
export function requireRole(session: Session, roles: readonly Role[], action: string): void {
  if (session.roles.some((role) => roles.includes(role))) return;
  throw forbidden(`${action} needs the role ${describeRoles(roles)}; user ${session.userId} has ${describeRoles(session.roles)}`);
}
