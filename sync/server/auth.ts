import type { FastifyRequest } from 'fastify';

import type { ServerContext } from './context.js';
import { HttpError } from './errors.js';
import type { TokenPayload } from './tokens.js';
import { bearerTokenOf, verifyToken } from './tokens.js';
import { isUserDisabled } from './users.js';

/** The signed-in user and workstation of a request, from its bearer token. */
export type Session = TokenPayload;

const sessions = new WeakMap<FastifyRequest, Session>();

/**
 * Checks the request's bearer token and that its user is still enabled; throws a 401 HttpError
 * otherwise. Registered as an onRequest hook on every /sync route.
 */
export async function authenticate(context: ServerContext, request: FastifyRequest): Promise<void> {
  const session = verifyToken(context.tokenSecret, bearerTokenOf(request.headers.authorization), context.now());
  if (await isUserDisabled(context.database, session.userId)) {
    throw new HttpError(401, `User ${session.userId} is disabled or no longer exists: ask IT to enable the account`);
  }
  sessions.set(request, session);
}

/** Returns the session that `authenticate` stored for this request. */
export function sessionOf(request: FastifyRequest): Session {
  const session = sessions.get(request);
  if (!session) throw new Error(`Route ${request.url} ran without the authenticate hook`);
  return session;
}
