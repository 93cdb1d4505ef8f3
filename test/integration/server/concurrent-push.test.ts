import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { FhirResource } from '../../../sync/protocol/documents.js';
import type { PushResponse, WireDocument } from '../../../sync/protocol/wire.js';
import type { SyncServer } from '../../../sync/server/app.js';
import { canonicalJson } from '../../../sync/server/canonical-json.js';
import type { ServerTestHooks } from '../../../sync/server/context.js';
import type { HttpResult, TestStorage } from './helpers.js';
import { createPostgresStorage, patientIdsOfWard, startServer, SyncClient, WARD_4A, wardOfSeededLocation, wireDocumentOf } from './helpers.js';

/** Rounds of the randomised race; raise it for a longer local run. */
const RACE_ROUNDS = Number(process.env.HMS_PUSH_RACE_ROUNDS ?? 30);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One call of the afterLock hook: which documents, and when it started and returned. */
interface LockWindow {
  documentIds: readonly string[];
  startedAt: number;
  endedAt: number;
}

/**
 * Hooks shared by every server instance of this file: `afterLock` waits `pauseMs()` between the
 * push's reads and its writes and records the window.
 */
class PauseAfterLock {
  pauseMs: () => number = () => 0;
  readonly windows: LockWindow[] = [];
  readonly hooks: ServerTestHooks = {
    afterLock: async (documentIds) => {
      const startedAt = performance.now();
      await sleep(this.pauseMs());
      this.windows.push({ documentIds: [...documentIds], startedAt, endedAt: performance.now() });
    },
  };

  windowsOf(documentId: string): LockWindow[] {
    return this.windows.filter((window) => window.documentIds.includes(documentId)).sort((a, b) => a.startedAt - b.startedAt);
  }
}

function withPhone(document: WireDocument, phone: string): WireDocument {
  return wireDocumentOf({ ...document.resource, telecom: [{ system: 'phone', value: phone, use: 'mobile' }] } as FhirResource, wardOfSeededLocation);
}

function withNextOfKin(document: WireDocument, family: string): WireDocument {
  const contact = [{ relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0131', code: 'N' }] }], name: { family } }];
  return wireDocumentOf({ ...document.resource, contact } as FhirResource, wardOfSeededLocation);
}

interface RaceOutcome {
  accepted: WireDocument;
  rejected: WireDocument;
  conflict: WireDocument | undefined;
}

/**
 * Sends two pushes of one document that assume the same master state, the second `offsetMs` after
 * the first, and returns which was accepted. Fails unless exactly one push was accepted.
 */
async function race(
  first: { client: SyncClient; state: WireDocument },
  second: { client: SyncClient; state: WireDocument },
  assumed: WireDocument,
  offsetMs: number,
): Promise<RaceOutcome> {
  const push = (client: SyncClient, state: WireDocument): Promise<HttpResult<PushResponse>> => client.push('records', [{ newDocumentState: state, assumedMasterState: assumed }]);
  const [firstResult, secondResult] = await Promise.all([push(first.client, first.state), sleep(offsetMs).then(() => push(second.client, second.state))]);
  expect(firstResult.status).toBe(200);
  expect(secondResult.status).toBe(200);

  const acceptedCount = [firstResult, secondResult].filter((result) => result.body.conflicts.length === 0).length;
  expect(acceptedCount).toBe(1);
  const [acceptedResult, rejectedResult, accepted, rejected] =
    firstResult.body.conflicts.length === 0 ? [firstResult, secondResult, first.state, second.state] : [secondResult, firstResult, second.state, first.state];
  expect(acceptedResult.body.conflicts).toEqual([]);
  expect(rejectedResult.body.conflicts).toHaveLength(1);
  return { accepted, rejected, conflict: rejectedResult.body.conflicts[0] };
}

async function storedState(client: SyncClient, id: string): Promise<WireDocument | undefined> {
  const { documents } = await client.pullAll('records');
  return documents.find((document) => document.id === id);
}

describe('concurrent pushes of one document on postgresql', () => {
  let storage: TestStorage;
  let server: SyncServer;
  let secondServer: SyncServer;
  let nurse: SyncClient;
  let doctor: SyncClient;
  let doctorOnSecond: SyncClient;
  let patientIds: string[];
  const pause = new PauseAfterLock();

  beforeAll(async () => {
    storage = await createPostgresStorage('concurrent_push');
    server = await startServer(storage, { testHooks: pause.hooks });
    secondServer = await startServer(storage, { testHooks: pause.hooks });
    nurse = await SyncClient.signIn(server.url, { wardId: WARD_4A, workstationId: 'ws-race-a' });
    doctor = await SyncClient.signIn(server.url, { username: 'doctor', wardId: WARD_4A, workstationId: 'ws-race-b' });
    doctorOnSecond = await SyncClient.signIn(secondServer.url, { username: 'doctor', wardId: WARD_4A, workstationId: 'ws-race-b' });
    patientIds = await patientIdsOfWard(server, WARD_4A);
  });

  afterAll(async () => {
    try {
      await secondServer?.close();
      await server?.close();
    } finally {
      await storage?.cleanup();
    }
  });

  it('accepts one push and returns it to the other', async () => {
    const id = `Patient/${patientIds[0] as string}`;
    const original = (await storedState(nurse, id)) as WireDocument;
    pause.pauseMs = () => 200;

    const outcome = await race({ client: nurse, state: withPhone(original, '555-0111') }, { client: doctor, state: withNextOfKin(original, 'Example') }, original, 2);

    expect(outcome.conflict).toEqual(outcome.accepted);
    expect(await storedState(nurse, id)).toEqual(outcome.accepted);
    // The second push read the master only after the first committed, so the two windows between
    // read and write never overlap.
    const windows = pause.windowsOf(id).slice(-2);
    expect(windows).toHaveLength(2);
    expect((windows[1] as LockWindow).startedAt).toBeGreaterThanOrEqual((windows[0] as LockWindow).endedAt);
  });

  it.each([
    ['one server instance', false],
    ['two server instances', true],
  ])('loses no update over random races on %s', async (_, twoInstances) => {
    const id = `Patient/${patientIds[twoInstances ? 2 : 1] as string}`;
    const other = twoInstances ? doctorOnSecond : doctor;
    let master = (await storedState(nurse, id)) as WireDocument;
    pause.pauseMs = () => Math.floor(Math.random() * 40);
    const winners = new Set<string>();

    for (let round = 0; round < RACE_ROUNDS; round++) {
      const fromNurse = withPhone(master, `555-${String(1000 + round)}`);
      const fromDoctor = withNextOfKin(master, `Kin${round}`);
      const nurseFirst = Math.random() < 0.5;
      const [first, second] = nurseFirst
        ? [{ client: nurse, state: fromNurse }, { client: other, state: fromDoctor }]
        : [{ client: other, state: fromDoctor }, { client: nurse, state: fromNurse }];

      const outcome = await race(first, second, master, Math.floor(Math.random() * 5));
      expect(outcome.conflict).toEqual(outcome.accepted);
      winners.add(canonicalJson(outcome.accepted) === canonicalJson(fromNurse) ? 'nurse' : 'doctor');

      // The stored state is the accepted one: the rejected push left no trace.
      const stored = (await storedState(nurse, id)) as WireDocument;
      expect(canonicalJson(stored)).toBe(canonicalJson(outcome.accepted));
      expect(canonicalJson(stored)).not.toBe(canonicalJson(outcome.rejected));
      master = stored;
    }

    // Each workstation lost some rounds, so the check covered a rejected push from either side.
    expect([...winners].sort()).toEqual(['doctor', 'nurse']);
    const windows = pause.windowsOf(id);
    expect(windows.length).toBeGreaterThanOrEqual(2 * RACE_ROUNDS);
    for (let index = 1; index < windows.length; index++) {
      expect((windows[index] as LockWindow).startedAt).toBeGreaterThanOrEqual((windows[index - 1] as LockWindow).endedAt);
    }
  });
});
