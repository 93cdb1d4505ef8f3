import type { FastifyInstance } from 'fastify';

import type { Checkpoint, PullResponse, PushResponse, PushRow, WireDocument } from '../protocol/wire.js';
import { pushRequest } from '../protocol/wire.js';
import { authenticate } from './auth.js';
import { compareCodeUnits, sameJson } from './canonical-json.js';
import type { ServerContext } from './context.js';
import type { Queryable } from './database/index.js';
import { badRequest, describeIssues } from './errors.js';
import { parseCheckpoint, parseLimit, singleValue } from './routes/pull.js';

/**
 * A generic collection for RxDB's replication conformance suite (runReplicationBaseTestSuite of
 * rxdb/plugins/test-utils), served only when createServer gets `conformanceCollection: true`.
 * Only tests set that option: main.ts and the demo start the server without it.
 *
 * It stores wire documents by id exactly as pushed, with no FHIR validation, no role check beyond a
 * valid token, and no ward scope. Pull and push follow the product's rules: the feed is ordered by
 * (txid, id) and stops below `pg_snapshot_xmin`, and a push compares each row's assumed master
 * state with the stored document under a row lock. The event stream does not announce its
 * changes, because its resync events name only the product's collections.
 */

export const CONFORMANCE_COLLECTION = 'conformance';

const SCHEMA_SQL = [
  `CREATE TABLE IF NOT EXISTS conformance_documents (
    id text COLLATE "C" PRIMARY KEY,
    document jsonb NOT NULL,
    txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    updated_at timestamptz
  )`,
  // The shared trigger function below sets updated_at too.
  `ALTER TABLE conformance_documents ADD COLUMN IF NOT EXISTS updated_at timestamptz`,
  `CREATE INDEX IF NOT EXISTS conformance_documents_feed ON conformance_documents (txid, id)`,
  // documents_set_txid comes from schema.ts, which createServer runs first.
  `CREATE OR REPLACE TRIGGER conformance_documents_set_txid BEFORE INSERT OR UPDATE ON conformance_documents
   FOR EACH ROW EXECUTE FUNCTION documents_set_txid()`,
];


/** Reads the feed after `after` in (txid, id) order, only rows of transactions that have ended (see routes/pull.ts). */
async function readConformanceChanges(database: Queryable, after: Checkpoint | null, limit: number): Promise<PullResponse> {
  const parameters: unknown[] = [limit];
  let afterCheckpoint = '';
  if (after) {
    parameters.push(after.txid, after.id);
    afterCheckpoint = `AND (conformance_documents.txid, conformance_documents.id) > ($2::xid8, $3::text COLLATE "C")`;
  }
  const { rows } = await database.query<{ id: string; document: WireDocument; txid: string }>(
    `WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
     SELECT conformance_documents.id, conformance_documents.document, conformance_documents.txid::text AS txid
     FROM conformance_documents, horizon
     WHERE conformance_documents.txid < horizon.xmin
       ${afterCheckpoint}
     ORDER BY conformance_documents.txid, conformance_documents.id
     LIMIT $1`,
    parameters,
  );
  const last = rows.at(-1);
  return { documents: rows.map((row) => row.document), checkpoint: last ? { txid: last.txid, id: last.id } : after };
}

async function lockConformanceDocument(transaction: Queryable, id: string): Promise<WireDocument | undefined> {
  const { rows } = await transaction.query<{ document: WireDocument }>('SELECT document FROM conformance_documents WHERE id = $1 FOR UPDATE', [id]);
  return rows[0]?.document;
}

/**
 * Writes each row whose assumed master state equals the stored document, inserts rows with
 * nothing stored, treats a row equal to the stored document as a replay, and returns the stored
 * document of every other row as a conflict.
 */
async function applyConformancePush(transaction: Queryable, rows: readonly PushRow[]): Promise<WireDocument[]> {
  const conflicts: WireDocument[] = [];
  // Two pushes of the same documents take their row locks in the same (id) order, so neither
  // can hold a lock the other one needs before its own.
  const ordered = [...rows].sort((a, b) => compareCodeUnits(a.newDocumentState.id, b.newDocumentState.id));
  for (const { newDocumentState, assumedMasterState } of ordered) {
    const id = newDocumentState.id;
    if (assumedMasterState !== undefined && assumedMasterState.id !== id) {
      throw badRequest(`Document ${id}: assumedMasterState has another id, ${assumedMasterState.id}`);
    }
    let stored = await lockConformanceDocument(transaction, id);
    if (!stored) {
      const { rowCount } = await transaction.query(
        'INSERT INTO conformance_documents (id, document) VALUES ($1, $2::text::jsonb) ON CONFLICT (id) DO NOTHING',
        [id, JSON.stringify(newDocumentState)],
      );
      if (rowCount > 0) continue;
      // A concurrent push inserted this id after the lock found nothing: compare with its row.
      stored = await lockConformanceDocument(transaction, id);
      if (!stored) throw new Error(`Document ${id} is neither insertable nor present`);
    }
    if (sameJson(stored, newDocumentState)) continue;
    if (assumedMasterState !== undefined && sameJson(stored, assumedMasterState)) {
      await transaction.query('UPDATE conformance_documents SET document = $2::text::jsonb WHERE id = $1', [id, JSON.stringify(newDocumentState)]);
    } else {
      conflicts.push(stored);
    }
  }
  return conflicts;
}

/** Creates the collection's table and serves `GET /sync/conformance/pull` and `POST /sync/conformance/push`. */
export async function enableConformanceCollection(app: FastifyInstance, context: ServerContext): Promise<void> {
  const { database } = context;
  await database.transaction(async (transaction) => {
    for (const statement of SCHEMA_SQL) await transaction.query(statement);
  });

  // Fastify's router matches these static paths before the product's /sync/:collection routes.
  const onRequest = { onRequest: (request: Parameters<typeof authenticate>[1]) => authenticate(context, request) };
  app.get(`/sync/${CONFORMANCE_COLLECTION}/pull`, onRequest, async (request): Promise<PullResponse> => {
    const query = request.query as Record<string, unknown>;
    return readConformanceChanges(database, parseCheckpoint(singleValue(query.checkpoint)), parseLimit(singleValue(query.limit)));
  });
  app.post(`/sync/${CONFORMANCE_COLLECTION}/push`, onRequest, async (request): Promise<PushResponse> => {
    const parsed = pushRequest.safeParse(request.body);
    if (!parsed.success) throw badRequest(`Invalid push request: ${describeIssues(parsed.error)}`);
    const conflicts = await database.transaction((transaction) => applyConformancePush(transaction, parsed.data.rows));
    request.log.info({ collection: CONFORMANCE_COLLECTION, rows: parsed.data.rows.length, conflicts: conflicts.length }, 'conformance push applied');
    return { conflicts, conflictAuthors: [], rejected: [] };
  });
}
