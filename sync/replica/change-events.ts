import type { RxChangeEvent, RxChangeEventBulk, RxCollection } from 'rxdb';
import type { Observable } from 'rxjs';
import { mergeMap } from 'rxjs/operators';

/**
 * A collection's `$` (and `insert$`, `update$` and `remove$`, which RxDB derives from it) without
 * RxDB's memory leak.
 *
 * In rxdb 17.6, `collection.$` turns each change bulk into events through
 * `rxChangeEventBulkToRxChangeEvents` (rx-change-event.ts), which caches the result in a
 * module-level `Map` keyed by the bulk and never deletes an entry. While anything subscribes to
 * `$`, as the core and the patient index do, every written document stays on the heap. In
 * bench/initial-sync.ts, an initial sync of 70,000 documents left 309 MB of heap in use after
 * garbage collection, and a heap snapshot showed nearly all of the documents held by that Map.
 *
 * The replacement builds the same events from `eventBulks$` and caches them in a WeakMap, so that
 * subscribers share one array per bulk and the arrays go with their bulk. Unlike RxDB's, its
 * events are not deep-frozen in RxDB's dev-mode.
 */

type AnyEventBulk = RxChangeEventBulk<unknown>;
type AnyChangeEvent = RxChangeEvent<unknown>;

const eventsByBulk = new WeakMap<AnyEventBulk, AnyChangeEvent[]>();

function changeEventsOf(bulk: AnyEventBulk): AnyChangeEvent[] {
  const cached = eventsByBulk.get(bulk);
  if (cached) return cached;
  const events = bulk.events.map(
    (event) =>
      ({
        documentId: event.documentId,
        collectionName: bulk.collectionName,
        isLocal: bulk.isLocal,
        operation: event.operation,
        documentData: event.documentData,
        previousDocumentData: event.previousDocumentData,
      }) as AnyChangeEvent,
  );
  eventsByBulk.set(bulk, events);
  return events;
}

/** Replaces `collection.$` by the same change events without RxDB's unbounded cache (see above). */
export function replaceChangeEventStream(collection: RxCollection): void {
  // NOTE: `$` is a public, writable property of RxCollection in rxdb 17.6. Recheck this after an
  // rxdb upgrade: a version that caches in a WeakMap makes this replacement unnecessary.
  collection.$ = (collection.eventBulks$ as Observable<AnyEventBulk>).pipe(mergeMap((bulk) => changeEventsOf(bulk))) as typeof collection.$;
}
