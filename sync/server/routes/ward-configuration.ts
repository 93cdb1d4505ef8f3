import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

import type { WardConfigurationResponse } from '../../protocol/ward-configuration.js';
import { authenticate, requireRole, sessionOf } from '../auth.js';
import type { ServerContext } from '../context.js';
import { badRequest, describeIssues, notFound } from '../errors.js';
import { findWard } from '../locations.js';
import { findWardConfiguration, setWardConfiguration } from '../ward-configuration.js';

const wardConfigurationUpdate = z.object({ values: z.record(z.string(), z.unknown()) }).strict();

/**
 * `GET /ward/configuration`: the configuration of the ward in the caller's token. Any signed-in
 * user's workstation may fetch it, since it contains IT's settings and no patient data.
 *
 * `PUT /ward/configuration/:wardId`: replaces a ward's configuration, for IT administrators. The
 * server keeps the values as given, because each workstation checks every key against the policy
 * schema of its own version and ignores an invalid key with the reason.
 */
export function registerWardConfigurationRoute(app: FastifyInstance, context: ServerContext): void {
  app.get('/ward/configuration', { onRequest: (request) => authenticate(context, request) }, async (request): Promise<WardConfigurationResponse> => {
    const session = sessionOf(request);
    const configuration = await findWardConfiguration(context.database, session.wardId);
    request.log.info({ wardId: session.wardId, workstationId: session.workstationId, revision: configuration.revision }, 'ward configuration sent');
    return configuration;
  });

  app.put<{ Params: { wardId: string } }>('/ward/configuration/:wardId', { onRequest: (request) => authenticate(context, request) }, async (request): Promise<WardConfigurationResponse> => {
    const session = sessionOf(request);
    requireRole(session, ['it-administrator'], 'Changing a ward configuration');
    const parsed = wardConfigurationUpdate.safeParse(request.body);
    if (!parsed.success) throw badRequest(`Invalid ward configuration: ${describeIssues(parsed.error)}; send {"values": {"inactivityLockMinutes": 10, …}}`);
    const ward = await findWard(context.database, request.params.wardId);
    if (!ward) throw notFound(`Unknown ward "${request.params.wardId}": use the id of a ward or laboratory department Location on this server`);

    const stored = await setWardConfiguration(context.database, ward.id, parsed.data.values);
    request.log.info({ wardId: ward.id, userId: session.userId, revision: stored.revision, keys: Object.keys(stored.values).length }, 'ward configuration changed');
    return stored;
  });
}
