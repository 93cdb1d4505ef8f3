import type { FastifyInstance } from 'fastify';

import { authenticate, requireRole, sessionOf } from '../auth.js';
import type { ServerContext } from '../context.js';
import type { DatasetRecoveries } from '../dataset-recoveries.js';
import { listRecoveries } from '../dataset-recoveries.js';

/**
 * `GET /admin/dataset`: the dataset epoch and how many documents workstations sent back under it,
 * for IT administrators checking a restore.
 */
export function registerDatasetRoute(app: FastifyInstance, context: ServerContext): void {
  app.get('/admin/dataset', { onRequest: (request) => authenticate(context, request) }, async (request): Promise<DatasetRecoveries> => {
    const session = sessionOf(request);
    requireRole(session, ['it-administrator'], 'Reading the dataset recovery report');
    return listRecoveries(context.database, context.datasetEpoch);
  });
}
