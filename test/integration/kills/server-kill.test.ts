import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Core } from '../../../main/core/core.js';
import { createCore } from '../../../main/core/core.js';
import type { CallResultOf } from '../../../preload/api/contract.js';
import type { SyncStatus } from '../../../preload/api/schemas.js';
import type { PushOutcome } from '../../../sync/client/replication.js';
import type { TestDatabase } from '../../support/postgres.js';
import { createTestDatabase } from '../../support/postgres.js';
import { makeTempDirectory, useRxdbDevMode, validatedSqliteStorage } from '../../support/replica.js';
import { integerBetween, seededRandom, testSeed } from '../../support/seeded-random.js';
import { freePort, ServerProcess } from '../../support/server-process.js';
import { fingerprint, withTimeout } from '../../support/sync-harness.js';
import { waitFor } from '../../support/waiting.js';

/**
 * The reference server, in a child process, is killed with SIGKILL three times while the
 * workstation pushes vital signs, and restarted on the same port and database. The workstation
 * (in this process) charts without a pause throughout, online and offline. Each kill lands a few
 * milliseconds after a push request left the workstation, so it falls before, during or after the
 * server's commit. Afterwards every confirmed set must be on the server, written exactly once.
 *
 * The seed fixes the patients, values, pauses and kill timings; when each push leaves still
 * depends on the machine, so a run repeats only approximately.
 */

const SEED = testSeed();
const KILLS = 3;
const WORKSTATION_ID = 'ws-kill-server';
const WARD_ID = 'ward-4a';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface KillRecord {
  killedAt: number;
  restartedAt: number;
  /** Documents of the push in flight at the kill that the server had committed, and those it had not. */
  committed: number;
  notCommitted: number;
}

describe(`server SIGKILL during pushes (seed ${SEED})`, () => {
  const writeRandom = seededRandom(SEED);
  const killRandom = seededRandom(SEED + 1);
  const directory = makeTempDirectory('kill-server');
  const realFetch = globalThis.fetch;
  const statusLog: { at: number; status: SyncStatus }[] = [];
  const outcomes: PushOutcome[] = [];
  /** Ids of the vital signs sets that vitals:record confirmed, in order. */
  const confirmed: string[] = [];
  /** One check per published status with nothing pending: the confirmed ids the server lacked. */
  const pendingTruthChecks: Promise<string[]>[] = [];
  const kills: KillRecord[] = [];
  let database: TestDatabase;
  let pool: pg.Pool;
  let server: ServerProcess;
  let core: Core;
  let patients: string[];
  /** Called once, with the pushed document ids, when the next entries push request leaves the workstation. */
  let onPushSent: ((ids: string[]) => void) | undefined;

  async function call<T>(channel: string, input: unknown): Promise<T> {
    const result = await core.gateway.handle(channel, input, { senderId: WORKSTATION_ID });
    if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
    return result.value as T;
  }

  function nextPushSent(timeoutMs: number): Promise<string[]> {
    return withTimeout(new Promise<string[]>((resolve) => (onPushSent = resolve)), timeoutMs, 'an entries push request');
  }

  /** Checks later, against the server, the ids confirmed before a status that reported nothing pending. */
  function checkPendingTruth(): void {
    const ids = [...confirmed];
    if (ids.length === 0) return;
    pendingTruthChecks.push(
      pool.query<{ id: string }>('SELECT id FROM documents WHERE id = ANY($1::text[])', [ids]).then(
        ({ rows }) => {
          const onServer = new Set(rows.map((row) => row.id));
          return ids.filter((id) => !onServer.has(id));
        },
        (error: unknown) => [`the check could not read the server: ${error instanceof Error ? error.message : String(error)}`],
      ),
    );
  }

  async function writeVitals(until: { stopped: boolean }): Promise<void> {
    while (!until.stopped) {
      const patientId = patients[integerBetween(writeRandom, 0, patients.length - 1)] as string;
      const set = await call<CallResultOf<'vitals', 'record'>>('vitals:record', { patientId, observations: { pulse: integerBetween(writeRandom, 50, 120) } });
      confirmed.push(`Observation/${set.id}`);
      await sleep(integerBetween(writeRandom, 0, 15));
    }
  }

  beforeAll(async () => {
    console.log(`server-kill seed ${SEED} (set HMS_TEST_SEED to repeat it)`);
    globalThis.fetch = (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
      if (method === 'POST' && url.endsWith('/sync/entries/push') && onPushSent && typeof init?.body === 'string') {
        const notify = onPushSent;
        onPushSent = undefined;
        const { rows } = JSON.parse(init.body) as { rows: { newDocumentState: { id: string } }[] };
        notify(rows.map((row) => row.newDocumentState.id));
      }
      return realFetch(input, init);
    };

    database = await createTestDatabase('kill_server');
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    // Dropping the database terminates the pool's idle connections. Without a listener, that error would be uncaught.
    pool.on('error', () => undefined);
    server = new ServerProcess(database.url, await freePort());
    await server.start();
    // Every insert or update of an entry, so that a push replayed after a kill shows as a second write.
    await pool.query(`
      CREATE TABLE test_entry_writes (sequence bigserial PRIMARY KEY, id text NOT NULL, operation text NOT NULL);
      CREATE FUNCTION test_log_entry_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO test_entry_writes (id, operation) VALUES (NEW.id, TG_OP);
        RETURN NULL;
      END
      $$;
      CREATE TRIGGER test_log_entry_write AFTER INSERT OR UPDATE ON documents
        FOR EACH ROW WHEN (NEW.collection = 'entries') EXECUTE FUNCTION test_log_entry_write();`);

    useRxdbDevMode();
    core = await createCore({
      settings: { workstationId: WORKSTATION_ID, serverUrl: server.url, wardId: WARD_ID },
      dataDirectory: directory.path,
      replicaName: 'replica-kill-server',
      logger: pino({ level: process.env.HMS_TEST_LOG_LEVEL ?? 'silent' }),
      storage: validatedSqliteStorage(directory.path),
      connectivity: { minProbeIntervalMs: 100, maxProbeIntervalMs: 400 },
      requestTimeoutMs: 5_000,
      // Small batches, so that several pushes run while the workstation charts.
      sync: { pushBatchSize: 10, retry: { minDelayMs: 100, maxDelayMs: 1_000 } },
    });
    core.replication.status$.subscribe((status) => {
      statusLog.push({ at: Date.now(), status });
      if (status.pendingChanges === 0) checkPendingTruth();
    });
    core.replication.outcomes$.subscribe((reported) => outcomes.push(...reported));
    await call('session:signIn', { username: 'nurse', password: 'nurse-demo' });
    await waitFor(core.replication.status$, (status) => status.state === 'online' && status.pendingChanges === 0, 'the first sync');
    await core.replication.awaitInSync();
    patients = (await call<CallResultOf<'ward', 'listPatients'>>('ward:listPatients', {})).map((row) => row.patientId);
  });

  afterAll(async () => {
    globalThis.fetch = realFetch;
    await core?.close();
    await server?.kill();
    await pool?.end();
    await database?.drop();
    directory.remove();
  });

  it('keeps confirmed sets through three kills', async () => {
    expect(patients.length).toBeGreaterThan(0);
    const writing = { stopped: false };
    const writer = writeVitals(writing);

    for (let kill = 0; kill < KILLS; kill++) {
      await sleep(integerBetween(killRandom, 800, 2_500));
      const inFlight = await nextPushSent(10_000);
      // 0 to 30 ms after the request left: before, inside or after the server's transaction.
      await sleep(integerBetween(killRandom, 0, 30));
      const killedAt = Date.now();
      await server.kill();
      const { rows: committedRows } = await pool.query<{ id: string }>('SELECT id FROM documents WHERE id = ANY($1::text[])', [inFlight]);
      await waitFor(core.replication.status$, (status) => status.state === 'offline', `offline after kill ${kill + 1}`, 10_000);
      // The nurse keeps charting while the server is down.
      await sleep(integerBetween(killRandom, 200, 1_500));
      const restartedAt = Date.now();
      await server.start();
      await waitFor(core.replication.status$, (status) => status.state !== 'offline', `reconnection after restart ${kill + 1}`, 20_000);
      kills.push({ killedAt, restartedAt, committed: committedRows.length, notCommitted: inFlight.length - committedRows.length });
    }

    await sleep(integerBetween(killRandom, 300, 1_000));
    writing.stopped = true;
    await writer;
    await waitFor(core.replication.status$, (status) => status.state === 'online' && status.pendingChanges === 0, 'nothing pending after the last restart', 30_000);
    await withTimeout(core.replication.awaitInSync(), 30_000, 'the replication to finish');
    console.log(`server-kill: ${confirmed.length} sets confirmed, ${outcomes.length} push outcomes`);
    for (const [index, { committed, notCommitted }] of kills.entries()) {
      console.log(`server-kill: kill ${index + 1} hit a push of ${committed + notCommitted} documents, ${committed} of them committed before the kill`);
    }

    // Every confirmed set is stored once, in the state the workstation confirmed.
    const { rows: stored } = await pool.query<{ id: string; document: Record<string, unknown> }>('SELECT id, document FROM documents WHERE id = ANY($1::text[])', [confirmed]);
    const storedIds = new Set(stored.map((row) => row.id));
    expect(confirmed.filter((id) => !storedIds.has(id)), 'confirmed sets missing on the server').toEqual([]);
    expect(stored.length, 'server rows of the confirmed sets').toBe(confirmed.length);
    const local = await core.replica.entries.findByIds(confirmed).exec();
    const differing = stored.filter((row) => {
      const document = local.get(row.id);
      return !document || fingerprint(document.toJSON(true) as Record<string, unknown>).hash !== fingerprint(row.document).hash;
    });
    expect(differing.map((row) => row.id), 'sets that differ between the server and the replica').toEqual([]);

    // Nothing else was stored in the workstation's name.
    const { rows: ownObservations } = await pool.query<{ id: string }>("SELECT id FROM documents WHERE updated_by_workstation_id = $1 AND id LIKE 'Observation/%'", [WORKSTATION_ID]);
    const confirmedIds = new Set(confirmed);
    expect(ownObservations.filter((row) => !confirmedIds.has(row.id)).map((row) => row.id), 'observations on the server never confirmed').toEqual([]);

    // A push replayed after a kill writes nothing again.
    const { rows: writes } = await pool.query<{ id: string; writes: string; updates: string }>(
      "SELECT id, count(*) AS writes, count(*) FILTER (WHERE operation = 'UPDATE') AS updates FROM test_entry_writes WHERE id = ANY($1::text[]) GROUP BY id HAVING count(*) > 1",
      [confirmed],
    );
    expect(writes, 'sets written more than once').toEqual([]);

    // The status showed each outage and each return.
    for (const [index, { killedAt, restartedAt }] of kills.entries()) {
      const afterKill = statusLog.filter((entry) => entry.at >= killedAt);
      const offlineAt = afterKill.find((entry) => entry.status.state === 'offline')?.at;
      expect(offlineAt, `offline after kill ${index + 1}`).toBeDefined();
      const back = statusLog.find((entry) => entry.at >= restartedAt && entry.status.state !== 'offline');
      expect(back, `back from offline after restart ${index + 1}`).toBeDefined();
    }

    expect(outcomes.filter((outcome) => outcome.outcome === 'rejected').map((outcome) => outcome.documentId), 'rejected pushes').toEqual([]);
    expect(outcomes.filter((outcome) => outcome.outcome === 'conflict').map((outcome) => outcome.documentId), 'conflicting pushes').toEqual([]);
    expect(Math.max(...statusLog.map((entry) => entry.status.rejectedChanges)), 'largest rejected count shown').toBe(0);
    expect((await Promise.all(pendingTruthChecks)).flat(), 'confirmed sets missing while the pending count read 0').toEqual([]);
  });
});
