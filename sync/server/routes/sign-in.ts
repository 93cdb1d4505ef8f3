import { randomUUID } from 'node:crypto';

import type { FastifyInstance } from 'fastify';

import type { RefreshResponse, SignInResponse } from '../../protocol/wire.js';
import { refreshRequest, signInRequest } from '../../protocol/wire.js';
import { userDisabledError } from '../auth.js';
import type { ServerContext } from '../context.js';
import { badRequest, describeIssues, HttpError, quoteValue } from '../errors.js';
import { findWard } from '../locations.js';
import { hashPassword, verifyPassword } from '../passwords.js';
import type { PasswordHash } from '../passwords.js';
import { signToken, verifyToken } from '../tokens.js';
import { findUserByUsername, findUserStatus } from '../users.js';

const INVALID_CREDENTIALS = 'Invalid username or password';

/**
 * A hash of a random password, checked when the username is unknown so that an unknown user takes
 * as long to reject as a wrong password.
 */
let placeholderHash: Promise<PasswordHash> | undefined;

export function registerSignInRoute(app: FastifyInstance, context: ServerContext): void {
  app.post('/auth/sign-in', async (request): Promise<SignInResponse> => {
    const parsed = signInRequest.safeParse(request.body);
    if (!parsed.success) throw badRequest(`Invalid sign-in request: ${describeIssues(parsed.error)}`);
    const { username, password, workstationId, wardId } = parsed.data;

    const user = await findUserByUsername(context.database, username);
    placeholderHash ??= hashPassword(randomUUID());
    const passwordMatches = await verifyPassword(password, user?.password ?? (await placeholderHash));
    if (!user || !passwordMatches) {
      request.log.info({ userId: user?.id, workstationId }, 'sign-in rejected: invalid username or password');
      throw new HttpError(401, INVALID_CREDENTIALS);
    }
    // Checked only after the password, so that the response reveals nothing about the account to
    // anyone who does not know its password.
    if (user.disabled) {
      request.log.info({ userId: user.id, workstationId }, 'sign-in rejected: user disabled');
      throw userDisabledError(user.id);
    }

    const ward = await findWard(context.database, wardId);
    if (!ward) throw badRequest(`Unknown ward ${quoteValue(wardId)}: the ward id must be the id of a ward or laboratory department Location on this server`);

    const now = context.now().getTime();
    const claims = { userId: user.id, roles: user.roles, wardId: ward.id, workstationId };
    const expiresAt = now + context.tokenLifetimes.accessMs;
    const refreshExpiresAt = now + context.tokenLifetimes.refreshMs;
    request.log.info({ userId: user.id, wardId: ward.id, workstationId }, 'signed in');
    return {
      token: signToken(context.tokenSecret, { ...claims, kind: 'access', expiresAt }),
      expiresAt: new Date(expiresAt).toISOString(),
      expiresIn: Math.max(1, Math.floor((expiresAt - now) / 1000)),
      refreshToken: signToken(context.tokenSecret, { ...claims, kind: 'refresh', expiresAt: refreshExpiresAt }),
      refreshExpiresAt: new Date(refreshExpiresAt).toISOString(),
      user: { id: user.id, username: user.username, displayName: user.displayName, roles: user.roles },
      ward,
    };
  });
}

/**
 * Renews an access token from a refresh token, without the password. The user must still exist and
 * be enabled; the new token carries only the roles that both the refresh token and the user's
 * current account grant, and never outlives the refresh token.
 */
export function registerRefreshRoute(app: FastifyInstance, context: ServerContext): void {
  app.post('/auth/refresh', async (request): Promise<RefreshResponse> => {
    const parsed = refreshRequest.safeParse(request.body);
    if (!parsed.success) throw badRequest(`Invalid refresh request: ${describeIssues(parsed.error)}`);
    const refresh = verifyToken(context.tokenSecret, parsed.data.refreshToken, context.now(), 'refresh');

    const user = await findUserStatus(context.database, refresh.userId);
    if (user.status === 'unknown') throw new HttpError(401, `User ${refresh.userId} no longer exists on the server: sign in again`);
    if (user.status === 'disabled') throw userDisabledError(refresh.userId);

    const now = context.now().getTime();
    const expiresAt = Math.min(now + context.tokenLifetimes.accessMs, refresh.expiresAt);
    const roles = refresh.roles.filter((role) => user.roles.includes(role));
    request.log.info({ userId: refresh.userId, workstationId: refresh.workstationId }, 'access token renewed');
    return {
      token: signToken(context.tokenSecret, { kind: 'access', userId: refresh.userId, roles, wardId: refresh.wardId, workstationId: refresh.workstationId, expiresAt }),
      expiresAt: new Date(expiresAt).toISOString(),
      expiresIn: Math.max(1, Math.floor((expiresAt - now) / 1000)),
    };
  });
}
