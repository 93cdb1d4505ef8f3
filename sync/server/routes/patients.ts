import { randomUUID } from 'node:crypto';

import type { FastifyInstance } from 'fastify';

import { PATIENT_FINDERS, WARD_CLINICIANS } from '../../../preload/api/roles.js';
import type { EmergencyAccessResponse, PatientSearchResponse } from '../../protocol/wire.js';
import { emergencyAccessRequest } from '../../protocol/wire.js';
import { authenticate, requireRole, sessionOf } from '../auth.js';
import type { ServerContext } from '../context.js';
import { insertEmergencyAccessReport, readPatientChart } from '../emergency-access.js';
import { badRequest, describeIssues, notFound, quoteValue } from '../errors.js';
import { MAX_SEARCH_LENGTH, MIN_SEARCH_LENGTH, searchPatients } from '../patient-search.js';

function singleValue(value: unknown): string | undefined {
  return Array.isArray(value) ? (value[0] as string | undefined) : (value as string | undefined);
}

/**
 * `GET /patients/search?q=<text>` and `POST /patients/:patientId/emergency-access`: finding a
 * patient of any ward and opening their chart outside the token's ward. Neither logs the search
 * text or the reason, which may contain a patient's name, MRN or clinical detail.
 */
export function registerPatientRoutes(app: FastifyInstance, context: ServerContext): void {
  app.get('/patients/search', { onRequest: (request) => authenticate(context, request) }, async (request): Promise<PatientSearchResponse> => {
    const session = sessionOf(request);
    requireRole(session, PATIENT_FINDERS, 'Patient search');
    const text = (singleValue((request.query as Record<string, unknown>).q) ?? '').trim();
    if (text.length < MIN_SEARCH_LENGTH || text.length > MAX_SEARCH_LENGTH) {
      throw badRequest(`Invalid search text: q must have ${MIN_SEARCH_LENGTH} to ${MAX_SEARCH_LENGTH} characters, here ${text.length}. Search by MRN or by name`);
    }

    const results = await searchPatients(context.database, text);
    request.log.info({ userId: session.userId, workstationId: session.workstationId, results: results.length }, 'patient search');
    return { results };
  });

  app.post('/patients/:patientId/emergency-access', { onRequest: (request) => authenticate(context, request) }, async (request): Promise<EmergencyAccessResponse> => {
    const session = sessionOf(request);
    requireRole(session, WARD_CLINICIANS, 'Emergency access');
    const { patientId } = request.params as { patientId: string };
    const parsed = emergencyAccessRequest.safeParse(request.body);
    if (!parsed.success) throw badRequest(`Invalid emergency access request: ${describeIssues(parsed.error)}`);
    if (parsed.data.workstationId !== session.workstationId) {
      throw badRequest(`Invalid emergency access request: workstationId ${quoteValue(parsed.data.workstationId)} is not the workstation this token was issued to, ${quoteValue(session.workstationId)}`);
    }

    const reportId = randomUUID();
    const chart = await context.database.transaction(async (transaction) => {
      const found = await readPatientChart(transaction, patientId);
      if (!found) return undefined;
      await insertEmergencyAccessReport(transaction, {
        id: reportId,
        at: context.now().toISOString(),
        userId: session.userId,
        workstationId: session.workstationId,
        patientId,
        reason: parsed.data.reason,
      });
      return found;
    });
    if (!chart) throw notFound(`No patient with id ${quoteValue(patientId)} on this server`);

    request.log.warn(
      { reportId, userId: session.userId, workstationId: session.workstationId, wardId: session.wardId, patientId, records: chart.records.length, entries: chart.entries.length },
      'emergency access granted',
    );
    return chart;
  });
}
