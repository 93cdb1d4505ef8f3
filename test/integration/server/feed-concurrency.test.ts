import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import type { CollectionName } from '../../../sync/protocol/collections.js';
import type { FhirResource } from '../../../sync/protocol/documents.js';
import { buildVitalSignsPanel } from '../../../sync/protocol/fhir/vital-signs.js';
import type { Checkpoint, PushResponse, PushRow, WireDocument } from '../../../sync/protocol/wire.js';
import type { SyncServer } from '../../../sync/server/app.js';
import { canonicalJson } from '../../../sync/server/canonical-json.js';
import type { ServerTestHooks } from '../../../sync/server/context.js';
import type { HttpResult, TestStorage } from './helpers.js';
import {
  BACKENDS,
  createPostgresStorage,
  createStorage,
  EventStreamReader,
  isResync,
  patientIdsOfWard,
  startServer,
  SyncClient,
  TEST_NOW,
  WARD_4A,
  wardOfSeededLocation,
  wireDocumentOf,
} from './helpers.js';

/**
 * The pull feed under concurrent writers on PostgreSQL: transactions that commit in another order
 * than they wrote, transactions that roll back, a long transaction and a write that waits on a row
 * lock. A reader pulling from its checkpoint must receive every committed state of every document
 * exactly once and must never be held back for long by a transaction that has already ended.
 *
 * Counts and hold times are small for CI; the environment variables below scale them up.
 */
const ITERATIONS = Number(process.env.HMS_FEED_ITERATIONS ?? 25);
const MAX_HOLD_MS = Number(process.env.HMS_FEED_MAX_HOLD_MS ?? 300);
const LONG_TRANSACTION_DOCUMENTS = Number(process.env.HMS_FEED_LONG_DOCUMENTS ?? 500);
const LONG_HOLD_MS = Number(process.env.HMS_FEED_LONG_HOLD_MS ?? 2_000);
/**
 * Longest wait, after the writes of a round have ended, until the reader holds them. PostgreSQL's
 * snapshot xmin covers every database of the cluster, so a write transaction of another test
 * database can hold the feed back too: the bound leaves room for that.
 */
const DELIVERY_BOUND_MS = 3_000;
const READER_INTERVAL_MS = 20;
const READER_PAGE_SIZE = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const randomInt = (maxExclusive: number) => Math.floor(Math.random() * maxExclusive);

function stateKey(document: WireDocument): string {
  return `${document.id}\u0000${canonicalJson(document)}`;
}

/** A vital signs panel whose pulse tells one revision from another. */
function vitalsPanel(id: string, patientId: string, pulse: number, effectiveDateTime = TEST_NOW.toISOString()): WireDocument {
  return wireDocumentOf(
    buildVitalSignsPanel({
      id,
      patientId,
      effectiveDateTime,
      performer: { reference: 'Practitioner/user-nurse', display: 'Demo Nurse' },
      observations: { respiratoryRate: 16, spo2: 97, onOxygen: false, systolicBloodPressure: 124, pulse, consciousness: 'A', temperature: 36.8 },
      scale: 1,
    }),
  );
}

function withPhone(document: WireDocument, phone: string): WireDocument {
  return wireDocumentOf({ ...document.resource, telecom: [{ system: 'phone', value: phone, use: 'mobile' }] } as FhirResource, wardOfSeededLocation);
}

/**
 * A workstation that pulls the records and entries feeds from its own checkpoints and counts how
 * often each (id, state) arrives. It pulls every READER_INTERVAL_MS once started, or on demand.
 */
class FeedReader {
  readonly deliveries = new Map<string, number>();
  readonly deliveredAt = new Map<string, number>();
  readonly #checkpoints = new Map<CollectionName, Checkpoint | null>();
  #running = false;
  #loop: Promise<void> = Promise.resolve();
  #pulling: Promise<void> = Promise.resolve();

  constructor(
    readonly client: SyncClient,
    readonly collections: readonly CollectionName[] = ['records', 'entries'],
  ) {}

  /** Pulls every collection until a page comes back short; calls in flight are chained, never run at once. */
  pull(): Promise<void> {
    this.#pulling = this.#pulling.then(() => this.#pullAllCollections());
    return this.#pulling;
  }

  async #pullAllCollections(): Promise<void> {
    for (const collection of this.collections) {
      for (;;) {
        const page = await this.client.pull(collection, this.#checkpoints.get(collection) ?? null, READER_PAGE_SIZE);
        if (page.status !== 200) throw new Error(`Pull of ${collection} failed with ${page.status}`);
        const now = performance.now();
        for (const document of page.body.documents) {
          const key = stateKey(document);
          this.deliveries.set(key, (this.deliveries.get(key) ?? 0) + 1);
          if (!this.deliveredAt.has(key)) this.deliveredAt.set(key, now);
        }
        this.#checkpoints.set(collection, page.body.checkpoint);
        if (page.body.documents.length < READER_PAGE_SIZE) break;
      }
    }
  }

  start(): void {
    this.#running = true;
    this.#loop = (async () => {
      while (this.#running) {
        await this.pull();
        await sleep(READER_INTERVAL_MS);
      }
    })();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }

  has(document: WireDocument): boolean {
    return this.deliveries.has(stateKey(document));
  }

  /** Waits until every document was delivered in exactly this state; returns the time it took. */
  async waitFor(documents: readonly WireDocument[], timeoutMs: number): Promise<number> {
    const startedAt = performance.now();
    while (!documents.every((document) => this.has(document))) {
      if (performance.now() - startedAt > timeoutMs) {
        const missing = documents.filter((document) => !this.has(document)).map((document) => document.id);
        throw new Error(`Timed out after ${timeoutMs} ms: ${missing.length} of ${documents.length} documents not delivered, such as ${missing.slice(0, 5).join(', ')}`);
      }
      await sleep(5);
    }
    return performance.now() - startedAt;
  }

  /** Keys delivered more than once. */
  repeated(): string[] {
    return [...this.deliveries].filter(([, count]) => count > 1).map(([key]) => key);
  }
}

/** Pulls whenever the event stream announces a change of a collection, and at no other time. */
class StreamDrivenReader extends FeedReader {
  #stream: EventStreamReader | undefined;
  #stopped = false;
  #loop: Promise<void> = Promise.resolve();

  async open(baseUrl: string): Promise<void> {
    const stream = await EventStreamReader.open(baseUrl, this.client.token);
    this.#stream = stream;
    this.#loop = (async () => {
      while (!this.#stopped && !stream.ended) {
        const event = await stream.next(isResync(), 250).catch(() => undefined);
        if (event && !this.#stopped) await this.pull();
      }
    })();
  }

  async close(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
    this.#stream?.close();
  }
}

/** What the beforeCommit hook does with a push that contains the document id. */
interface CommitPlan {
  holdMs: number;
  rollback: boolean;
  /** Called when the push has written its rows and waits before COMMIT. */
  onHold?: () => void;
}

class CommitPlans {
  readonly #plans = new Map<string, CommitPlan>();
  readonly hooks: ServerTestHooks = {
    beforeCommit: async (documentIds) => {
      const plan = documentIds.map((id) => this.#plans.get(id)).find((candidate) => candidate !== undefined);
      if (!plan) return;
      plan.onHold?.();
      await sleep(plan.holdMs);
      if (plan.rollback) throw new Error('Push rolled back by the test hook');
    },
  };

  set(documentId: string, plan: CommitPlan): void {
    this.#plans.set(documentId, plan);
  }
}

/** Inserts a document in a transaction of its own connection and rolls it back after `holdMs`. */
async function insertAndRollBack(databaseUrl: string, document: WireDocument, patientId: string, holdMs: number): Promise<void> {
  const connection = new pg.Client({ connectionString: databaseUrl });
  await connection.connect();
  try {
    await connection.query('BEGIN');
    await connection.query(
      `INSERT INTO documents (collection, id, resource_type, patient_id, ward_id, document, deleted)
       VALUES ('entries', $1, 'Observation', $2, '', $3::text::jsonb, false)`,
      [document.id, patientId, JSON.stringify(document)],
    );
    await sleep(holdMs);
    await connection.query('ROLLBACK');
  } finally {
    await connection.end();
  }
}

describe('pull feed under concurrent writers on postgresql', () => {
  let storage: TestStorage;
  let server: SyncServer;
  let writers: SyncClient[];
  let patientIds: string[];
  const plans = new CommitPlans();
  const readers: FeedReader[] = [];
  const streamReaders: StreamDrivenReader[] = [];

  async function startReader(workstationId: string): Promise<FeedReader> {
    const reader = new FeedReader(await SyncClient.signIn(server.url, { wardId: WARD_4A, workstationId }));
    await reader.pull();
    reader.start();
    readers.push(reader);
    return reader;
  }

  beforeAll(async () => {
    storage = await createPostgresStorage('feed_concurrency');
    server = await startServer(storage, { testHooks: plans.hooks });
    writers = await Promise.all(['ws-writer-1', 'ws-writer-2', 'ws-writer-3'].map((workstationId) => SyncClient.signIn(server.url, { wardId: WARD_4A, workstationId })));
    patientIds = await patientIdsOfWard(server, WARD_4A);
  });

  afterEach(async () => {
    for (const reader of readers.splice(0)) await reader.stop();
    for (const reader of streamReaders.splice(0)) await reader.close();
  });

  afterAll(async () => {
    try {
      await server?.close();
    } finally {
      await storage?.cleanup();
    }
  });

  it('delivers out-of-order commits exactly once', async () => {
    const reader = await startReader('ws-reader-polling');
    const streamReader = new StreamDrivenReader(await SyncClient.signIn(server.url, { wardId: WARD_4A, workstationId: 'ws-reader-stream' }));
    streamReaders.push(streamReader);
    await streamReader.open(server.url);

    const patientRecordId = `Patient/${patientIds[0] as string}`;
    let patientMaster = (await writers[0]?.pullAll('records'))?.documents.find((document) => document.id === patientRecordId) as WireDocument;
    const committed: WireDocument[] = [];
    const rolledBack: WireDocument[] = [];
    const completionOrder: string[] = [];
    let slowestDeliveryMs = 0;

    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      // Three writers: two insert vitals, the third updates one Patient, so the feed carries new
      // documents and new revisions. At most one of them rolls back in a round.
      const rollbackIndex = Math.random() < 0.3 ? randomInt(3) : -1;
      const pushes = writers.map((writer, index) => {
        const isRecordUpdate = index === 2;
        const document = isRecordUpdate
          ? withPhone(patientMaster, `555-${String(iteration).padStart(4, '0')}`)
          : vitalsPanel(`feed-${iteration}-${index}`, patientIds[(iteration + index) % patientIds.length] as string, 60 + index);
        const collection: CollectionName = isRecordUpdate ? 'records' : 'entries';
        const row: PushRow = isRecordUpdate ? { newDocumentState: document, assumedMasterState: patientMaster } : { newDocumentState: document };
        plans.set(document.id, { holdMs: randomInt(MAX_HOLD_MS + 1), rollback: index === rollbackIndex });
        return { document, collection, send: () => writer.push(collection, [row]) };
      });

      const sqlRollback = iteration % 5 === 4 ? insertAndRollBack(storage.databaseUrl as string, vitalsPanel(`feed-${iteration}-rolled-back`, patientIds[0] as string, 99), patientIds[0] as string, randomInt(MAX_HOLD_MS + 1)) : Promise.resolve();
      const results = await Promise.all(
        pushes.map(async (push) => {
          await sleep(randomInt(20));
          const result: HttpResult<PushResponse> = await push.send();
          completionOrder.push(push.document.id);
          return { push, result };
        }),
      );
      await sqlRollback;

      const roundCommitted: WireDocument[] = [];
      for (const { push, result } of results) {
        if (result.status === 200) {
          expect(result.body.conflicts).toEqual([]);
          roundCommitted.push(push.document);
          if (push.collection === 'records') patientMaster = push.document;
        } else {
          expect(result.status).toBe(500);
          rolledBack.push(push.document);
        }
      }
      committed.push(...roundCommitted);
      slowestDeliveryMs = Math.max(slowestDeliveryMs, await reader.waitFor(roundCommitted, DELIVERY_BOUND_MS));
    }

    // The stream-driven reader may pull after two revisions of the Patient have committed, and then
    // receives only the later one; it must hold every entry and the final revision.
    const finalStates = [...committed.filter((document) => document.id !== patientRecordId), patientMaster];
    await streamReader.waitFor(finalStates, DELIVERY_BOUND_MS);
    await reader.stop();
    await streamReader.close();
    await reader.pull();
    await streamReader.pull();

    for (const [feedReader, expected] of [
      [reader, committed],
      [streamReader, finalStates],
    ] as const) {
      expect(feedReader.repeated()).toEqual([]);
      expect(expected.filter((document) => !feedReader.has(document)).map((document) => document.id)).toEqual([]);
      expect(rolledBack.filter((document) => feedReader.has(document)).map((document) => document.id)).toEqual([]);
    }
    expect(slowestDeliveryMs).toBeLessThan(DELIVERY_BOUND_MS);

    // The rounds must have produced the case under test: a transaction with a lower txid that
    // committed after one with a higher txid.
    const { rows } = await server.database.query<{ id: string; txid: string }>(`SELECT id, txid::text AS txid FROM documents WHERE collection = 'entries' AND id LIKE 'Observation/feed-%'`);
    const txidOf = new Map(rows.map((row) => [row.id, BigInt(row.txid)]));
    const entryOrder = completionOrder.filter((id) => txidOf.has(id));
    let inversions = 0;
    for (let later = 1; later < entryOrder.length; later++) {
      if ((txidOf.get(entryOrder[later] as string) as bigint) < (txidOf.get(entryOrder[later - 1] as string) as bigint)) inversions++;
    }
    expect(inversions).toBeGreaterThan(0);
  });

  it('moves on right after a rollback', async () => {
    const reader = await startReader('ws-reader-rollback');
    const stream = await EventStreamReader.open(server.url, reader.client.token);
    try {
      await stream.next(isResync());
      const patientId = patientIds[1] as string;
      const committedAfter = vitalsPanel('committed-behind-a-rollback', patientId, 70);

      const connection = new pg.Client({ connectionString: storage.databaseUrl });
      await connection.connect();
      try {
        await connection.query('BEGIN');
        const held = vitalsPanel('rolled-back-after-a-hold', patientId, 71);
        await connection.query(
          `INSERT INTO documents (collection, id, resource_type, patient_id, ward_id, document, deleted)
           VALUES ('entries', $1, 'Observation', $2, '', $3::text::jsonb, false)`,
          [held.id, patientId, JSON.stringify(held)],
        );
        expect((await writers[0]?.push('entries', [{ newDocumentState: committedAfter }]))?.status).toBe(200);
        // Longer than the change feed's early resync, so the event after the rollback is a new one.
        await sleep(1_500);
        expect(reader.has(committedAfter)).toBe(false);
        stream.clear();

        const rolledBackAt = performance.now();
        await connection.query('ROLLBACK');
        const deliveryMs = await reader.waitFor([committedAfter], DELIVERY_BOUND_MS);
        await stream.next(isResync('entries'), DELIVERY_BOUND_MS);
        const eventMs = performance.now() - rolledBackAt;
        expect(deliveryMs).toBeLessThan(1_000);
        expect(eventMs).toBeLessThan(1_000);
        expect(reader.has(held)).toBe(false);
      } finally {
        await connection.end();
      }
    } finally {
      stream.close();
    }
  });

  it('delivers a long transaction and the short ones behind it', async () => {
    const reader = await startReader('ws-reader-long');
    const originals = Array.from({ length: LONG_TRANSACTION_DOCUMENTS }, (_, index) =>
      vitalsPanel(`long-${String(index).padStart(4, '0')}`, patientIds[index % patientIds.length] as string, 80, new Date(TEST_NOW.getTime() - index * 60_000).toISOString()),
    );
    expect((await writers[0]?.push('entries', originals.map((document) => ({ newDocumentState: document }))))?.status).toBe(200);
    await reader.waitFor(originals, DELIVERY_BOUND_MS);

    // One transaction corrects every panel and stays open for LONG_HOLD_MS before COMMIT.
    const corrected = originals.map((document) => vitalsPanel(document.resource.id as string, document.patientId as string, 81, document.resource.effectiveDateTime as string));
    let holding: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (holding = resolve));
    plans.set(corrected[0]?.id as string, { holdMs: LONG_HOLD_MS, rollback: false, onHold: () => holding() });
    const longPush = writers[1]?.push(
      'entries',
      corrected.map((document, index) => ({ newDocumentState: document, assumedMasterState: originals[index] as WireDocument })),
    );
    await held;

    const shortOnes: WireDocument[] = [];
    const committedAt = new Map<string, number>();
    for (let index = 0; index < 8; index++) {
      const document = vitalsPanel(`short-behind-long-${index}`, patientIds[index % patientIds.length] as string, 90);
      expect((await writers[2]?.push('entries', [{ newDocumentState: document }]))?.status).toBe(200);
      committedAt.set(stateKey(document), performance.now());
      shortOnes.push(document);
      await sleep(LONG_HOLD_MS / 10);
    }
    const longResult = await longPush;
    expect(longResult?.status).toBe(200);
    expect(longResult?.body.conflicts).toEqual([]);

    await reader.waitFor([...corrected, ...shortOnes], DELIVERY_BOUND_MS);
    await reader.stop();
    await reader.pull();
    expect(reader.repeated()).toEqual([]);
    for (const document of shortOnes) {
      const waitedMs = (reader.deliveredAt.get(stateKey(document)) as number) - (committedAt.get(stateKey(document)) as number);
      expect(waitedMs).toBeLessThan(LONG_HOLD_MS + DELIVERY_BOUND_MS);
    }

    // The feed position never touched the clinical time: every correction kept its effective time.
    const { documents } = await reader.client.pullAll('entries');
    const stored = new Map(documents.map((document) => [document.id, document]));
    for (const [index, document] of corrected.entries()) {
      expect(stored.get(document.id)?.effective).toBe(originals[index]?.effective);
      expect(stored.get(document.id)?.resource.effectiveDateTime).toBe(originals[index]?.resource.effectiveDateTime);
    }
  });

  it('delivers a push that waited on a row lock', async () => {
    const reader = await startReader('ws-reader-row-lock');
    const patientId = patientIds[2] as string;
    const batch = Array.from({ length: 300 }, (_, index) => vitalsPanel(`row-lock-${String(index).padStart(3, '0')}`, patientId, 75));
    const contested = batch[150] as WireDocument;

    // Another session inserts one of the batch's ids and keeps its transaction open, so the push
    // writes the ids before it, then waits on that row until the other session rolls back.
    const blocker = new pg.Client({ connectionString: storage.databaseUrl });
    await blocker.connect();
    const holdMs = 1_500;
    let pushMs = 0;
    const shortOnes: WireDocument[] = [];
    try {
      await blocker.query('BEGIN');
      await blocker.query(
        `INSERT INTO documents (collection, id, resource_type, patient_id, ward_id, document, deleted)
         VALUES ('entries', $1, 'Observation', $2, '', $3::text::jsonb, false)`,
        [contested.id, patientId, JSON.stringify(vitalsPanel(contested.resource.id as string, patientId, 120))],
      );
      const startedAt = performance.now();
      const batchPush = writers[0]?.push('entries', batch.map((document) => ({ newDocumentState: document }))).then((result) => {
        pushMs = performance.now() - startedAt;
        return result;
      });
      for (let index = 0; index < 5; index++) {
        await sleep(holdMs / 6);
        const document = vitalsPanel(`short-beside-row-lock-${index}`, patientId, 91);
        expect((await writers[1]?.push('entries', [{ newDocumentState: document }]))?.status).toBe(200);
        shortOnes.push(document);
      }
      await sleep(holdMs / 6);
      await blocker.query('ROLLBACK');

      const result = await batchPush;
      expect(result?.status).toBe(200);
      expect(result?.body.conflicts).toEqual([]);
      expect(pushMs).toBeGreaterThanOrEqual(holdMs * 0.9);
    } finally {
      await blocker.end();
    }

    await reader.waitFor([...batch, ...shortOnes], DELIVERY_BOUND_MS);
    await reader.stop();
    await reader.pull();
    expect(reader.repeated()).toEqual([]);
  });
});

describe.each(BACKENDS)('late push of an offline entry on %s', (backend) => {
  let storage: TestStorage;
  let server: SyncServer;
  let offlineWorkstation: SyncClient;
  let onlineWorkstation: SyncClient;
  let readerClient: SyncClient;
  let patientId: string;

  beforeAll(async () => {
    storage = await createStorage(backend, 'late_push');
    server = await startServer(storage);
    offlineWorkstation = await SyncClient.signIn(server.url, { wardId: WARD_4A, workstationId: 'ws-late-a' });
    onlineWorkstation = await SyncClient.signIn(server.url, { username: 'doctor', wardId: WARD_4A, workstationId: 'ws-late-b' });
    readerClient = await SyncClient.signIn(server.url, { wardId: WARD_4A, workstationId: 'ws-late-c' });
    patientId = (await patientIdsOfWard(server, WARD_4A))[0] as string;
  });

  afterAll(async () => {
    try {
      await server?.close();
    } finally {
      await storage?.cleanup();
    }
  });

  /**
   * Charts vitals at `recordedMinutesAgo` on the offline workstation without pushing them; then the
   * online workstation edits the patient and charts newer vitals; the reader pulls past both.
   * Returns the late panel once the offline workstation has pushed it.
   */
  async function pushLateAfterReaderPulled(reader: FeedReader, name: string): Promise<WireDocument> {
    const clinicalTime = new Date(TEST_NOW.getTime() - 105 * 60_000).toISOString();
    const late = vitalsPanel(`late-${name}`, patientId, 88, clinicalTime);

    const patient = (await onlineWorkstation.pullAll('records')).documents.find((document) => document.id === `Patient/${patientId}`) as WireDocument;
    const edited = withPhone(patient, `555-${name.length}${name.length}00`);
    expect((await onlineWorkstation.push('records', [{ newDocumentState: edited, assumedMasterState: patient }])).status).toBe(200);
    const newer = vitalsPanel(`newer-${name}`, patientId, 70, new Date(TEST_NOW.getTime() - 60 * 60_000).toISOString());
    expect((await onlineWorkstation.push('entries', [{ newDocumentState: newer }])).status).toBe(200);
    await reader.waitFor([edited, newer], DELIVERY_BOUND_MS);

    const pushed = await offlineWorkstation.push('entries', [{ newDocumentState: late }]);
    expect(pushed.status).toBe(200);
    expect(pushed.body.conflicts).toEqual([]);
    return late;
  }

  it('reaches a reader that pulls by checkpoint only', async () => {
    const reader = new FeedReader(readerClient);
    await reader.pull();
    const pollUntil = async (documents: WireDocument[]) => {
      // Checkpoint pulls only: a single pull must bring what has committed, unless another
      // transaction of the cluster holds the feed back for a moment.
      const deadline = performance.now() + DELIVERY_BOUND_MS;
      await reader.pull();
      while (!documents.every((document) => reader.has(document)) && performance.now() < deadline) {
        await sleep(50);
        await reader.pull();
      }
    };
    const originalWaitFor = reader.waitFor.bind(reader);
    reader.waitFor = async (documents, timeoutMs) => {
      await pollUntil([...documents]);
      return originalWaitFor(documents, timeoutMs);
    };

    const late = await pushLateAfterReaderPulled(reader, 'checkpoint');
    await pollUntil([late]);
    expect(reader.has(late)).toBe(true);
    expect(reader.repeated()).toEqual([]);
  });

  it('reaches a reader that pulls on stream events', async () => {
    const reader = new StreamDrivenReader(readerClient);
    await reader.open(server.url);
    try {
      const late = await pushLateAfterReaderPulled(reader, 'stream');
      await reader.waitFor([late], DELIVERY_BOUND_MS);
      expect(reader.repeated()).toEqual([]);
    } finally {
      await reader.close();
    }
  });

  it('keeps the clinical time of a late entry', async () => {
    const { documents } = await readerClient.pullAll('entries');
    const lateOnes = documents.filter((document) => document.id.startsWith('Observation/late-'));
    expect(lateOnes.map((document) => document.id).sort()).toEqual(['Observation/late-checkpoint', 'Observation/late-stream']);
    const clinicalTime = new Date(TEST_NOW.getTime() - 105 * 60_000).toISOString();
    for (const document of lateOnes) {
      expect(document.effective).toBe(clinicalTime);
      expect(document.resource.effectiveDateTime).toBe(clinicalTime);
    }
  });
});
