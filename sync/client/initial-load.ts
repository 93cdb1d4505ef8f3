import type { RxDocumentData } from 'rxdb';
import { now } from 'rxdb';

import type { CollectionName } from '../protocol/collections.js';
import type { Checkpoint, WireDocument } from '../protocol/wire.js';
import type { ReplicaDatabase } from '../replica/replica.js';
import type { InitialLoadProgress } from '../replica/sqlite/initial-load-target.js';
import { InitialLoadTarget } from '../replica/sqlite/initial-load-target.js';
import type { Logger } from './logger.js';
import type { DocumentText } from './pull-lines.js';
import { CLOSING_BRACE } from './pull-lines.js';

/**
 * The initial load: the first pull of a collection into a replica, in large pages written straight
 * into the storage, before RxDB's replication starts from where the load ended.
 *
 * RxDB's replication pulls a page, looks up every document in the replica and in its meta data,
 * writes the documents, then writes a copy of each as its assumed master state, and commits four
 * times per page. For 700,000 documents that took about 150 s (docs/benchmarks.md). A collection
 * that was never pulled holds only what was written here, so the load writes each page in one
 * transaction, as RxDB's downstream would have left it:
 *
 * - each document gets the revision and the `_meta.o` origin mark that RxDB's downstream gives a
 *   pulled document, so a later pull of a newer version replaces it although no meta row records
 *   what the server sent. RxDB's meta row of a loaded document is written only when a local
 *   write first replaces it (sync/replica/sqlite/loaded-copies.ts): writing one per document
 *   doubled the cost of a loaded Patient;
 * - every loaded document has the same `_meta.lwt`, just before the oldest document already in
 *   the collection, and the replication's upstream starts after the loaded ones. It neither
 *   reads nor pushes them back, while every document written here, before the load (the
 *   sign-in's AuditEvent) or during it, comes later and is pushed;
 * - a document written here before the load is never overwritten: RxDB's replication settles it
 *   with the server's copy as it settles any local write the server also has.
 *
 * The load runs only when RxDB has never pulled the collection under its replication identifier,
 * and resumes after its last committed page when the workstation stopped in the middle.
 */

export interface InitialLoadPage {
  documents: WireDocument[];
  /** The JSON of each document as the server sent it, when the page came as lines. */
  texts?: DocumentText[] | undefined;
  checkpoint: Checkpoint | null;
}

export interface InitialLoadOptions {
  replica: ReplicaDatabase;
  collection: CollectionName;
  /** RxDB's replication identifier of the collection (`replicateRxCollection`'s). */
  replicationIdentifier: string;
  /** The replication's meta instance, from `RxReplicationState.metaInfoPromise`. */
  meta: Promise<{ collectionName: string; schema: unknown }>;
  pageSize: number;
  /**
   * Fetches the page after `checkpoint`; `first` is true for the first request of this run, which
   * requests the count of documents to come. It retries failures itself and throws only to stop.
   */
  fetchPage: (checkpoint: Checkpoint | undefined, first: boolean) => Promise<InitialLoadPage>;
  /** RxDB's pull modifier of the collection, applied to every document of a page as the replication would. */
  modifier: (documents: WireDocument[]) => WireDocument[];
  /** Tells whether the replication was cancelled meanwhile, which ends the load between pages. */
  stopped: () => boolean;
  logger: Logger;
}

/**
 * Runs or resumes the initial load of one collection. Its last page stores RxDB's checkpoints in
 * the same transaction, so the replication, started afterwards, goes on from the end of the load
 * as if it had pulled every page itself. Storing them beats RxDB's `initialCheckpoint`: with
 * one, RxDB 17.6 awaits a read before it subscribes to its cancel subject, and a cancel in between
 * rejects with an EmptyError that nothing handles. Resolves without loading when RxDB has pulled
 * the collection before (its downstream checkpoint exists) or the storage is not SQLite.
 *
 * When a load fails, the upstream's checkpoint is stored after the documents loaded so far, and
 * the error goes on. The replication then pulls everything again, page by page, but pushes only
 * what was written here, not every loaded document.
 */
export async function runInitialLoad(options: InitialLoadOptions): Promise<void> {
  const { replica, collection } = options;
  const meta = await options.meta;
  const target = await InitialLoadTarget.open<WireDocument, Checkpoint>({
    storage: replica.storage,
    databaseName: replica.name,
    databaseToken: replica.token,
    collectionName: replica[collection].name,
    schema: replica[collection].schema.jsonSchema as never,
    meta: meta as never,
    replication: options.replicationIdentifier,
  });
  if (!target) return;
  try {
    if (await target.hasReplicationCheckpoint()) return;
    let progress = target.readProgress();
    if (!progress) {
      const hash = await replica.hashFunction(`rxdbreplication${options.replicationIdentifier}`);
      // Before every stored document, and before anything written from now on.
      const lwt = Math.min(now(), (await target.firstWriteTime()) ?? Infinity) - 1;
      progress = { checkpoint: null, lwt, lastId: '', stored: 0, done: false, revision: `1-${hash}` };
    }
    // A finished load with nothing in the feed has no checkpoint to hand over: RxDB starts from the beginning.
    if (progress.done) return;
    target.useRollbackJournal();
    try {
      await load(options, target, progress);
    } catch (error) {
      const stored = target.readProgress();
      if (stored && stored.stored > 0) target.storeUpstreamCheckpoint({ id: stored.lastId, lwt: stored.lwt }, stored.revision);
      throw error;
    } finally {
      target.useWriteAheadLog();
    }
  } finally {
    await target.close();
  }
}

async function load(
  options: InitialLoadOptions,
  target: InitialLoadTarget<WireDocument, Checkpoint>,
  start: InitialLoadProgress<Checkpoint>,
): Promise<InitialLoadProgress<Checkpoint>> {
  const { collection, logger } = options;
  const { revision } = start;
  // RxDB's downstream marks what it wrote with the hash of the replication identifier, as in the revision.
  const origin = { _rev: 1, hash: revision.slice(2) };
  const startedAt = Date.now();
  logger.info({ collection, resumedAt: start.stored }, start.stored > 0 ? 'initial load resumed' : 'initial load started');

  let progress = start;
  let keptLocal = 0;
  const request = (checkpoint: Checkpoint | undefined, first: boolean) => {
    const page = options.fetchPage(checkpoint, first);
    // A stop ends the loop without awaiting the request in flight: its rejection is not unhandled.
    page.catch(() => undefined);
    return page;
  };
  // The next page is requested while this one is written, so the server and the replica work at once.
  let next: Promise<InitialLoadPage> | undefined = request(progress.checkpoint ?? undefined, true);
  while (next && !options.stopped()) {
    const page: InitialLoadPage = await next;
    const checkpoint = page.checkpoint ?? progress.checkpoint;
    const more = page.documents.length >= options.pageSize && checkpoint !== null;
    next = more ? request(checkpoint, false) : undefined;
    // The request goes out only once its chain of awaits (back-off, token) has run, and the page's
    // write below is synchronous. Without this turn of the event loop the request waited for the
    // write, so the server's response did not overlap it. With only the entries left to load, the
    // load then waited about 14 ms for every page of 1,000.
    if (next) await new Promise((resolve) => setImmediate(resolve));

    const { lwt } = progress;
    const documents: RxDocumentData<WireDocument>[] = [];
    const pulledTexts: (DocumentText | undefined)[] = [];
    let lastId = progress.lastId;
    options.modifier(page.documents).forEach((master, index) => {
      // The pulled objects are this page's own, so they become the stored documents without a copy.
      const document = master as RxDocumentData<WireDocument>;
      document._attachments = {};
      document._rev = revision;
      document._meta = { lwt, o: origin };
      documents.push(document);
      // A document the modifier replaced no longer matches its text.
      pulledTexts.push(master === page.documents[index] ? page.texts?.[index] : undefined);
      if (master.id > lastId) lastId = master.id;
    });
    const texts = storedTexts(pulledTexts, storedFields(revision, lwt, origin));
    progress = { ...progress, checkpoint, lastId, stored: progress.stored + documents.length, done: !more };
    // The last page hands over to RxDB's replication: its downstream goes on after the feed's last
    // position, and its upstream after the loaded documents.
    const handOver = progress.done && checkpoint !== null ? { downstream: checkpoint, upstream: { id: lastId, lwt } } : undefined;
    const written = await target.write(documents, (stored) => stored._rev === revision && stored._meta.lwt === lwt, progress, handOver, texts);
    keptLocal += written.kept;
  }
  if (progress.done) {
    const seconds = (Date.now() - startedAt) / 1000;
    logger.info({ collection, documents: progress.stored, keptLocal, seconds, perSecond: Math.round((progress.stored - start.stored) / Math.max(seconds, 0.001)) }, 'initial load finished');
  }
  return progress;
}

/** Returns the JSON of the fields the load adds to each document, after a comma, as `withStoredFields` appends them. */
function storedFields(revision: string, lwt: number, origin: { _rev: number; hash: string }): string {
  return `,"_attachments":{},"_rev":${JSON.stringify(revision)},"_meta":${JSON.stringify({ lwt, o: origin })}}`;
}

/**
 * Returns the stored JSON of a document from the text the server sent: the same object with the
 * load's fields added last, as JSON.stringify writes the document after the load set them. Should the
 * text already have one of those fields, JSON.parse keeps the last one, as the assignment does.
 * Returns undefined for a text that does not end an object, which is then serialised instead. The
 * wire schema requires an id, so a document's text is never an empty object.
 */
function withStoredFields(text: string, fields: string): string | undefined {
  const end = text.lastIndexOf('}');
  if (end === -1 || text.slice(end + 1).trim() !== '') return undefined;
  return text.slice(0, end) + fields;
}

/**
 * Returns the stored JSON of each document of a page from what the server sent, as
 * withStoredFields does, or undefined where there is none. A document's UTF-8 bytes end with its
 * closing brace (pull-lines.ts). The bytes of the whole page go into one buffer: a buffer per
 * document took 5 % of the core's CPU at full scale, most of it allocating Node's 8 KB pools.
 */
function storedTexts(texts: readonly (DocumentText | undefined)[], fields: string): (DocumentText | undefined)[] {
  const fieldBytes = Buffer.from(fields);
  const closed = (text: Buffer) => text[text.length - 1] === CLOSING_BRACE;
  let size = 0;
  for (const text of texts) {
    if (Buffer.isBuffer(text) && closed(text)) size += text.length - 1 + fieldBytes.length;
  }
  const bytes = Buffer.allocUnsafe(size);
  let offset = 0;
  return texts.map((text) => {
    if (text === undefined) return undefined;
    if (typeof text === 'string') return withStoredFields(text, fields);
    if (!closed(text)) return undefined;
    const start = offset;
    offset += text.copy(bytes, offset, 0, text.length - 1);
    offset += fieldBytes.copy(bytes, offset);
    return bytes.subarray(start, offset);
  });
}
