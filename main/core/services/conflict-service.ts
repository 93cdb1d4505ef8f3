import { HmsApiError } from '../../../preload/api/errors.js';
import type { SessionInfo } from '../../../preload/api/schemas.js';
import type { ConflictDecision, SyncConflict } from '../../../preload/api/sync-review-schemas.js';
import type { ConflictLog, ConflictRecord } from '../../../sync/client/conflict-log.js';
import { sameContent } from '../../../sync/protocol/conflict-rules.js';
import type { FhirResource } from '../../../sync/protocol/documents.js';
import { toRecordDocument } from '../../../sync/protocol/documents.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logging/logger.js';
import { canKeepMine, conflictView } from './conflict-view.js';
import type { LocalWriter } from './local-writer.js';
import type { ReplicaReader } from './replica-reader.js';

export interface ConflictServiceOptions {
  conflicts: ConflictLog;
  reader: ReplicaReader;
  writer: LocalWriter;
  clock: Clock;
  logger: Logger;
}

/**
 * The review of push conflicts: listing them with both versions, and closing each with a person's
 * decision. Keeping the local version is a new local write over the record as it is now, so it
 * syncs like any edit, and the server checks it against its current version as usual.
 */
export class ConflictService {
  constructor(private readonly options: ConflictServiceOptions) {}

  async list(options: { includeClosed?: boolean | undefined; limit?: number | undefined } = {}): Promise<SyncConflict[]> {
    const records = this.options.conflicts.list({
      ...(options.includeClosed === undefined ? {} : { includeClosed: options.includeClosed }),
      ...(options.limit === undefined ? {} : { limit: options.limit }),
    });
    return this.#views(records);
  }

  async resolve(id: number, decision: ConflictDecision, session: SessionInfo): Promise<SyncConflict> {
    const record = this.options.conflicts.get(id);
    if (!record) throw new HmsApiError({ code: 'not-found', message: `No conflict ${id} on this workstation` });
    if (record.status !== 'open') {
      throw new HmsApiError({ code: 'conflict', message: `Conflict ${id} is already ${record.status}; reload the list` });
    }

    if (decision === 'keep-mine') await this.#writeLocalVersion(record);
    const closed = this.options.conflicts.closeConflict(id, {
      by: session.user.id,
      at: this.options.clock.now(),
      ...(decision === 'acknowledge' ? {} : { decision: decision === 'keep-mine' ? 'local' : 'server' }),
    });
    this.options.logger.info({ conflictId: id, documentId: record.documentId, decision }, 'conflict closed');
    return (await this.#views([closed]))[0] as SyncConflict;
  }

  /** Writes the local values of the elements in conflict over the record as it is now. */
  async #writeLocalVersion(record: ConflictRecord): Promise<void> {
    if (!canKeepMine(record)) {
      throw new HmsApiError({
        code: 'conflict',
        message: `Conflict ${record.id} was settled by the ${record.rule} rule, so the central server's version of this ${record.resourceType} is kept; acknowledge it instead`,
      });
    }
    const current = record.collection === 'records' ? await this.options.reader.record(record.documentId) : undefined;
    if (!current) {
      throw new HmsApiError({ code: 'not-found', message: `${record.documentId} is no longer on this workstation, so the local version cannot be written again` });
    }

    const resource = withElementsOf(current.resource, record.local.resource, record.overlapping);
    if (sameContent(resource, current.resource)) return;
    await this.options.writer.updateRecord(record.documentId, (latest) => ({
      ...latest,
      ...toRecordDocument(withElementsOf(latest.resource, record.local.resource, record.overlapping), { wardOfLocation: () => undefined }),
    }));
  }

  async #views(records: ConflictRecord[]): Promise<SyncConflict[]> {
    const patientIds = [...new Set(records.map((record) => record.patientId).filter(Boolean))];
    const patients = patientIds.length > 0 ? await this.options.reader.patients(patientIds) : new Map();
    return records.map((record) => conflictView(record, patients.get(record.patientId)));
  }
}

/** Copies `target` with each of `elements` taken from `source`, or removed where `source` has none. */
function withElementsOf(target: FhirResource, source: FhirResource, elements: string[]): FhirResource {
  const replaced = new Set(elements);
  const unchanged = Object.entries(target).filter(([key]) => !replaced.has(key));
  const fromSource = elements.filter((element) => source[element] !== undefined).map((element) => [element, source[element]] as const);
  return Object.fromEntries([...unchanged, ...fromSource]) as FhirResource;
}
