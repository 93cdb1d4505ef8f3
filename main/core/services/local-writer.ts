import type { Outbox } from '../../../sync/client/outbox.js';
import type { EntryDocument } from '../../../sync/protocol/documents.js';
import type { ReplicaDatabase } from '../../../sync/replica/replica.js';

/**
 * Every local write of the core goes through here: the outbox records it first, so the count of
 * unsent changes never under-reports, and a write that fails is taken back out of the outbox.
 */
export class LocalWriter {
  constructor(
    private readonly replica: ReplicaDatabase,
    private readonly outbox: Outbox,
  ) {}

  async insertEntry(document: EntryDocument): Promise<void> {
    const sequence = this.outbox.add('entries', document.id);
    try {
      await this.replica.entries.insert(document);
    } catch (error) {
      this.outbox.discard('entries', document.id, sequence);
      throw error;
    }
  }
}
