import { randomUUID } from 'node:crypto';

import type { AuditAction, AuditOutcome, SessionEvent } from '../../../sync/protocol/fhir/audit-event.js';
import {
  API_CALL_SYSTEM,
  BCMA_OVERRIDE,
  buildAuditEvent,
  PATIENT_RECORD_TYPE,
  RETENTION_REMOVAL,
  SESSION_EVENTS,
  SYNC_EVENTS,
  USER_AUTHENTICATION_TYPE,
} from '../../../sync/protocol/fhir/audit-event.js';
import { toEntryDocument } from '../../../sync/protocol/documents.js';
import type { ReplicaDatabase } from '../../../sync/replica/replica.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logging/logger.js';

export interface AuditUser {
  id: string | null;
  name: string;
}

export interface ApiCallAudit {
  channel: string;
  action: AuditAction;
  outcome: AuditOutcome;
  user: AuditUser;
  patientIds: readonly string[];
  /** Error code and message of a refused or failed call; free of patient data. */
  failure?: string;
  breakTheGlassReason?: string;
}

/** The parts of a conflict record that its AuditEvent names: ids, the rule and its outcome, never values. */
export interface SyncConflictAudit {
  id: number;
  documentId: string;
  patientId: string;
  rule: string;
  outcome: string;
  overlapping: readonly string[];
  status: string;
}

/**
 * Writes the workstation's AuditEvents into the replica, from where they sync to the server like
 * any entry. Recording never fails the action it records: a write error is logged for IT, because
 * a nurse must not be stopped from charting by the audit trail.
 */
export class AuditTrail {
  constructor(
    private readonly replica: ReplicaDatabase,
    private readonly workstationId: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async apiCall(audit: ApiCallAudit): Promise<void> {
    await this.#write({
      type: PATIENT_RECORD_TYPE,
      subtype: { system: API_CALL_SYSTEM, code: audit.channel },
      action: audit.action,
      outcome: audit.outcome,
      user: audit.user,
      patientIds: audit.patientIds,
      ...(audit.failure ? { outcomeDescription: audit.failure } : {}),
      ...(audit.breakTheGlassReason ? { breakTheGlassReason: audit.breakTheGlassReason } : {}),
    });
  }

  /** Removal of a patient's local copy by retention; the workstation itself is the actor. */
  async retentionRemoval(patientId: string, documentCount: number): Promise<void> {
    await this.#write({
      type: PATIENT_RECORD_TYPE,
      subtype: RETENTION_REMOVAL,
      action: 'D',
      outcome: '0',
      user: { id: null, name: `workstation ${this.workstationId}` },
      patientIds: [patientId],
      outcomeDescription: `${documentCount} local documents removed after the patient left the ward; the server keeps the record`,
    });
  }

  /**
   * A push conflict settled by rule. The outcome is a minor failure (4) when the server's version
   * replaced local content and the conflict waits for review, success (0) when nothing was lost.
   */
  async syncConflict(conflict: SyncConflictAudit): Promise<void> {
    const elements = conflict.overlapping.length > 0 ? `; elements ${conflict.overlapping.join(', ')}` : '';
    await this.#write({
      type: PATIENT_RECORD_TYPE,
      subtype: SYNC_EVENTS.conflict,
      action: 'U',
      outcome: conflict.status === 'open' ? '4' : '0',
      user: { id: null, name: `workstation ${this.workstationId}` },
      patientIds: conflict.patientId ? [conflict.patientId] : [],
      outcomeDescription: `conflict ${conflict.id} on ${conflict.documentId}: rule ${conflict.rule}, outcome ${conflict.outcome}${elements}`,
    });
  }

  /** A local write the central server refused for good; it stays on the workstation, listed for review. */
  async syncRejection(documentId: string, patientId: string | null, reason: string): Promise<void> {
    await this.#write({
      type: PATIENT_RECORD_TYPE,
      subtype: SYNC_EVENTS.rejection,
      action: 'U',
      outcome: '4',
      user: { id: null, name: `workstation ${this.workstationId}` },
      patientIds: patientId ? [patientId] : [],
      outcomeDescription: `${documentId} refused: ${reason.slice(0, 200)}`,
    });
  }

  /**
   * A dose recorded over a failed bedside medication check. The event names the administration,
   * the order and the failed checks; the nurse's reason stays in the administration's note.
   */
  async medicationOverride(override: { administrationId: string; orderId: string; patientId: string; problems: readonly string[]; user: AuditUser }): Promise<void> {
    await this.#write({
      type: PATIENT_RECORD_TYPE,
      subtype: BCMA_OVERRIDE,
      action: 'C',
      outcome: '0',
      user: override.user,
      patientIds: [override.patientId],
      outcomeDescription: `MedicationAdministration/${override.administrationId} for MedicationRequest/${override.orderId} recorded over failed checks: ${override.problems.join(', ')}`,
    });
  }

  /** Sign-in, sign-out, lock and unlock, successful or failed. */
  async sessionEvent(event: SessionEvent, user: AuditUser, outcome: AuditOutcome, failure?: string): Promise<void> {
    await this.#write({
      type: USER_AUTHENTICATION_TYPE,
      subtype: SESSION_EVENTS[event],
      action: 'E',
      outcome,
      user,
      patientIds: [],
      ...(failure ? { outcomeDescription: failure } : {}),
    });
  }

  async #write(input: Omit<Parameters<typeof buildAuditEvent>[0], 'id' | 'recorded' | 'workstationId'>): Promise<void> {
    const id = randomUUID();
    try {
      const resource = buildAuditEvent({ ...input, id, recorded: this.clock.now().toISOString(), workstationId: this.workstationId });
      await this.replica.entries.insert(toEntryDocument(resource));
    } catch (error) {
      this.logger.error({ auditEventId: id, subtype: input.subtype.code, error: error instanceof Error ? error.message : String(error) }, 'audit event could not be written');
    }
  }
}
