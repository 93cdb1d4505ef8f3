import type { FastifyInstance } from 'fastify';

import type { UserStatusResponse } from '../../protocol/wire.js';
import { userStatusRequest } from '../../protocol/wire.js';
import { authenticate, sessionOf } from '../auth.js';
import type { ServerContext } from '../context.js';
import { badRequest, describeIssues } from '../errors.js';
import { findUserStatuses } from '../users.js';

/**
 * `POST /auth/users/status`: whether each user is active, disabled or unknown, with an active
 * user's current roles and name. Any signed-in user may ask, because a workstation checks every user
 * whose password it caches at each reconnect.
 */
export function registerUserStatusRoute(app: FastifyInstance, context: ServerContext): void {
  app.post('/auth/users/status', { onRequest: (request) => authenticate(context, request) }, async (request): Promise<UserStatusResponse> => {
    const parsed = userStatusRequest.safeParse(request.body);
    if (!parsed.success) throw badRequest(`Invalid user status request: ${describeIssues(parsed.error)}`);

    const users = await findUserStatuses(context.database, parsed.data.userIds);
    request.log.info(
      { workstationId: sessionOf(request).workstationId, users: users.length, disabled: users.filter((user) => user.status === 'disabled').length },
      'user statuses sent',
    );
    return { users };
  });
}
