import { HmsApiError } from '../../../preload/api/errors.js';
import type { ChangeKind, PushedCollection, RejectedChange, ResendResult } from '../../../preload/api/sync-review-schemas.js';
import type { ConflictLog, ConflictRecord } from '../../../sync/client/conflict-log.js';
import type { Outbox } from '../../../sync/client/outbox.js';
import type { ConflictDocument } from '../../../sync/protocol/conflict-rules.js';
import { resolveConflict, sameDocument } from '../../../sync/protocol/conflict-rules.js';
import type { EntryDocument, RecordDocument } from '../../../sync/protocol/documents.js';
import { SPO2_SCALE_KEY, VITAL_SIGNS_PANEL_KEY } from '../../../sync/protocol/fhir/vital-signs.js';
import type { WireDocument } from '../../../sync/protocol/wire.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logging/logger.js';
import type { DirectPushAnswer, PushRequest } from './direct-push.js';
import type { EditBases } from './edit-bases.js';
import { pushOne } from './direct-push.js';
import { displayName, mrn } from './fhir-views.js';
import type { LocalWriter } from './local-writer.js';
import type { ReplicaReader } from './replica-reader.js';

export interface RejectedChangesOptions {
  outbox: Outbox;
  conflicts: ConflictLog;
  reader: ReplicaReader;
  writer: LocalWriter;
  push: PushRequest;
  /** The versions record edits started from; without one a resend is judged with no base. */
  bases?: EditBases;
  /** Called for a conflict that a resend met, so that it is audited like the replication's. */
  onConflict: (record: ConflictRecord) => void;
  clock: Clock;
  logger: Logger;
}

type StoredDocument = RecordDocument | EntryDocument;

/**
 * Local changes the central server refused for good, and their resend.
 *
 * A resend pushes the document itself instead of leaving it to RxDB's replication. After the
 * refused push, RxDB took the refused version for the server's, so it would not send the same
 * content again. An edit on top of it would be pushed against a version the server never had.
 *
 * The direct push of a record carries the version its edit started from (see EditBases) as the
 * assumed master state, and an entry carries none. The server stores the document where it has
 * that version or none, and otherwise returns its own, which the conflict rules then settle
 * against the same base. Without a kept base, every element the two versions hold differently
 * is kept for review.
 */
export class RejectedChanges {
  constructor(private readonly options: RejectedChangesOptions) {}

  async list(): Promise<RejectedChange[]> {
    const rows = this.options.outbox.rejected();
    const documents = await Promise.all(rows.map((row) => this.#read(row.collection, row.documentId)));
    const patientIds = [...new Set(documents.map((document) => document?.patientId ?? '').filter(Boolean))];
    const patients = patientIds.length > 0 ? await this.options.reader.patients(patientIds) : new Map<string, RecordDocument>();

    return rows.map((row, index): RejectedChange => {
      const document = documents[index];
      const patientId = document?.patientId || null;
      const patient = patientId ? patients.get(patientId) : undefined;
      return {
        collection: row.collection as PushedCollection,
        documentId: row.documentId,
        resourceType: document?.resourceType ?? row.documentId.split('/')[0] ?? '',
        kind: kindOf(document),
        patientId,
        patientName: patient ? displayName(patient.resource) : null,
        mrn: patient ? mrn(patient.resource) : null,
        effectiveAt: document && 'effective' in document ? document.effective : null,
        reason: row.reason,
        rejectedAt: row.rejectedAt,
      };
    });
  }

  async resend(collection: PushedCollection, documentId: string): Promise<ResendResult> {
    const { outbox, clock, logger } = this.options;
    const rejection = outbox.rejection(collection, documentId);
    if (!rejection) throw new HmsApiError({ code: 'not-found', message: `${documentId} is not in the rejected list of this workstation; it may have been resent already` });
    const document = await this.#read(collection, documentId);
    if (!document) throw new HmsApiError({ code: 'not-found', message: `${documentId} is no longer on this workstation, so it cannot be resent` });

    const local = toWire(document);
    const base = collection === 'records' ? this.options.bases?.get(collection, documentId) : undefined;
    const sequence = outbox.add(collection, documentId);
    let answer: DirectPushAnswer;
    try {
      answer = await pushOne(this.options.push, collection, { newDocumentState: local, ...(base ? { assumedMasterState: base } : {}) });
    } catch (error) {
      outbox.reject(collection, documentId, rejection.reason, new Date(rejection.rejectedAt));
      logger.warn({ documentId, reason: error instanceof Error ? error.name : 'unknown' }, 'resend of a rejected document failed; it stays in the rejected list');
      throw new HmsApiError({ code: 'unavailable', message: `${documentId} was not resent because the central server did not take the request (${describe(error)}); it stays in the list, so resend it when the workstation is online` });
    }

    const result = { collection, documentId, patientId: document.patientId || null };
    if (answer.kind === 'rejected') {
      outbox.reject(collection, documentId, answer.reason, clock.now());
      logger.warn({ documentId }, 'the central server rejected a resent document again');
      return { ...result, outcome: 'rejected', reason: answer.reason, conflictId: null };
    }
    if (answer.kind === 'accepted') {
      outbox.confirm(collection, new Map([[documentId, sequence]]));
      this.options.bases?.forget(collection, documentId);
      logger.info({ documentId }, 'the central server accepted a resent document');
      return { ...result, outcome: 'accepted', reason: null, conflictId: null };
    }

    const record = await this.#settleConflict(collection, local, answer.server, base);
    const open = record?.status === 'open';
    return { ...result, outcome: open ? 'conflict' : 'accepted', reason: null, conflictId: record?.id ?? null };
  }

  /**
   * Settles a resend the server met with its own version: records the conflict, stores the
   * settled version on the server when it keeps local content, and then in the replica. Its push
   * by the replication finds that version already stored, which confirms the outbox entry.
   */
  async #settleConflict(collection: PushedCollection, local: WireDocument, server: WireDocument, base: WireDocument | undefined): Promise<ConflictRecord | undefined> {
    const { conflicts, clock, logger } = this.options;
    const resolution = resolveConflict<ConflictDocument>({ local: local as ConflictDocument, master: server as ConflictDocument, base: base as ConflictDocument | undefined });
    const record = conflicts.record({ collection, local: local as ConflictDocument, server: server as ConflictDocument, resolution, detectedAt: clock.now() });
    if (record) this.options.onConflict(record);

    let settled = resolution.document as WireDocument;
    if (!sameDocument(resolution.document, server as ConflictDocument)) {
      const second = await pushOne(this.options.push, collection, { newDocumentState: settled, assumedMasterState: server }).catch((error: unknown) => ({ kind: 'failed' as const, error }));
      // The server's copy changed again in between, or the server became unreachable. Its version
      // is stored for now, and the conflict record keeps the local version for review.
      if (second.kind !== 'accepted') settled = server;
    }
    // The server now has `settled`: a later resend of this record starts from it.
    if (collection === 'records') this.options.bases?.remember(collection, settled);
    await this.options.writer.replaceDocument(collection, settled as never);
    logger.info({ documentId: local.id, conflictId: record?.id, outcome: resolution.outcome }, 'a resent change met another version on the central server');
    return record;
  }

  async #read(collection: string, documentId: string): Promise<StoredDocument | undefined> {
    if (collection === 'records') return this.options.reader.record(documentId);
    if (collection === 'entries') return this.options.reader.entry(documentId);
    return undefined;
  }
}

/** Returns the document as the replication pushes it: the stored fields and RxDB's deletion flag. */
function toWire(document: StoredDocument): WireDocument {
  return { ...document, _deleted: false } as WireDocument;
}

function kindOf(document: StoredDocument | undefined): ChangeKind {
  switch (document?.resourceType) {
    case 'Observation': {
      const code = 'code' in document ? document.code : '';
      if (code === VITAL_SIGNS_PANEL_KEY) return 'vital-signs';
      return code === SPO2_SCALE_KEY ? 'spo2-scale' : 'other';
    }
    case 'Patient':
      return 'patient';
    case 'AllergyIntolerance':
      return 'allergy';
    case 'Encounter':
      return 'encounter';
    case 'AuditEvent':
      return 'audit-event';
    default:
      return 'other';
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : 'unknown error';
}
