import { performance } from 'node:perf_hooks';

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { toEntryDocument } from '../../../sync/protocol/documents.js';
import type { Checkpoint, WireDocument } from '../../../sync/protocol/wire.js';
import type { SyncServer } from '../../../sync/server/app.js';
import type { Queryable } from '../../../sync/server/database/index.js';
import { insertDocument, updateDocument } from '../../../sync/server/document-store.js';
import type { TestStorage } from './helpers.js';
import { createPostgresStorage, patientIdsOfWard, startServer, SyncClient, vitalSignsDocument, WARD_4A, WARD_7B } from './helpers.js';

/**
 * The change feed under concurrent writers, on PostgreSQL only: PGlite has a single connection, so
 * its transactions never overlap.
 *
 * Raw writers are separate `pg` connections that write through the server's own insertDocument and
 * updateDocument, as another server instance would. They hold transactions open for random times,
 * sleep between statements, update documents that other writers update too, and roll back some
 * transactions. Push writers send batches of new vital signs over HTTP at the same time. Readers
 * pull small pages from the start to the end.
 *
 * The feed transfers state: a document updated twice between two pulls arrives once, in its later
 * version. So the checks are: each delivered version was committed and arrives at most once, a
 * document's versions arrive in commit order, every document's last version arrives, and no
 * version is skipped by a pull that ran entirely while that version was the current one and whose
 * checkpoint range covered its feed position.
 */

const SEED = 20_261_204;
const WRITE_PHASE_MS = 12_000;
const DRAIN_TIMEOUT_MS = 60_000;
const RAW_WRITERS = 4;
const PUSH_WRITERS = 2;
/** Each reader's page size range: one reader pulls 1 to 4 documents a page, the other 5 to 25. */
const READER_PAGE_LIMITS = [
  [1, 4],
  [5, 25],
] as const;

/** mulberry32: a small seeded generator, so that every run draws the same plan. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 2 ** 32;
  };
}

function integerBetween(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One committed or attempted state of a document; `stamp` is unique and travels in resource.meta.versionId. */
interface Version {
  documentId: string;
  patientId: string;
  stamp: string;
  /** The committed version this one replaced; null for an insert. */
  predecessor: string | null;
  /** Transaction id (xid8) of the writing transaction; undefined for pushes, which are never updated. */
  txid: bigint | undefined;
  /** Before this moment the version was not visible: COMMIT had not been sent yet. */
  commitSentAt: number;
  /** From this moment the version was visible: COMMIT had returned. */
  committedAt: number;
}

interface Pull {
  from: Checkpoint | null;
  to: Checkpoint | null;
  sentAt: number;
  receivedAt: number;
}

interface Delivery {
  documentId: string;
  stamp: string;
}

interface TransactionRecord {
  txid: bigint;
  commitSentAt: number;
  committedAt: number;
}

function versionedDocument(id: string, patientId: string, stamp: string): WireDocument {
  const document = vitalSignsDocument(id, patientId);
  const resource = { ...document.resource, meta: { versionId: stamp } };
  return { ...toEntryDocument(resource), _deleted: false };
}

function stampOf(document: WireDocument): string {
  return (document.resource as { meta?: { versionId?: string } }).meta?.versionId ?? '';
}

/** Orders feed positions as the server does: by txid, then by document id in byte order (ids here are ASCII). */
function comparePositions(a: { txid: bigint; id: string }, b: { txid: bigint; id: string }): number {
  if (a.txid !== b.txid) return a.txid < b.txid ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function positionOf(checkpoint: Checkpoint | null): { txid: bigint; id: string } | null {
  return checkpoint ? { txid: BigInt(checkpoint.txid), id: checkpoint.id } : null;
}

function queryableOf(client: pg.Client): Queryable {
  return {
    async query<Row>(sql: string, parameters: readonly unknown[] = []) {
      const result = await client.query(sql, [...parameters]);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
  };
}

/** What every writer and reader records, for the checks after the run. */
class FeedLedger {
  readonly committed = new Map<string, Version>();
  readonly rolledBackStamps = new Set<string>();
  /** Documents of the other ward: a reader of ward 4A must never receive them. */
  readonly otherWardIds = new Set<string>();
  /** Raw-writer documents with a committed version, which later transactions may update. */
  readonly updatable: { id: string; patientId: string }[] = [];
  readonly transactions: TransactionRecord[] = [];
  rolledBackTransactions = 0;
  deadlockedTransactions = 0;
  largestTransaction = 0;
}

async function runRawWriter(writer: number, databaseUrl: string, patients4a: readonly string[], patients7b: readonly string[], ledger: FeedLedger, deadline: number): Promise<void> {
  const random = seededRandom(SEED + writer);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const transaction = queryableOf(client);
  try {
    for (let number = 0; performance.now() < deadline; number++) {
      // Every eighth transaction inserts many documents and updates none, so it cannot deadlock.
      const large = number % 8 === 1;
      const size = large ? integerBetween(random, 100, 300) : random() < 0.75 ? integerBetween(random, 1, 5) : integerBetween(random, 10, 50);
      const rollBack = random() < 0.15;
      // Usually short, sometimes held long enough to hold back several other writers' commits.
      const holdMs = random() < 0.1 ? integerBetween(random, 1_000, 2_500) : integerBetween(random, 0, 300);
      const pending = new Map<string, Version>();
      const attempted: string[] = [];

      await client.query('BEGIN');
      try {
        // Takes the transaction id at BEGIN, so that the txid order is the start order and
        // commits come out of txid order whenever a later transaction ends first.
        const { rows } = await client.query<{ txid: string }>('SELECT pg_current_xact_id()::text AS txid');
        const txid = BigInt(rows[0]?.txid ?? '0');
        for (let operation = 0; operation < size; operation++) {
          const stamp = `w${writer}-t${number}-o${operation}`;
          attempted.push(stamp);
          if (!large && ledger.updatable.length > 0 && random() < 0.3) {
            const target = ledger.updatable[Math.floor(random() * ledger.updatable.length)] as { id: string; patientId: string };
            const locked = await client.query<{ document: WireDocument }>("SELECT document FROM documents WHERE collection = 'entries' AND id = $1 FOR UPDATE", [target.id]);
            const previous = locked.rows[0]?.document;
            if (!previous) throw new Error(`Document ${target.id} is listed as committed but is not stored`);
            const document = versionedDocument(target.id.slice('Observation/'.length), target.patientId, stamp);
            if (document.id !== target.id) throw new Error(`Built ${document.id} to update ${target.id}`);
            await updateDocument(transaction, { collection: 'entries', document, derived: toEntryDocument(document.resource) }, undefined);
            // A second write of one document in one transaction replaces the first: only the last is ever committed.
            const earlier = pending.get(target.id);
            pending.set(target.id, { documentId: target.id, patientId: target.patientId, stamp, predecessor: earlier ? earlier.predecessor : stampOf(previous), txid, commitSentAt: 0, committedAt: 0 });
          } else {
            const otherWard = random() < 0.05;
            const wardPatients = otherWard ? patients7b : patients4a;
            const patientId = wardPatients[Math.floor(random() * wardPatients.length)] as string;
            const document = versionedDocument(`feed-${stamp}`, patientId, stamp);
            if (!(await insertDocument(transaction, { collection: 'entries', document, derived: toEntryDocument(document.resource) }, undefined))) {
              throw new Error(`Document ${document.id} already existed`);
            }
            if (otherWard) ledger.otherWardIds.add(document.id);
            pending.set(document.id, { documentId: document.id, patientId, stamp, predecessor: null, txid, commitSentAt: 0, committedAt: 0 });
          }
          if (random() < 0.2) await sleep(integerBetween(random, 1, 40));
        }
        await sleep(holdMs);

        const commitSentAt = performance.now();
        if (rollBack) {
          await client.query('ROLLBACK');
          ledger.rolledBackTransactions++;
          for (const stamp of attempted) ledger.rolledBackStamps.add(stamp);
          continue;
        }
        await client.query('COMMIT');
        const committedAt = performance.now();
        ledger.transactions.push({ txid, commitSentAt, committedAt });
        ledger.largestTransaction = Math.max(ledger.largestTransaction, pending.size);
        const committedStamps = new Set<string>();
        for (const version of pending.values()) {
          ledger.committed.set(version.stamp, { ...version, commitSentAt, committedAt });
          committedStamps.add(version.stamp);
          if (version.predecessor === null && !ledger.otherWardIds.has(version.documentId)) ledger.updatable.push({ id: version.documentId, patientId: version.patientId });
        }
        // Intermediate writes of a document in this transaction never became visible.
        for (const stamp of attempted) if (!committedStamps.has(stamp)) ledger.rolledBackStamps.add(stamp);
      } catch (error) {
        for (const stamp of attempted) ledger.rolledBackStamps.add(stamp);
        await client.query('ROLLBACK');
        // Two writers that lock shared documents in opposite orders deadlock, and PostgreSQL
        // aborts one of them; any other error fails the test.
        if ((error as { code?: unknown }).code !== '40P01') throw error;
        ledger.deadlockedTransactions++;
      }
    }
  } finally {
    await client.end();
  }
}

async function runPushWriter(writer: number, client: SyncClient, patients4a: readonly string[], ledger: FeedLedger, deadline: number): Promise<void> {
  const random = seededRandom(SEED + 100 + writer);
  for (let number = 0; performance.now() < deadline; number++) {
    const size = random() < 0.8 ? integerBetween(random, 1, 20) : integerBetween(random, 100, 400);
    const documents = Array.from({ length: size }, (_, index) => {
      const stamp = `p${writer}-t${number}-o${index}`;
      return versionedDocument(`feed-${stamp}`, patients4a[Math.floor(random() * patients4a.length)] as string, stamp);
    });
    const commitSentAt = performance.now();
    const response = await client.push('entries', documents.map((document) => ({ newDocumentState: document })));
    if (response.status !== 200) throw new Error(`Push ${number} of writer ${writer} failed with ${response.status}: ${JSON.stringify(response.body)}`);
    const committedAt = performance.now();
    for (const document of documents) {
      const stamp = stampOf(document);
      ledger.committed.set(stamp, { documentId: document.id, patientId: document.patientId as string, stamp, predecessor: null, txid: undefined, commitSentAt, committedAt });
    }
    await sleep(integerBetween(random, 0, 150));
  }
}

interface ReaderLog {
  pulls: Pull[];
  deliveries: Delivery[];
}

/** Returns each document's committed versions in commit order, following the predecessor links. */
function versionChains(ledger: FeedLedger): Map<string, Version[]> {
  const successorOf = new Map<string, Version>();
  const firsts: Version[] = [];
  for (const version of ledger.committed.values()) {
    if (version.predecessor === null) firsts.push(version);
    else successorOf.set(version.predecessor, version);
  }
  const chains = new Map<string, Version[]>();
  for (const first of firsts) {
    const chain = [first];
    for (let next = successorOf.get(first.stamp); next; next = successorOf.get(next.stamp)) chain.push(next);
    chains.set(first.documentId, chain);
  }
  return chains;
}

/**
 * Pulls pages of random small sizes until the writers are done and every committed document of the
 * ward has arrived in its last version, or until DRAIN_TIMEOUT_MS after the writers ended.
 */
async function runReader(reader: number, client: SyncClient, start: Checkpoint | null, ledger: FeedLedger, writersDoneAt: () => number | undefined): Promise<ReaderLog> {
  const random = seededRandom(SEED + 200 + reader);
  const [minimum, maximum] = READER_PAGE_LIMITS[reader] as readonly [number, number];
  const log: ReaderLog = { pulls: [], deliveries: [] };
  const lastDelivered = new Map<string, string>();
  let checkpoint = start;
  for (;;) {
    const limit = integerBetween(random, minimum, maximum);
    const sentAt = performance.now();
    const page = await client.pull('entries', checkpoint, limit);
    const receivedAt = performance.now();
    if (page.status !== 200) throw new Error(`Pull of reader ${reader} failed with ${page.status}: ${JSON.stringify(page.body)}`);
    log.pulls.push({ from: checkpoint, to: page.body.checkpoint, sentAt, receivedAt });
    for (const document of page.body.documents) {
      log.deliveries.push({ documentId: document.id, stamp: stampOf(document) });
      lastDelivered.set(document.id, stampOf(document));
    }
    checkpoint = page.body.checkpoint;

    const doneAt = writersDoneAt();
    if (doneAt !== undefined && page.body.documents.length < limit) {
      const outstanding = [...versionChains(ledger).values()]
        .map((chain) => chain.at(-1) as Version)
        .filter((version) => !ledger.otherWardIds.has(version.documentId) && lastDelivered.get(version.documentId) !== version.stamp);
      if (outstanding.length === 0 || performance.now() - doneAt > DRAIN_TIMEOUT_MS) return log;
    }
    // An empty page means "nothing visible yet": a transaction is still open somewhere in the cluster.
    if (page.body.documents.length === 0) await sleep(20);
  }
}

/** Lists every way a reader's log breaks the feed's promise; each list is empty when the feed kept it. */
function feedViolations(ledger: FeedLedger, log: ReaderLog) {
  const chains = versionChains(ledger);
  const positionInChain = new Map<string, number>();
  for (const chain of chains.values()) chain.forEach((version, index) => positionInChain.set(version.stamp, index));

  const seen = new Set<string>();
  const lastPosition = new Map<string, number>();
  const duplicates: string[] = [];
  const rolledBack: string[] = [];
  const unknown: string[] = [];
  const otherWard: string[] = [];
  const outOfOrder: string[] = [];
  for (const { documentId, stamp } of log.deliveries) {
    if (seen.has(stamp)) duplicates.push(stamp);
    seen.add(stamp);
    if (ledger.otherWardIds.has(documentId)) otherWard.push(documentId);
    if (ledger.rolledBackStamps.has(stamp)) rolledBack.push(stamp);
    else if (!ledger.committed.has(stamp)) unknown.push(`${documentId} ${stamp}`);
    const position = positionInChain.get(stamp);
    if (position !== undefined) {
      if (position <= (lastPosition.get(documentId) ?? -1)) outOfOrder.push(stamp);
      lastPosition.set(documentId, position);
    }
  }

  const lastVersionsMissing: string[] = [];
  const skipped: string[] = [];
  let superseded = 0;
  for (const chain of chains.values()) {
    const last = chain.at(-1) as Version;
    if (ledger.otherWardIds.has(last.documentId)) continue;
    if (!seen.has(last.stamp)) lastVersionsMissing.push(last.stamp);
    chain.forEach((version, index) => {
      const successor = chain[index + 1];
      if (!successor || seen.has(version.stamp)) return;
      superseded++;
      if (version.txid === undefined) return;
      const position = { txid: version.txid, id: version.documentId };
      // A pull that began after this version was visible and ended before its successor could be
      // visible, and whose range covered its position, had to return it.
      const coveringPull = log.pulls.find((pull) => {
        if (pull.sentAt < version.committedAt || pull.receivedAt > successor.commitSentAt) return false;
        const from = positionOf(pull.from);
        const to = positionOf(pull.to);
        return to !== null && (from === null || comparePositions(from, position) < 0) && comparePositions(position, to) <= 0;
      });
      if (coveringPull) skipped.push(version.stamp);
    });
  }
  return { duplicates, rolledBack, unknown, otherWard, outOfOrder, lastVersionsMissing, skipped, superseded };
}

describe('change feed under concurrent writers on postgresql', () => {
  let storage: TestStorage;
  let server: SyncServer;
  let patients4a: string[];
  let patients7b: string[];

  beforeAll(async () => {
    storage = await createPostgresStorage('feed_writers');
    server = await startServer(storage);
    patients4a = await patientIdsOfWard(server, WARD_4A);
    patients7b = await patientIdsOfWard(server, WARD_7B);
  });

  afterAll(async () => {
    try {
      await server?.close();
    } finally {
      await storage?.cleanup();
    }
  });

  it('delivers each committed version once, in order', async () => {
    const ledger = new FeedLedger();
    const readers = await Promise.all(READER_PAGE_LIMITS.map((_, index) => SyncClient.signIn(server.url, { wardId: WARD_4A, workstationId: `ws-feed-reader-${index}` })));
    const pushers = await Promise.all(Array.from({ length: PUSH_WRITERS }, (_, index) => SyncClient.signIn(server.url, { wardId: WARD_4A, workstationId: `ws-feed-push-${index}` })));
    const start = (await (readers[0] as SyncClient).pullAll('entries')).checkpoint;

    const deadline = performance.now() + WRITE_PHASE_MS;
    let writersDoneAt: number | undefined;
    const writers = Promise.all([
      ...Array.from({ length: RAW_WRITERS }, (_, index) => runRawWriter(index, storage.databaseUrl as string, patients4a, patients7b, ledger, deadline)),
      ...pushers.map((client, index) => runPushWriter(index, client, patients4a, ledger, deadline)),
    ]).finally(() => {
      writersDoneAt = performance.now();
    });
    const logs = Promise.all(readers.map((client, index) => runReader(index, client, start, ledger, () => writersDoneAt)));
    await writers;
    const readerLogs = await logs;

    // The run exercised what it claims to: commits out of txid order, rollbacks, large
    // transactions, and updates of committed documents.
    const outOfTxidOrder = ledger.transactions.filter((earlier) => ledger.transactions.some((later) => later.txid > earlier.txid && later.committedAt < earlier.commitSentAt));
    expect(outOfTxidOrder.length).toBeGreaterThan(0);
    expect(ledger.rolledBackTransactions).toBeGreaterThan(0);
    expect(ledger.largestTransaction).toBeGreaterThanOrEqual(100);
    expect([...ledger.committed.values()].filter((version) => version.predecessor !== null).length).toBeGreaterThan(0);

    for (const log of readerLogs) {
      const violations = feedViolations(ledger, log);
      expect(violations.duplicates).toEqual([]);
      expect(violations.rolledBack).toEqual([]);
      expect(violations.unknown).toEqual([]);
      expect(violations.otherWard).toEqual([]);
      expect(violations.outOfOrder).toEqual([]);
      expect(violations.lastVersionsMissing).toEqual([]);
      expect(violations.skipped).toEqual([]);
    }
  });
});
