import type { PushRejection } from '../../../sync/client/server-client.js';
import { isPermanentRejection } from '../../../sync/client/replication.js';
import type { PushRow, WireDocument } from '../../../sync/protocol/wire.js';
import type { WrittenCollection } from './local-writer.js';

/** Sends one push request with the workstation's sync token, as the replication does. */
export type PushRequest = (collection: WrittenCollection, rows: PushRow[]) => Promise<{ conflicts: WireDocument[]; rejected: PushRejection[] }>;

/** The server's verdict on one pushed document. */
export type DirectPushAnswer =
  | { kind: 'accepted' }
  | { kind: 'rejected'; reason: string }
  | { kind: 'conflict'; server: WireDocument };

/**
 * Pushes one document outside RxDB's replication and classifies the response. Errors that retrying
 * could cure (server unreachable, sign-in needed, 5xx) are thrown for the caller to report.
 */
export async function pushOne(push: PushRequest, collection: WrittenCollection, row: PushRow): Promise<DirectPushAnswer> {
  const id = row.newDocumentState.id;
  let result: Awaited<ReturnType<PushRequest>>;
  try {
    result = await push(collection, [row]);
  } catch (error) {
    if (isPermanentRejection(error)) return { kind: 'rejected', reason: error.message };
    throw error;
  }
  const rejection = result.rejected.find((entry) => entry.id === id);
  if (rejection) return { kind: 'rejected', reason: rejection.reason };
  const server = result.conflicts.find((document) => document.id === id);
  return server ? { kind: 'conflict', server } : { kind: 'accepted' };
}
