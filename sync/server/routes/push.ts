import type { FastifyInstance } from 'fastify';

import { isBreakTheGlass } from '../../protocol/fhir/audit-event.js';
import type { PushResponse } from '../../protocol/wire.js';
import { pushRequest } from '../../protocol/wire.js';
import { authenticate, sessionOf } from '../auth.js';
import type { ServerContext } from '../context.js';
import { recordRecovery } from '../dataset-recoveries.js';
import { badRequest, describeIssues, forbidden } from '../errors.js';
import { RECONCILE_HEADER } from '../dataset-epoch.js';
import { applyPush } from '../push-writer.js';
import { collectionParameter } from './collection-parameter.js';

export function registerPushRoute(app: FastifyInstance, context: ServerContext): void {
  app.post('/sync/:collection/push', { onRequest: (request) => authenticate(context, request) }, async (request): Promise<PushResponse> => {
    const collection = collectionParameter(request.params);
    if (collection === 'reference') {
      throw forbidden('The reference collection is master data owned by the server: workstations pull it and never push it');
    }
    const parsed = pushRequest.safeParse(request.body);
    if (!parsed.success) {
      throw badRequest(`Invalid push request: ${describeIssues(parsed.error)}`);
    }

    const session = sessionOf(request);
    const result = await context.database.transaction((transaction) => applyPush(transaction, collection, parsed.data.rows, session, context.testHooks));
    request.log.info(
      { collection, rows: parsed.data.rows.length, written: result.written, unchanged: result.unchanged, conflicts: result.conflicts.length, rejected: result.rejected.length, workstationId: session.workstationId },
      'push applied',
    );
    if (request.headers[RECONCILE_HEADER] !== undefined && result.inserted > 0) {
      await recordRecovery(context.database, context.datasetEpoch, session.workstationId, result.inserted);
      request.log.warn({ workstationId: session.workstationId, recovered: result.inserted }, 'documents recovered from a workstation after a dataset change');
    }
    const auditEvents = parsed.data.rows.filter((row) => row.newDocumentState.resourceType === 'AuditEvent');
    if (auditEvents.length > 0) {
      // Counts only: an AuditEvent's reason for emergency access may contain clinical detail.
      request.log.info(
        {
          userId: session.userId,
          workstationId: session.workstationId,
          received: auditEvents.length,
          stored: result.auditEventsWritten,
          alreadyStored: result.auditEventsUnchanged,
          breakTheGlass: auditEvents.filter((row) => isBreakTheGlass(row.newDocumentState.resource)).length,
        },
        'audit events received',
      );
    }
    return { conflicts: result.conflicts, conflictAuthors: result.conflictAuthors, rejected: result.rejected };
  });
}
