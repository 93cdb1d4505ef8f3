import type { PushRow } from '../protocol/wire.js';

/**
 * Largest push request body the replication sends, in bytes of JSON. RxDB bounds a batch by its
 * count of documents only, and a batch of large documents would otherwise make one slow request
 * that a poor ward network times out again and again. A single larger row still goes, alone.
 */
export const MAX_PUSH_BYTES = 1024 * 1024;

/** Splits `rows` in order into runs whose JSON stays within `maxBytes`, each with at least one row. */
export function splitByBytes(rows: readonly PushRow[], maxBytes = MAX_PUSH_BYTES): PushRow[][] {
  const runs: PushRow[][] = [];
  let current: PushRow[] = [];
  let size = 0;
  for (const row of rows) {
    // The separating comma and the request's envelope are small next to the bound.
    const rowBytes = Buffer.byteLength(JSON.stringify(row)) + 1;
    if (current.length > 0 && size + rowBytes > maxBytes) {
      runs.push(current);
      current = [];
      size = 0;
    }
    current.push(row);
    size += rowBytes;
  }
  if (current.length > 0) runs.push(current);
  return runs;
}
