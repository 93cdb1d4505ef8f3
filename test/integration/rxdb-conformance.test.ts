import { randomBytes, randomUUID } from 'node:crypto';

import type { RxCollection, RxReplicationWriteToMasterRow, WithDeleted } from 'rxdb';
import type { RxReplicationState } from 'rxdb/plugins/replication';
import { replicateRxCollection } from 'rxdb/plugins/replication';
import type { HumanDocumentType } from 'rxdb/plugins/test-utils';
import { ensureReplicationHasNoErrors, runReplicationBaseTestSuite, setConfig } from 'rxdb/plugins/test-utils';
import { afterAll, beforeAll, describe, it } from 'vitest';

import type { CollectionName } from '../../sync/protocol/collections.js';
import type { Checkpoint, PushRow, WireDocument } from '../../sync/protocol/wire.js';
import { ServerClient } from '../../sync/client/server-client.js';
import type { SyncServer } from '../../sync/server/app.js';
import { createServer } from '../../sync/server/app.js';
import { CONFORMANCE_COLLECTION } from '../../sync/server/conformance-collection.js';
import type { TestDatabase } from '../support/postgres.js';
import { createTestDatabase } from '../support/postgres.js';
import { makeTempDirectory, useRxdbDevMode, validatedSqliteStorage } from '../support/replica.js';

/**
 * RxDB's replication conformance suite (runReplicationBaseTestSuite of rxdb/plugins/test-utils,
 * rxdb 17.6.0) against the reference server, on PostgreSQL and on PGlite, and the workstation's
 * client pieces: ServerClient's pull and push, handlers shaped as in sync/client/replication.ts,
 * and the replica's encrypted SQLite RxStorage under RxDB's schema validation. The suite's
 * documents go to the server's test-only generic collection (sync/server/conformance-collection.ts).
 */

type Human = WithDeleted<HumanDocumentType>;
type HumanCollection = RxCollection<HumanDocumentType>;

/** ServerClient's type lists only the product's collections, but the conformance routes follow the same URL pattern. */
const COLLECTION = CONFORMANCE_COLLECTION as CollectionName;
const WIRE_RESOURCE_TYPE = 'Human';
/** Small batches, so the suite's ten-document bulk insert spans several pulls and pushes. */
const BATCH_SIZE = 4;

/**
 * Wraps a human document in the wire envelope the protocol requires. For a collection without
 * attachments, RxDB's push rows carry only the document's fields and `_deleted` (no `_meta`, `_rev`
 * or `_attachments`), so the mapping and its inverse round-trip exactly, and the server's
 * comparison of assumed master states holds.
 */
function toWireDocument(human: Human): WireDocument {
  const { passportId, _deleted, ...fields } = human;
  return { id: passportId, resourceType: WIRE_RESOURCE_TYPE, resource: { resourceType: WIRE_RESOURCE_TYPE, ...fields }, _deleted };
}

function toHuman(document: WireDocument): Human {
  const { resourceType: _resourceType, ...fields } = document.resource;
  return { ...fields, passportId: document.id, _deleted: document._deleted } as Human;
}

function toPushRow(row: RxReplicationWriteToMasterRow<HumanDocumentType>): PushRow {
  return {
    newDocumentState: toWireDocument(row.newDocumentState),
    ...(row.assumedMasterState ? { assumedMasterState: toWireDocument(row.assumedMasterState) } : {}),
  };
}

/** A reference server with the conformance collection, and a nurse's token on it. */
interface ConformanceServer {
  server: SyncServer;
  client: ServerClient;
  token: string;
  /** Drops the PostgreSQL database, if the server has one. */
  cleanup(): Promise<void>;
}

type Backend = 'postgresql' | 'pglite';

async function startConformanceServer(backend: Backend): Promise<ConformanceServer> {
  const database: TestDatabase | undefined = backend === 'postgresql' ? await createTestDatabase('rxdb_conformance') : undefined;
  try {
    const server = await createServer({ ...(database ? { databaseUrl: database.url } : {}), seed: true, logLevel: 'silent', conformanceCollection: true });
    const client = new ServerClient({ baseUrl: server.url });
    const signIn = await client.signIn({ username: 'nurse', password: 'nurse-demo', workstationId: 'ws-conformance', wardId: 'ward-4a' });
    return {
      server,
      client,
      token: signIn.token,
      async cleanup() {
        try {
          await server.close();
        } finally {
          await database?.drop();
        }
      },
    };
  } catch (error) {
    await database?.drop();
    throw error;
  }
}

/** Starts a replication of `collection` with the conformance routes, as WorkstationReplication starts one per collection. */
function replicate(target: ConformanceServer, collection: HumanCollection, live: boolean, replicationIdentifier: string): RxReplicationState<HumanDocumentType, Checkpoint> {
  const { client, token } = target;
  const state = replicateRxCollection<HumanDocumentType, Checkpoint>({
    collection,
    replicationIdentifier,
    live,
    retryTime: 250,
    waitForLeadership: false,
    autoStart: true,
    pull: {
      batchSize: BATCH_SIZE,
      handler: async (checkpoint, batchSize) => {
        const response = await client.pull(token, COLLECTION, checkpoint, batchSize);
        return { documents: response.documents.map(toHuman), checkpoint: response.checkpoint ?? checkpoint };
      },
    },
    push: {
      batchSize: BATCH_SIZE,
      handler: async (rows) => {
        const result = await client.push(token, COLLECTION, rows.map(toPushRow));
        if (result.rejected.length > 0) throw new Error(`The conformance collection rejected ${result.rejected.length} documents, but it accepts every well-formed one`);
        return result.conflicts.map(toHuman);
      },
    },
  });
  ensureReplicationHasNoErrors(state);
  return state;
}

let replicaDirectory: { path: string; remove: () => void };

beforeAll(() => {
  useRxdbDevMode();
  replicaDirectory = makeTempDirectory('rxdb-conformance');
  const storage = validatedSqliteStorage(replicaDirectory.path, randomBytes(32).toString('hex'));
  setConfig({
    storage: {
      name: 'hms-sqlite',
      getStorage: () => storage,
      getPerformanceStorage: () => ({ storage, description: 'hms-sqlite, encrypted, ajv validation' }),
      hasPersistence: true,
      hasMultiInstance: false,
      hasAttachments: true,
      hasReplication: true,
    },
  });
});

afterAll(() => replicaDirectory?.remove());

// The suite registers its cases with Mocha's global describe and it.
Object.assign(globalThis, { describe, it });

describe.each<Backend>(['postgresql', 'pglite'])('RxDB replication conformance on %s', (backend) => {
  let target: ConformanceServer;

  beforeAll(async () => {
    target = await startConformanceServer(backend);
  });

  afterAll(() => target?.cleanup());

  runReplicationBaseTestSuite({
    startReplication: (collection) => replicate(target, collection, true, `conformance-live-${randomUUID()}`),
    async syncOnce(collection) {
      const state = replicate(target, collection, false, 'conformance-once');
      await state.awaitInitialReplication();
      await state.awaitInSync();
      await state.cancel();
    },
    async getAllServerDocs() {
      const { rows } = await target.server.database.query<{ document: WireDocument }>('SELECT document FROM conformance_documents');
      return rows.map((row) => toHuman(row.document));
    },
    async cleanUpServer() {
      await target.server.database.query('DELETE FROM conformance_documents');
    },
    // The server keeps deleted documents, so that pulls pass deletions on.
    softDeletes: true,
    isDeleted: (document: Human) => document._deleted,
    getPrimaryOfServerDoc: (document: Human) => document.passportId,
  });

  // NOTE: the sync protocol carries no attachments, so the suite's attachment cases
  // (syncOnceWithAttachments, syncOnceWithAttachmentsDisabled) are not configured.
});
