import type { Outbox } from '../../../sync/client/outbox.js';
import type { ReplicaDatabase } from '../../../sync/replica/replica.js';

/**
 * Drops the outbox rows of entries that are not in the replica. The local writer adds the row just
 * before the replica write, so that a push running meanwhile cannot confirm the write too early,
 * and a process killed between the two leaves a row for a write that never happened and was never
 * confirmed to the user. Entries are only ever inserted by their writer, so a missing entry means
 * exactly that. Runs at start, before the replication, while nothing else writes.
 *
 * A record edit killed the same way leaves a row for a record that is still there, unchanged. The
 * replication drops such rows when it starts (sync/client/unsent-rows.ts), because telling them
 * apart needs RxDB's record of what the server has.
 */
export async function dropLostEntryWrites(outbox: Outbox, replica: ReplicaDatabase): Promise<number> {
  const pending = outbox.pendingIn('entries');
  if (pending.size === 0) return 0;
  // Deleted entries count as present: a pending deletion is a real write.
  const found = new Set((await replica.entries.storageInstance.findDocumentsById([...pending.keys()], true)).map((document) => document.id));
  let dropped = 0;
  for (const [documentId, sequence] of pending) {
    if (found.has(documentId)) continue;
    outbox.discard('entries', documentId, sequence);
    dropped++;
  }
  return dropped;
}
