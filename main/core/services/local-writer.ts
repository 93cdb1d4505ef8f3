import type { Outbox } from '../../../sync/client/outbox.js';
import type { DocumentsByCollection, EntryDocument, RecordDocument } from '../../../sync/protocol/documents.js';
import type { WireDocument } from '../../../sync/protocol/wire.js';
import type { ReplicaDatabase } from '../../../sync/replica/replica.js';
import type { EditBases } from './edit-bases.js';

/** The collections the workstation writes and pushes. */
export type WrittenCollection = 'records' | 'entries';

/** RxDB's bookkeeping beside a stored document, which a rewrite keeps as RxDB handed it over. */
type StoredDocument<C extends WrittenCollection> = DocumentsByCollection[C] & { _deleted: boolean };

/**
 * Every local write of the core goes through here: the outbox records it first, so the count of
 * unsent changes never under-reports, and a write that fails is taken back out of the outbox.
 */
export class LocalWriter {
  constructor(
    private readonly replica: ReplicaDatabase,
    private readonly outbox: Outbox,
    /** Keeps the version each record edit started from, for a resend after a refusal. */
    private readonly bases?: EditBases,
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

  /**
   * Inserts entries in one replica write (one SQLite transaction), skipping those already stored:
   * entries made from the same source have the same ids, so writing them again changes nothing.
   * Returns the ids that were new.
   */
  async insertEntries(documents: readonly EntryDocument[]): Promise<string[]> {
    const ids = documents.map((document) => document.id);
    const stored = new Set((await this.replica.entries.findByIds(ids).exec()).keys());
    const fresh = documents.filter((document) => !stored.has(document.id));
    if (fresh.length === 0) return [];

    const sequences = fresh.map((document) => this.outbox.add('entries', document.id));
    let result: Awaited<ReturnType<ReplicaDatabase['entries']['bulkInsert']>>;
    try {
      result = await this.replica.entries.bulkInsert([...fresh]);
    } catch (error) {
      fresh.forEach((document, index) => this.outbox.discard('entries', document.id, sequences[index] as number));
      throw error;
    }
    const failed = new Set(result.error.map((error) => error.documentId));
    fresh.forEach((document, index) => {
      if (failed.has(document.id)) this.outbox.discard('entries', document.id, sequences[index] as number);
    });
    const realFailures = result.error.filter((error) => error.status !== 409);
    if (realFailures.length > 0) {
      throw new Error(`Storing ${realFailures.length} of ${fresh.length} entries failed (first: ${realFailures[0]?.documentId ?? '?'}, status ${realFailures[0]?.status ?? '?'})`);
    }
    return fresh.filter((document) => !failed.has(document.id)).map((document) => document.id);
  }

  /**
   * Rewrites a stored record with what `modify` returns for its latest state. RxDB runs `modify`
   * again if another write lands first, so it must be a pure function of its argument.
   */
  async updateRecord(documentId: string, modify: (current: RecordDocument) => RecordDocument): Promise<RecordDocument> {
    return this.#rewrite('records', documentId, modify);
  }

  /**
   * Stores `document` in place of the local copy of the same id, as it is: the version settled
   * with the server after a resend. It is pushed like any local write.
   */
  async replaceDocument<C extends WrittenCollection>(collection: C, document: DocumentsByCollection[C]): Promise<void> {
    await this.#rewrite(collection, document.id, () => document);
  }

  async #rewrite<C extends WrittenCollection>(collection: C, documentId: string, modify: (current: DocumentsByCollection[C]) => DocumentsByCollection[C]): Promise<DocumentsByCollection[C]> {
    const stored = await this.replica[collection].findOne(documentId).exec();
    if (!stored) throw new Error(`${documentId} is not in the ${collection} collection of this workstation's replica`);

    // A record with nothing unsent and nothing refused is as the server last sent it: the base of this edit.
    if (collection === 'records' && this.bases && this.outbox.sequences(collection, [documentId]).size === 0 && !this.outbox.rejection(collection, documentId)) {
      this.bases.remember(collection, { ...(stored.toJSON() as DocumentsByCollection[C]), _deleted: false } as unknown as WireDocument);
    }
    const sequence = this.outbox.add(collection, documentId);
    try {
      const written = await stored.incrementalModify((data) => {
        const current = data as unknown as StoredDocument<C>;
        return { ...current, ...modify(current) } as never;
      });
      return written.toJSON() as DocumentsByCollection[C];
    } catch (error) {
      this.outbox.discard(collection, documentId, sequence);
      throw error;
    }
  }
}
