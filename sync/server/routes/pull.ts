import type { FastifyInstance } from 'fastify';

import type { CollectionName } from '../../protocol/collections.js';
import type { Checkpoint, PullLinesHeader, PullResponse } from '../../protocol/wire.js';
import { checkpoint as checkpointSchema, PULL_LINES_MEDIA_TYPE, PULL_LINES_SUMMARY_PARAMETER } from '../../protocol/wire.js';
import type { Session } from '../auth.js';
import { authenticate, sessionOf } from '../auth.js';
import type { ServerContext } from '../context.js';
import type { Queryable } from '../database/index.js';
import { LATE_ENTRY_WINDOW } from '../ward-membership.js';
import { badRequest, quoteValue } from '../errors.js';
import { collectionParameter } from './collection-parameter.js';
import { PagePrefetch } from './page-prefetch.js';

export const DEFAULT_PULL_LIMIT = 100;
export const MAX_PULL_LIMIT = 1000;
/** xid8 is an unsigned 64-bit integer. */
const XID8_LIMIT = 2n ** 64n;

export function singleValue(value: unknown): string | undefined {
  return Array.isArray(value) ? (value[0] as string | undefined) : (value as string | undefined);
}

export function parseCheckpoint(value: string | undefined): Checkpoint | null {
  if (value === undefined || value === '' || value === 'null') return null;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw badRequest(`Invalid checkpoint ${quoteValue(value)}: expected JSON such as {"txid":"1234","id":"Patient/abc"}`);
  }
  if (json === null) return null;
  const parsed = checkpointSchema.safeParse(json);
  if (!parsed.success || BigInt(parsed.data.txid) >= XID8_LIMIT) {
    throw badRequest(`Invalid checkpoint ${quoteValue(value)}: expected {"txid":"<decimal transaction id>","id":"<document id>"}`);
  }
  return parsed.data;
}

export function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PULL_LIMIT;
  const limit = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PULL_LIMIT) {
    throw badRequest(`Invalid limit ${quoteValue(value)}: expected an integer from 1 to ${MAX_PULL_LIMIT}`);
  }
  return limit;
}

/** The WHERE clause of one workstation's change feed, with its parameters from $1. */
interface FeedConditions {
  sql: string;
  parameters: unknown[];
}

/**
 * Selects the collection's documents after `after` within the session's ward, without AuditEvents,
 * and only those written by transactions below `pg_snapshot_xmin`. Every such transaction has
 * ended, so no row can later appear behind a returned checkpoint. A row of a transaction that is
 * still open, and every row written after it, waits for the next pull. The caller's statement must
 * name the horizon `horizon` (see HORIZON).
 */
function feedConditions(collection: CollectionName, session: Pick<Session, 'wardId'>, after: Checkpoint | null, purpose: 'page' | 'count' = 'page'): FeedConditions {
  const parameters: unknown[] = [collection, session.wardId];
  // A ward keeps receiving a patient's documents for LATE_ENTRY_WINDOW after they leave it: so its
  // workstations learn of the discharge or transfer itself, and later of their own late entries.
  //
  // The membership checks are scalar subqueries on purpose: each is one primary-key lookup per
  // candidate row. Written as IN or EXISTS, PostgreSQL 15 hashes the ward's whole membership on
  // every pull instead, which took 30 ms of a 32 ms page for a ward of 100,000 patients. Both
  // tables' primary keys are (ward_id, patient_id), so a subquery finds at most one row.
  //
  // A count reads the whole feed, though, and there one lookup per row cost more than hashing the
  // membership once: counting 500,000 entries delayed the initial load's first page.
  const departed = `departed_at > now() - interval '${LATE_ENTRY_WINDOW}'`;
  let scope = `((SELECT true FROM ward_membership WHERE ward_id = $2 AND patient_id = documents.patient_id)
          OR (SELECT true FROM ward_departures WHERE ward_id = $2 AND patient_id = documents.patient_id AND ${departed}))`;
  if (purpose === 'count') {
    scope = `(documents.patient_id IN (SELECT patient_id FROM ward_membership WHERE ward_id = $2)
          OR documents.patient_id IN (SELECT patient_id FROM ward_departures WHERE ward_id = $2 AND ${departed}))`;
  }
  if (collection === 'reference') scope = `documents.ward_id IN ($2, '')`;
  // AuditEvents travel only upwards: the server keeps them and never sends them to a workstation.
  const withoutAuditEvents = collection === 'entries' ? `AND documents.resource_type <> 'AuditEvent'` : '';
  let afterCheckpoint = '';
  if (after) {
    parameters.push(after.txid, after.id);
    afterCheckpoint = 'AND (documents.txid, documents.id) > ($3::xid8, $4::text)';
  }
  const sql = `documents.collection = $1
       AND documents.txid < horizon.xmin
       ${afterCheckpoint}
       AND ${scope}
       ${withoutAuditEvents}`;
  return { sql, parameters };
}

/** The feed horizon: the oldest transaction still running when the statement started. */
const HORIZON = 'horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)';

export interface ChangeRow {
  id: string;
  /** The document as JSON text. */
  document: string;
  /** With `summaries`: the document without its `resource`, as JSON text (see PULL_LINES_SUMMARY_PARAMETER). */
  summary?: string;
  txid: string;
}

/** Options of a read of the feed. */
export interface ReadOptions {
  /** Also returns each document's summary. */
  summaries?: boolean;
}

/** Returns the select list's summary column when requested. PostgreSQL drops `resource` from the jsonb before it writes the text. */
function summaryColumn(table: string, options: ReadOptions): string {
  return options.summaries ? `, (${table}.document - 'resource')::text AS summary` : '';
}

/** Reads up to `limit` documents of the change feed after `after`, in (txid, id) order (see feedConditions). */
export async function readChanges(
  database: Queryable,
  collection: CollectionName,
  session: Pick<Session, 'wardId'>,
  after: Checkpoint | null,
  limit: number,
  options: ReadOptions = {},
): Promise<ChangeRow[]> {
  const conditions = feedConditions(collection, session, after);
  const limitParameter = conditions.parameters.push(limit);

  // The document comes as JSON text, which the route splices into its response unparsed.
  const { rows } = await database.query<ChangeRow>(
    `WITH ${HORIZON}
     SELECT documents.id, documents.document::text AS document${summaryColumn('documents', options)}, documents.txid::text AS txid
     FROM documents, horizon
     WHERE ${conditions.sql}
     ORDER BY documents.txid, documents.id
     LIMIT $${limitParameter}`,
    conditions.parameters,
  );
  return rows;
}

/**
 * Reads a page as readChanges does, and counts in the same statement, so below the same horizon,
 * every document of the feed after `after`: the returned page and all that follow it.
 */
export async function readChangesWithTotal(
  database: Queryable,
  collection: CollectionName,
  session: Pick<Session, 'wardId'>,
  after: Checkpoint | null,
  limit: number,
  options: ReadOptions = {},
): Promise<{ rows: ChangeRow[]; total: number }> {
  const conditions = feedConditions(collection, session, after);
  // The same rows with the same parameters, in a form that suits a count of the whole feed.
  const countConditions = feedConditions(collection, session, after, 'count');
  const limitParameter = conditions.parameters.push(limit);

  // The LEFT JOIN keeps the count's row when the page is empty; that row has a null id.
  const { rows } = await database.query<{ id: string | null; document: string | null; summary?: string; txid: string | null; total: string }>(
    `WITH ${HORIZON},
     page AS (
       SELECT documents.id, documents.document, documents.txid
       FROM documents, horizon
       WHERE ${conditions.sql}
       ORDER BY documents.txid, documents.id
       LIMIT $${limitParameter}
     ),
     remaining AS (
       SELECT count(*) AS total
       FROM documents, horizon
       WHERE ${countConditions.sql}
     )
     SELECT page.id, page.document::text AS document${summaryColumn('page', options)}, page.txid::text AS txid, remaining.total::text AS total
     FROM remaining LEFT JOIN page ON true
     ORDER BY page.txid, page.id`,
    conditions.parameters,
  );
  const total = Number(rows[0]?.total ?? 0);
  const page = rows.filter((row): row is ChangeRow & { total: string } => row.id !== null);
  return { rows: page.map(({ id, document, summary, txid }) => ({ id, document, txid, ...(summary === undefined ? {} : { summary }) })), total };
}

/**
 * Builds the JSON of a PullResponse from documents that are already JSON text, as PostgreSQL
 * returns jsonb. Parsing them only to serialise them again took most of the route's CPU time.
 */
function pullResponseJson(documents: readonly string[], checkpoint: Checkpoint | null, total: number | undefined): string {
  const response: Record<keyof PullResponse, string> = {
    documents: `[${documents.join(',')}]`,
    checkpoint: JSON.stringify(checkpoint),
    total: total === undefined ? '' : `,"total":${total}`,
  };
  return `{"documents":${response.documents},"checkpoint":${response.checkpoint}${response.total}}`;
}

/**
 * Builds the same page as lines (see PULL_LINES_MEDIA_TYPE), each line a document or, for rows
 * with summaries, its summary, a tab and the document. PostgreSQL's JSON text of a jsonb value
 * escapes every line break and tab inside strings, so neither occurs in a document's text.
 */
function pullResponseLines(rows: readonly ChangeRow[], checkpoint: Checkpoint | null, total: number | undefined): string {
  const header: PullLinesHeader = { checkpoint, documents: rows.length, ...(total === undefined ? {} : { total }) };
  const lines = rows.map((row) => (row.summary === undefined ? row.document : `${row.summary}\t${row.document}`));
  return lines.length === 0 ? `${JSON.stringify(header)}\n` : `${JSON.stringify(header)}\n${lines.join('\n')}\n`;
}

/** Returns the form in which the request accepts the page: JSON, lines, or lines with summaries. */
function acceptedForm(accept: string | undefined): 'json' | 'lines' | 'summary lines' {
  let form: 'json' | 'lines' | 'summary lines' = 'json';
  for (const type of accept?.split(',') ?? []) {
    const [mediaType, ...parameters] = type.split(';').map((part) => part.trim());
    if (mediaType !== PULL_LINES_MEDIA_TYPE) continue;
    if (parameters.includes(PULL_LINES_SUMMARY_PARAMETER)) return 'summary lines';
    form = 'lines';
  }
  return form;
}

/** Parses the `total` flag: `1` or `true` requests the count of documents left, and `0`, `false` or none does not. */
function parseTotalFlag(value: string | undefined): boolean {
  if (value === undefined || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw badRequest(`Invalid total ${quoteValue(value)}: expected 1 or 0`);
}

/** Returns the keys of a page read ahead: its owner, and the request that takes it (see PagePrefetch). */
function prefetchKeys(session: Session, collection: CollectionName, after: Checkpoint | null, limit: number): { owner: string; request: string } {
  return {
    owner: JSON.stringify([session.workstationId, session.userId, session.wardId, collection]),
    request: JSON.stringify([after?.txid ?? null, after?.id ?? null, limit]),
  };
}

export function registerPullRoute(app: FastifyInstance, context: ServerContext): void {
  const prefetch = new PagePrefetch();
  app.get('/sync/:collection/pull', { onRequest: (request) => authenticate(context, request) }, async (request, reply): Promise<string> => {
    const collection = collectionParameter(request.params);
    const query = request.query as Record<string, unknown>;
    const after = parseCheckpoint(singleValue(query.checkpoint));
    const limit = parseLimit(singleValue(query.limit));
    const withTotal = parseTotalFlag(singleValue(query.total));

    const form = acceptedForm(request.headers.accept);
    const options = { summaries: form === 'summary lines' };

    const session = sessionOf(request);
    const read = (from: Checkpoint | null) => readChanges(context.database, collection, session, from, limit, options);
    // Only summary lines are read ahead, since only the initial load requests them.
    let readAhead: Promise<ChangeRow[]> | undefined;
    if (form === 'summary lines' && !withTotal) {
      const keys = prefetchKeys(session, collection, after, limit);
      readAhead = prefetch.take(keys.owner, keys.request);
    }
    let rows: ChangeRow[];
    let total: number | undefined;
    if (withTotal) {
      ({ rows, total } = await readChangesWithTotal(context.database, collection, session, after, limit, options));
    } else if (readAhead) {
      rows = await readAhead.catch((error: unknown) => {
        request.log.warn({ collection, error: error instanceof Error ? error.message : String(error) }, 'reading a page ahead failed; reading it again');
        return read(after);
      });
    } else {
      rows = await read(after);
    }
    const last = rows.at(-1);
    const position = last ? { txid: last.txid, id: last.id } : after;
    if (form === 'json') {
      reply.type('application/json; charset=utf-8');
      return pullResponseJson(rows.map((row) => row.document), position, total);
    }
    if (form === 'summary lines' && rows.length === limit && position) {
      const keys = prefetchKeys(session, collection, position, limit);
      prefetch.start(keys.owner, keys.request, () => read(position));
    }
    const parameters = form === 'summary lines' ? `; ${PULL_LINES_SUMMARY_PARAMETER}` : '';
    reply.type(`${PULL_LINES_MEDIA_TYPE}${parameters}; charset=utf-8`);
    return pullResponseLines(rows, position, total);
  });
}
