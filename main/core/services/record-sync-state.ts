import type { RecordSyncState } from '../../../preload/api/schemas.js';
import type { ConflictLog } from '../../../sync/client/conflict-log.js';
import type { Outbox } from '../../../sync/client/outbox.js';
import type { WrittenCollection } from './local-writer.js';

/**
 * Tells the chart the sync state of each of its records. A refusal comes first
 * and an open conflict next, because a person must act on them; a document edited again after a
 * conflict is pending too, but the conflict is what the chart shows.
 */
export class RecordSyncStates {
  constructor(
    private readonly outbox: Outbox,
    private readonly conflicts: ConflictLog,
  ) {}

  /** Returns the state of each document id of `collection`; ids unknown to the outbox are synced. */
  of(collection: WrittenCollection, documentIds: string[]): Map<string, RecordSyncState> {
    const rejected = this.outbox.rejectedAmong(collection, documentIds);
    const conflicted = this.conflicts.openAmong(collection, documentIds);
    const pending = new Set(this.outbox.pendingAmong(collection, documentIds));
    const states = new Map<string, RecordSyncState>();
    for (const id of documentIds) {
      if (rejected.has(id)) states.set(id, 'rejected');
      else if (conflicted.has(id)) states.set(id, 'conflict');
      else if (pending.has(id)) states.set(id, 'pending');
      else states.set(id, 'synced');
    }
    return states;
  }

  /** Returns the state of one document. */
  ofOne(collection: WrittenCollection, documentId: string): RecordSyncState {
    return this.of(collection, [documentId]).get(documentId) ?? 'synced';
  }
}
