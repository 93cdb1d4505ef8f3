import type { AuditAction } from '../../../sync/protocol/fhir/audit-event.js';

/** FHIR AuditEvent.action of each call that writes patient data; every other audited call reads. */
const WRITE_ACTIONS: Record<string, AuditAction> = {
  'vitals:record': 'C',
  'patient:setSpO2Scale': 'C',
  'patient:updateContact': 'U',
  'sync:resolveConflict': 'U',
  'sync:resendRejected': 'U',
};

export function auditActionOf(channel: string): AuditAction {
  return WRITE_ACTIONS[channel] ?? 'R';
}

/**
 * The patients a call touched: the `patientId` of its input, or of its result (a resolved
 * conflict), or for a list the `patientId` of each row of its result (the ward list, search
 * results).
 */
export function patientIdsOf(input: unknown, result: unknown): string[] {
  const fromInput = (input as { patientId?: unknown } | null)?.patientId;
  if (typeof fromInput === 'string') return [fromInput];
  if (!Array.isArray(result)) {
    const fromResult = (result as { patientId?: unknown } | null | undefined)?.patientId;
    return typeof fromResult === 'string' ? [fromResult] : [];
  }
  const ids = result.map((row) => (row as { patientId?: unknown } | null)?.patientId).filter((id): id is string => typeof id === 'string');
  return [...new Set(ids)];
}
