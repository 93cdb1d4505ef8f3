import type { RxConflictHandler } from 'rxdb';

import type { ConflictDocument } from '../protocol/conflict-rules.js';
import { resolveConflict, sameDocument } from '../protocol/conflict-rules.js';

/**
 * RxDB's conflict handler for the pushed collections: equality is the server's equality of
 * replicated content (see sameDocument), and a push conflict is settled
 * by the documented rule of the resource type (sync/protocol/conflict-rules.ts). The handler only
 * decides; the replication records each settled conflict from RxDB's `conflict$` events.
 */
export function replicaConflictHandler<T extends ConflictDocument>(): RxConflictHandler<T> {
  return {
    isEqual: (a, b) => sameDocument(a as ConflictDocument, b as ConflictDocument),
    resolve: async (input) => {
      const resolution = resolveConflict<ConflictDocument>({
        local: input.newDocumentState as ConflictDocument,
        master: input.realMasterState as ConflictDocument,
        base: input.assumedMasterState as ConflictDocument | undefined,
      });
      return resolution.document as typeof input.realMasterState;
    },
  };
}
