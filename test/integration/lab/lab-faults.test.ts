import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { FaultKind } from '../../../devices/simulator/index.js';
import { AnalyzerSimulator, readCapture } from '../../../devices/simulator/index.js';
import { fixedClock } from '../../../main/core/clock.js';
import type { Core } from '../../../main/core/core.js';
import { createCore } from '../../../main/core/core.js';
import type { LabMessageDetail, LabMessageView } from '../../../preload/api/lab-schemas.js';
import type { SyncServer } from '../../../sync/server/app.js';
import { createServer } from '../../../sync/server/app.js';
import { SEEDED_LAB_DEPARTMENT, specimenId } from '../../../sync/server/seed/lab-orders.js';
import type { TestDatabase } from '../../support/postgres.js';
import { createTestDatabase } from '../../support/postgres.js';
import { c311RecordText, until } from '../../support/lab-bench.js';
import { makeTempDirectory } from '../../support/replica.js';
import { waitFor } from '../../support/waiting.js';
import { captureLogs } from '../../unit/devices/transport/log-capture.js';
import { SocatPair, socatAvailable } from '../devices/transport/socat-pair.js';

const CLOCK = fixedClock('2026-12-05T10:00:00.000Z');
const ACCESSION = 'CL-PL-24-0370';
/** E1381 timings shortened for both ends, so a timeout fault takes a second, not half a minute. */
const TIMINGS = { replyTimeoutMs: 400, receiveTimeoutMs: 600 };

/** Builds the cobas c 311 capture's records, one per line, with a new first value so each run is a new message. */
function c311Records(firstValue: string): Buffer {
  return Buffer.from(c311RecordText().replace('|22.4|', `|${firstValue}|`).split('\r').filter(Boolean).join('\n'), 'latin1');
}

/**
 * The simulator plays the cobas c 311 through a pty into a lab workstation and breaks the transfer
 * in each way an analyzer line fails. Each message is either stored whole or not at all, and a
 * resend after a failure stores it once.
 */
describe.skipIf(!socatAvailable)('lab bench under analyzer line faults', () => {
  const directory = makeTempDirectory('lab-faults');
  let database: TestDatabase;
  let server: SyncServer;
  let core: Core;
  let socat: SocatPair;

  async function call<T>(channel: string, input: unknown = {}): Promise<T> {
    const result = await core.gateway.handle(channel, input, { senderId: 'lab-faults-test' });
    if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
    return result.value as T;
  }

  async function play(firstValue: string, fault: FaultKind, resend: number) {
    const simulator = new AnalyzerSimulator({
      capture: readCapture(c311Records(firstValue), { protocol: 'astm' }),
      connection: { kind: 'serial', path: socat.a, baudRate: 9600, assertDtr: false },
      faults: [{ kind: fault, message: 1 }],
      resend,
      silenceMs: 1_500,
      openTimeoutMs: 5_000,
      astm: TIMINGS,
    });
    return simulator.run();
  }

  /** Finds the archived messages whose results carry this first value. */
  async function messagesWith(firstValue: string): Promise<LabMessageView[]> {
    const messages = await call<LabMessageView[]>('lab:recentMessages', { limit: 500 });
    return messages.filter((message) => message.groups.some((group) => group.results.some((result) => result.testCode === '685/' && result.value === firstValue)));
  }

  async function storedDocumentsOf(message: LabMessageView): Promise<{ expected: string[]; present: number }> {
    const detail = await call<LabMessageDetail>('lab:message', { messageId: message.id });
    const [entries] = [await core.replica.entries.findByIds(detail.documentIds).exec()];
    return { expected: detail.documentIds, present: entries.size };
  }

  beforeAll(async () => {
    socat = new SocatPair(directory.path);
    await socat.start();
    database = await createTestDatabase('lab_faults');
    server = await createServer({ port: 0, databaseUrl: database.url, seed: { now: CLOCK.now() }, now: () => CLOCK.now(), logLevel: 'silent' });
    core = await createCore({
      settings: {
        workstationId: 'ws-lab-faults',
        serverUrl: server.url,
        wardId: SEEDED_LAB_DEPARTMENT.id,
        lab: { connections: [{ profile: 'roche-cobas-c311', transport: { path: socat.b, assertDtr: false, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } } }] },
      },
      dataDirectory: join(directory.path, 'workstation'),
      logger: captureLogs().logger,
      clock: CLOCK,
      labTimeZone: 'UTC',
      labAstmTimings: TIMINGS,
      connectivity: { minProbeIntervalMs: 100, maxProbeIntervalMs: 500 },
    });
    const signedIn = await core.gateway.handle('session:signIn', { username: 'lab-technician', password: 'lab-technician-demo' }, { senderId: 'lab-faults-test' });
    if (!signedIn.ok) throw new Error(`sign-in failed: ${signedIn.error.message}`);
    await waitFor(core.replication.status$, (status) => status.state === 'online' && status.pendingChanges === 0, 'lab workstation in sync');
    await until(() => core.replica.records.findOne(`Specimen/${specimenId(ACCESSION)}`).exec(), Boolean, 'the seeded specimen');
    await until(() => call<{ state: string }[]>('lab:connections'), (connections) => connections[0]?.state === 'open', 'the analyzer connection open');
  });

  afterAll(async () => {
    await core?.close();
    await server?.close();
    await socat?.stop();
    await database?.drop();
    directory.remove();
  });

  it('accepts the retransmission of a frame with a bad checksum', async () => {
    const report = await play('41.1', 'bad-checksum', 0);

    expect(report.accepted).toBe(1);
    const [message] = await until(() => messagesWith('41.1'), (messages) => messages[0]?.outcome === 'stored', 'the message stored');
    const stored = await storedDocumentsOf(message as LabMessageView);
    expect(stored.present).toBe(8);
    expect(stored.expected).toHaveLength(8);
  });

  it.each(['timeout', 'interrupt-eot', 'lost-ack'] as const)('stores nothing of a transfer broken by %s', async (fault) => {
    const value = { timeout: '42.2', 'interrupt-eot': '43.3', 'lost-ack': '44.4' }[fault];

    const report = await play(value, fault, 0);
    // Give the workstation's receive timeout time to discard what it holds.
    await new Promise((resolve) => setTimeout(resolve, TIMINGS.receiveTimeoutMs * 2));

    expect(report.accepted).toBe(0);
    expect(await messagesWith(value)).toEqual([]);
  });

  it.each(['timeout', 'interrupt-eot', 'lost-ack'] as const)('stores a message resent after %s once', async (fault) => {
    const value = { timeout: '45.5', 'interrupt-eot': '46.6', 'lost-ack': '47.7' }[fault];

    const report = await play(value, fault, 1);

    expect(report.accepted).toBe(1);
    const messages = await until(() => messagesWith(value), (list) => list.length === 1 && list[0]?.outcome === 'stored', 'the resent message stored');
    const stored = await storedDocumentsOf(messages[0] as LabMessageView);
    expect(stored.present).toBe(8);
  });

  it('sends the stored results to the server', async () => {
    await waitFor(core.replication.status$, (status) => status.state === 'online' && status.pendingChanges === 0 && status.rejectedChanges === 0, 'results pushed');
  });
});
