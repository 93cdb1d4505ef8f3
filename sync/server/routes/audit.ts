import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

import type { EmergencyAccessReports } from '../../protocol/wire.js';
import { authenticate, requireRole, sessionOf } from '../auth.js';
import type { ServerContext } from '../context.js';
import { listEmergencyAccessReports } from '../emergency-access.js';
import { badRequest, quoteValue } from '../errors.js';

const instant = z.iso.datetime({ offset: true });

/** `GET /audit/emergency-access?since=<instant>`: the emergency access reports since an instant, for IT administrators. */
export function registerAuditRoutes(app: FastifyInstance, context: ServerContext): void {
  app.get('/audit/emergency-access', { onRequest: (request) => authenticate(context, request) }, async (request): Promise<EmergencyAccessReports> => {
    const session = sessionOf(request);
    requireRole(session, ['it-administrator'], 'Reading emergency access reports');
    const since = (request.query as Record<string, unknown>).since;
    if (since === undefined) throw badRequest('Missing query parameter since: expected an ISO 8601 instant with a time zone, such as 2026-03-01T00:00:00Z');
    if (typeof since !== 'string' || !instant.safeParse(since).success) {
      throw badRequest(`Invalid since ${quoteValue(since)}: expected one ISO 8601 instant with a time zone, such as 2026-03-01T00:00:00Z`);
    }

    const reports = await listEmergencyAccessReports(context.database, new Date(since));
    request.log.info({ userId: session.userId, reports: reports.length }, 'emergency access reports sent');
    return { reports };
  });
}
