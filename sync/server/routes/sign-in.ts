import { randomUUID } from 'node:crypto';

import type { FastifyInstance } from 'fastify';

import type { SignInResponse } from '../../protocol/wire.js';
import { signInRequest } from '../../protocol/wire.js';
import { userDisabledError } from '../auth.js';
import type { ServerContext } from '../context.js';
import { badRequest, describeIssues, HttpError, quoteValue } from '../errors.js';
import { findWard } from '../locations.js';
import { hashPassword, verifyPassword } from '../passwords.js';
import type { PasswordHash } from '../passwords.js';
import { signToken, TOKEN_LIFETIME_MS } from '../tokens.js';
import { findUserByUsername } from '../users.js';

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
    if (!ward) throw badRequest(`Unknown ward ${quoteValue(wardId)}: the ward id must be the id of a ward Location on this server`);

    const expiresAt = context.now().getTime() + TOKEN_LIFETIME_MS;
    const token = signToken(context.tokenSecret, { userId: user.id, roles: user.roles, wardId: ward.id, workstationId, expiresAt });
    request.log.info({ userId: user.id, wardId: ward.id, workstationId }, 'signed in');
    return {
      token,
      expiresAt: new Date(expiresAt).toISOString(),
      user: { id: user.id, username: user.username, displayName: user.displayName, roles: user.roles },
      ward,
    };
  });
}
