import type { Subscription } from 'rxjs';

import type { ConflictLog } from '../../sync/client/conflict-log.js';
import type { Outbox } from '../../sync/client/outbox.js';
import type { WorkstationReplication } from '../../sync/client/replication.js';
import type { ServerClient } from '../../sync/client/server-client.js';
import type { ReplicaDatabase } from '../../sync/replica/replica.js';
import type { DatabaseKey } from '../../sync/replica/sqlite/connection-pool.js';
import type { AuditTrail } from './audit/audit-trail.js';
import type { Clock } from './clock.js';
import type { Logger } from './logging/logger.js';
import type { ChartReader } from './services/chart-reader.js';
import { ConflictService } from './services/conflict-service.js';
import { ContactService } from './services/contact-service.js';
import { EditBases } from './services/edit-bases.js';
import { LocalWriter } from './services/local-writer.js';
import { RecordSyncStates } from './services/record-sync-state.js';
import { RejectedChanges } from './services/rejected-service.js';
import type { ReplicaReader } from './services/replica-reader.js';

export interface SyncReviewOptions {
  replica: ReplicaDatabase;
  /** The replica's SQLite file and key, where the bases of record edits are kept. */
  replicaFile: string;
  replicaKey: DatabaseKey | undefined;
  reader: ReplicaReader;
  readerFor: (patientId: string) => Promise<ChartReader | undefined>;
  outbox: Outbox;
  conflictLog: ConflictLog;
  replication: WorkstationReplication;
  server: ServerClient;
  audit: AuditTrail;
  clock: Clock;
  log: (component: string) => Logger;
}

export interface SyncReview {
  /** The writer every local write of the core goes through. */
  writer: LocalWriter;
  states: RecordSyncStates;
  contacts: ContactService;
  conflicts: ConflictService;
  rejected: RejectedChanges;
  /** The audit of push outcomes; the core ends them at close. */
  subscriptions: Subscription[];
  close(): void;
}

/**
 * Creates the services behind the chart's editable contact details, the per-record sync state and the
 * "Needs attention" screen, and the audit of every conflict and refusal the replication reports.
 */
export function createSyncReview(options: SyncReviewOptions): SyncReview {
  const { reader, outbox, conflictLog, replication, server, audit, clock, log } = options;
  const bases = new EditBases(options.replicaFile, options.replicaKey);
  const writer = new LocalWriter(options.replica, outbox, bases);
  const states = new RecordSyncStates(outbox, conflictLog);
  const auditLogger = log('audit');
  // AuditTrail logs its own write failures and never rejects.
  const auditConflict = (record: Parameters<AuditTrail['syncConflict']>[0]) => void audit.syncConflict(record);

  const subscriptions = [
    replication.conflicts$.subscribe(auditConflict),
    replication.outcomes$.subscribe((outcomes) => {
      for (const outcome of outcomes) {
        if (outcome.outcome !== 'rejected') continue;
        void auditRejection(outcome.collection, outcome.documentId, outcome.reason ?? 'no reason given');
      }
    }),
  ];

  async function auditRejection(collection: string, documentId: string, reason: string): Promise<void> {
    try {
      let patientId: string | null = null;
      if (collection === 'records') patientId = (await reader.record(documentId))?.patientId || null;
      if (collection === 'entries') patientId = (await reader.entry(documentId))?.patientId || null;
      await audit.syncRejection(documentId, patientId, reason);
    } catch (error) {
      auditLogger.error({ documentId, error: error instanceof Error ? error.message : String(error) }, 'writing the AuditEvent of a rejected document failed');
    }
  }

  return {
    writer,
    states,
    contacts: new ContactService({ reader, readerFor: options.readerFor, writer, states, conflicts: conflictLog, logger: log('contacts') }),
    conflicts: new ConflictService({ conflicts: conflictLog, reader, writer, clock, logger: log('conflicts') }),
    rejected: new RejectedChanges({
      outbox,
      conflicts: conflictLog,
      reader,
      writer,
      push: (collection, rows) => replication.authorization.request((token) => server.push(token, collection, rows)),
      bases,
      onConflict: auditConflict,
      clock,
      logger: log('rejected'),
    }),
    subscriptions,
    close: () => bases.close(),
  };
}
