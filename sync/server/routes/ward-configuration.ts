import type { FastifyInstance } from 'fastify';

import type { WardConfigurationResponse } from '../../protocol/ward-configuration.js';
import { authenticate, sessionOf } from '../auth.js';
import type { ServerContext } from '../context.js';
import { findWardConfiguration } from '../ward-configuration.js';

/**
 * `GET /ward/configuration`: the configuration of the ward in the caller's token. Any signed-in
 * user's workstation may fetch it, since it contains IT's settings and no patient data.
 */
export function registerWardConfigurationRoute(app: FastifyInstance, context: ServerContext): void {
  app.get('/ward/configuration', { onRequest: (request) => authenticate(context, request) }, async (request): Promise<WardConfigurationResponse> => {
    const session = sessionOf(request);
    const configuration = await findWardConfiguration(context.database, session.wardId);
    request.log.info({ wardId: session.wardId, workstationId: session.workstationId, revision: configuration.revision }, 'ward configuration sent');
    return configuration;
  });
}
