import { firstValueFrom } from 'rxjs';
import { filter, take, toArray } from 'rxjs/operators';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Core } from '../../main/core/core.js';
import { createCore } from '../../main/core/core.js';
import { fixedClock } from '../../main/core/clock.js';
import type { CallResultOf } from '../../preload/api/contract.js';
import type { SyncServer } from '../../sync/server/app.js';
import { createServer } from '../../sync/server/app.js';
import type { TestDatabase } from '../support/postgres.js';
import { createTestDatabase } from '../support/postgres.js';
import { makeTempDirectory, useRxdbDevMode, validatedSqliteStorage } from '../support/replica.js';
import { waitFor } from '../support/waiting.js';

/** Seed and charting happen "now" for the demo data: a fixed clock keeps ages and times repeatable. */
const CLOCK = fixedClock('2026-12-04T10:00:00.000Z');
const WARD_ID = 'ward-4a';
// HMS_TEST_LOG=debug shows the workstations' logs when a test fails.
const silent = pino({ level: process.env.HMS_TEST_LOG ?? 'silent' });

interface Backend {
  name: string;
  /** Starts the server on `port` (0 for any) over the same database every time. */
  start(port: number): Promise<SyncServer>;
  cleanup(): Promise<void>;
}

async function postgresBackend(): Promise<Backend> {
  const database: TestDatabase = await createTestDatabase('workstation_sync');
  return {
    name: 'PostgreSQL',
    start: (port) => createServer({ port, databaseUrl: database.url, seed: { now: CLOCK.now() }, now: () => CLOCK.now(), logLevel: 'silent' }),
    cleanup: () => database.drop(),
  };
}

async function pgliteBackend(): Promise<Backend> {
  const directory = makeTempDirectory('pglite');
  return {
    name: 'PGlite',
    start: (port) => createServer({ port, dataDir: directory.path, seed: { now: CLOCK.now() }, now: () => CLOCK.now(), logLevel: 'silent' }),
    cleanup: async () => directory.remove(),
  };
}

/** One workstation: its own data folder and replica, signed in as the demo nurse. */
class Workstation {
  core!: Core;
  readonly directory = makeTempDirectory('workstation');

  constructor(
    readonly name: string,
    private serverUrl: string,
  ) {}

  async open(): Promise<void> {
    useRxdbDevMode();
    this.core = await createCore({
      settings: { workstationId: this.name, serverUrl: this.serverUrl, wardId: WARD_ID },
      dataDirectory: this.directory.path,
      replicaName: `replica-${this.name}`,
      logger: silent,
      clock: CLOCK,
      storage: validatedSqliteStorage(this.directory.path),
      connectivity: { minProbeIntervalMs: 100, maxProbeIntervalMs: 500 },
    });
  }

  async call<T>(channel: string, input: unknown): Promise<T> {
    const result = await this.core.gateway.handle(channel, input, { senderId: this.name });
    if (!result.ok) throw new Error(`${channel} failed on ${this.name}: ${result.error.code}: ${result.error.message}`);
    return result.value as T;
  }

  async signIn(): Promise<void> {
    await this.call('session:signIn', { username: 'nurse', password: 'nurse-demo' });
  }

  async waitSynced(): Promise<void> {
    await waitFor(this.core.replication.status$, (status) => status.state === 'online' && status.pendingChanges === 0, `${this.name} in sync`);
    await this.core.replication.awaitInSync();
  }

  async close(): Promise<void> {
    await this.core.close();
  }
}

describe.each([
  ['PostgreSQL', postgresBackend],
  ['PGlite', pgliteBackend],
])('two workstations syncing through the reference server on %s', (_name, makeBackend) => {
  let backend: Backend;
  let server: SyncServer;
  let port: number;
  let first: Workstation;
  let second: Workstation;
  let patientId: string;

  beforeAll(async () => {
    backend = await makeBackend();
    server = await backend.start(0);
    port = Number(new URL(server.url).port);
    first = new Workstation('ws-first', server.url);
    second = new Workstation('ws-second', server.url);
    await first.open();
    await second.open();
    await first.signIn();
    await second.signIn();
    await first.waitSynced();
    await second.waitSynced();
  });

  afterAll(async () => {
    await first?.close();
    await second?.close();
    await server?.close();
    await backend?.cleanup();
    first?.directory.remove();
    second?.directory.remove();
  });

  it('replicates the seeded ward to each workstation', async () => {
    const rows = await first.call<CallResultOf<'ward', 'listPatients'>>('ward:listPatients', {});
    const rowsOnSecond = await second.call<CallResultOf<'ward', 'listPatients'>>('ward:listPatients', {});

    expect(rows.length).toBeGreaterThan(5);
    expect(rowsOnSecond.map((row) => row.patientId)).toEqual(rows.map((row) => row.patientId));
    expect(rows.every((row) => row.mrn && /^\d{8}$/.test(row.mrn))).toBe(true);
    patientId = rows[0]?.patientId as string;
  });

  it('finds a ward patient by parts of the name in any order', async () => {
    const rows = await first.call<CallResultOf<'ward', 'listPatients'>>('ward:listPatients', {});
    const target = rows.find((row) => row.patientId === patientId);
    const [family = '', given = ''] = (target?.name ?? '').split(', ');

    const results = await first.call<CallResultOf<'patient', 'search'>>('patient:search', { query: `${given.slice(0, 3)} ${family.slice(0, 4).toLowerCase()}` });

    expect(results[0]).toMatchObject({ patientId, name: target?.name, mrn: target?.mrn, bed: target?.bed, wardName: 'Ward 4A – Acute Medicine', inScope: true });
  });

  it('merges observations both workstations recorded offline', async () => {
    await server.close();
    await waitFor(first.core.replication.status$, (status) => status.state === 'offline', 'first workstation offline');
    await waitFor(second.core.replication.status$, (status) => status.state === 'offline', 'second workstation offline');

    const fromFirst = await first.call<CallResultOf<'vitals', 'record'>>('vitals:record', { patientId, observations: { pulse: 101, respiratoryRate: 22 } });
    const fromSecond = await second.call<CallResultOf<'vitals', 'record'>>('vitals:record', { patientId, observations: { pulse: 97, temperature: 38.2 } });

    expect(first.core.replication.status$.getValue()).toMatchObject({ state: 'offline', pendingChanges: 1 });
    expect(second.core.replication.status$.getValue()).toMatchObject({ state: 'offline', pendingChanges: 1 });

    server = await backend.start(port);
    await first.waitSynced();
    await second.waitSynced();
    const expected = [fromFirst.id, fromSecond.id].sort();
    const onFirst = await waitForVitals(first, patientId, expected);
    const onSecond = await waitForVitals(second, patientId, expected);
    expect(onSecond).toEqual(onFirst);

    const stored = await server.database.query<{ id: string }>(
      "SELECT id FROM documents WHERE collection = 'entries' AND id = ANY($1::text[]) ORDER BY id",
      [expected.map((id) => `Observation/${id}`)],
    );
    expect(stored.rows.map((row) => row.id)).toEqual(expected.map((id) => `Observation/${id}`));
  });

  it('sets aside a document the server refuses and syncs the rest', async () => {
    const poison = await first.call<CallResultOf<'vitals', 'record'>>('vitals:record', { patientId, observations: { pulse: 77 } });
    await server.close();
    await waitFor(first.core.replication.status$, (status) => status.state === 'offline', 'first workstation offline');
    // Corrupt a derived field, as a bug in an older workstation version might: the server refuses it for good.
    const stored = await first.core.replica.entries.findOne(`Observation/${poison.id}`).exec();
    await stored?.incrementalPatch({ code: 'http://loinc.org|0000-0' });
    const healthy = await first.call<CallResultOf<'vitals', 'record'>>('vitals:record', { patientId, observations: { pulse: 79 } });

    server = await backend.start(port);
    const status = await waitFor(first.core.replication.status$, (current) => current.state === 'online' && current.pendingChanges === 0 && current.rejectedChanges === 1, 'one rejected, none pending');

    expect(status.rejectedChanges).toBe(1);
    const onServer = await server.database.query<{ id: string; code: string }>(
      "SELECT id, document->>'code' AS code FROM documents WHERE collection = 'entries' AND id = ANY($1::text[]) ORDER BY id",
      [[`Observation/${poison.id}`, `Observation/${healthy.id}`]],
    );
    // The healthy entry arrived; the corrupted edit did not overwrite what the server had.
    expect(onServer.rows.find((row) => row.id === `Observation/${healthy.id}`)?.code).toBe('http://loinc.org|85353-1');
    expect(onServer.rows.find((row) => row.id === `Observation/${poison.id}`)?.code).toBe('http://loinc.org|85353-1');
    expect(await first.core.replica.entries.findOne(`Observation/${poison.id}`).exec()).not.toBeNull();
  });

  it('returns a conflict to the later push of a stale Patient edit', async () => {
    const documentId = `Patient/${patientId}`;
    await server.close();
    await waitFor(first.core.replication.status$, (status) => status.state === 'offline', 'first workstation offline');

    await editPatientPhone(first, documentId, '+1 555 0101');
    await editPatientPhone(second, documentId, '+1 555 0202');

    // The second workstation stays closed while the first pushes its edit.
    await second.close();
    server = await backend.start(port);
    await first.waitSynced();

    await second.open();
    const conflicts = firstValueFrom(second.core.replication.conflicts$.pipe(filter((event) => event.collection === 'records'), take(1), toArray()));
    await second.signIn();
    await second.waitSynced();

    // Both changed the phone number: the server's value stands, and the local one waits for review.
    const [conflict] = await conflicts;
    expect(conflict).toMatchObject({ documentId, outcome: 'needs-review', overlapping: ['telecom'], status: 'open' });
    expect((conflict?.local.resource as { telecom?: { value: string }[] }).telecom?.[0]?.value).toBe('+1 555 0202');
    const master = await server.database.query<{ document: { resource: { telecom?: { value: string }[] } } }>(
      "SELECT document FROM documents WHERE collection = 'records' AND id = $1",
      [documentId],
    );
    expect(master.rows[0]?.document.resource.telecom?.[0]?.value).toBe('+1 555 0101');
    const local = await second.core.replica.records.findOne(documentId).exec();
    expect((local?.resource as { telecom?: { value: string }[] }).telecom?.[0]?.value).toBe('+1 555 0101');
  });
});

async function editPatientPhone(workstation: Workstation, documentId: string, phone: string): Promise<void> {
  const document = await workstation.core.replica.records.findOne(documentId).exec();
  if (!document) throw new Error(`${documentId} is missing on ${workstation.name}`);
  await document.incrementalModify((data) => ({ ...data, resource: { ...data.resource, telecom: [{ system: 'phone', value: phone }] } }));
}

/** Waits until the workstation's replica contains every expected observation, and returns their ids. */
async function waitForVitals(workstation: Workstation, patientId: string, expectedIds: string[]): Promise<string[]> {
  const wanted = expectedIds.map((id) => `Observation/${id}`);
  const documents = await waitFor(
    workstation.core.replica.entries.find({ selector: { patientId } }).$,
    (found) => wanted.every((id) => found.some((document) => document.id === id)),
    `${workstation.name} to hold observations ${expectedIds.join(', ')}`,
  );
  return documents.map((document) => document.resource.id as string).filter((id) => expectedIds.includes(id)).sort();
}
