import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AstmLink } from '../../../devices/astm/index.js';
import type { Transport } from '../../../devices/transport/index.js';
import { createTransport } from '../../../devices/transport/index.js';
import type { Core } from '../../../main/core/core.js';
import { createCore } from '../../../main/core/core.js';
import type { LabMessageDetail, LabMessageView, LabReviewItem } from '../../../preload/api/lab-schemas.js';
import type { EntryDocument, RecordDocument } from '../../../sync/protocol/documents.js';
import type { SyncServer } from '../../../sync/server/app.js';
import { createServer } from '../../../sync/server/app.js';
import { ServerClient } from '../../../sync/client/server-client.js';
import { toRecordDocument } from '../../../sync/protocol/documents.js';
import { LAB_PANELS, labOrder, SEEDED_LAB_DEPARTMENT, specimenId } from '../../../sync/server/seed/lab-orders.js';
import { fixedClock } from '../../../main/core/clock.js';
import type { TestDatabase } from '../../support/postgres.js';
import { createTestDatabase } from '../../support/postgres.js';
import { c311RecordText, until } from '../../support/lab-bench.js';
import { makeTempDirectory } from '../../support/replica.js';
import { waitFor } from '../../support/waiting.js';
import { captureLogs } from '../../unit/devices/transport/log-capture.js';
import { SocatPair, socatAvailable } from '../devices/transport/socat-pair.js';

const CLOCK = fixedClock('2026-12-05T10:00:00.000Z');
/** The cobas c 311 capture's specimen id, which the demo seed gives to one of its Specimens. */
const C311_ACCESSION = 'CL-PL-24-0370';
/** Another seeded accession, for matching a held result by hand. */
const OTHER_ACCESSION = '27';

/** A one-result message for a specimen the workstation does not know. */
const UNKNOWN_SPECIMEN = ['H|\\^&|||c311^1|||||host|RSUPL^REAL|P|1', 'P|1', 'O|1|9999^ZZ-9999^1^^004|R1|^^^685/|R', 'R|1|^^^685/|30.1|U/l||N||F', 'L|1|N'].join('\r') + '\r';

describe.skipIf(!socatAvailable)('lab bench with an analyzer on a serial port', () => {
  const directory = makeTempDirectory('lab-bench');
  let database: TestDatabase;
  let server: SyncServer;
  let core: Core;
  let socat: SocatPair;
  let analyzerPort: Transport;
  let analyzer: AstmLink;

  async function call<T>(channel: string, input: unknown = {}): Promise<T> {
    const result = await core.gateway.handle(channel, input, { senderId: 'lab-bench-test' });
    if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
    return result.value as T;
  }

  async function labEntries(): Promise<EntryDocument[]> {
    const documents = await core.replica.entries.find({ selector: { resourceType: { $in: ['Observation', 'DiagnosticReport'] } } }).exec();
    return documents.map((document) => document.toJSON() as EntryDocument).filter((entry) => JSON.stringify(entry.resource).includes('"laboratory"') || entry.resourceType === 'DiagnosticReport');
  }

  beforeAll(async () => {
    socat = new SocatPair(directory.path);
    await socat.start();
    database = await createTestDatabase('lab_bench');
    server = await createServer({ port: 0, databaseUrl: database.url, seed: { now: CLOCK.now() }, now: () => CLOCK.now(), logLevel: 'silent' });
    core = await createCore({
      settings: {
        workstationId: 'ws-lab-bench',
        serverUrl: server.url,
        wardId: SEEDED_LAB_DEPARTMENT.id,
        lab: { connections: [{ profile: 'roche-cobas-c311', transport: { path: socat.b, assertDtr: false, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } } }] },
      },
      dataDirectory: join(directory.path, 'workstation'),
      logger: captureLogs().logger,
      clock: CLOCK,
      labTimeZone: 'UTC',
      connectivity: { minProbeIntervalMs: 100, maxProbeIntervalMs: 500 },
    });
    await call('session:signIn', { username: 'lab-technician', password: 'lab-technician-demo' });
    await waitFor(core.replication.status$, (status) => status.state === 'online' && status.pendingChanges === 0, 'lab workstation in sync');
    await until(() => core.replica.records.findOne(`Specimen/${specimenId(C311_ACCESSION)}`).exec(), Boolean, 'the seeded specimen');

    analyzerPort = createTransport({ kind: 'serial', path: socat.a, baudRate: 9600, assertDtr: false }, { id: 'analyzer', logger: captureLogs().logger });
    await analyzerPort.open();
    analyzer = new AstmLink({ role: 'instrument' });
    analyzer.on('write', (bytes) => void analyzerPort.write(bytes));
    analyzerPort.on('data', (chunk) => analyzer.receive(chunk));
  });

  afterAll(async () => {
    analyzer?.close();
    await analyzerPort?.close();
    await core?.close();
    await server?.close();
    await socat?.stop();
    await database?.drop();
    directory.remove();
  });

  it('stores matched results and sends them to the server', async () => {
    await until(() => call<{ state: string }[]>('lab:connections'), (connections) => connections[0]?.state === 'open', 'the analyzer connection open');

    await analyzer.send(c311RecordText());
    const [message] = await until(() => call<LabMessageView[]>('lab:recentMessages', {}), (messages) => messages[0]?.outcome === 'stored', 'the message stored');

    const entries = await labEntries();
    const observations = entries.filter((entry) => entry.resourceType === 'Observation');
    const reports = entries.filter((entry) => entry.resourceType === 'DiagnosticReport');
    expect(observations).toHaveLength(7);
    expect(reports).toHaveLength(1);
    expect(observations.every((entry) => (entry.resource.specimen as { reference: string }).reference === `Specimen/${specimenId(C311_ACCESSION)}`)).toBe(true);
    expect(new Set(observations.map((entry) => entry.patientId)).size).toBe(1);
    expect(message?.groups[0]?.accession).toBe(C311_ACCESSION);
    expect(message?.groups[0]?.results.find((result) => result.testCode === '712/')?.interpretation).toEqual(['L']);

    await waitFor(core.replication.status$, (status) => status.state === 'online' && status.pendingChanges === 0 && status.rejectedChanges === 0, 'results pushed');
  });

  it('stores a message sent twice once', async () => {
    const before = (await labEntries()).length;

    await analyzer.send(c311RecordText());
    const messages = await until(() => call<LabMessageView[]>('lab:recentMessages', {}), (list) => list.length === 2 && list[0]?.outcome !== 'received', 'the repeat handled');

    expect(messages[0]?.repeatOf).toBe(messages[1]?.id);
    expect((await labEntries()).length).toBe(before);
  });

  it('holds an unknown specimen until a technician matches it', async () => {
    await analyzer.send(UNKNOWN_SPECIMEN);
    const [held] = await until(() => call<LabReviewItem[]>('lab:reviewQueue'), (queue) => queue.length === 1, 'the held result');
    expect(held?.reasons).toEqual(['unknown-accession']);
    const before = (await labEntries()).length;

    const matched = await call<LabReviewItem>('lab:matchReview', { reviewId: held?.id, accession: OTHER_ACCESSION });
    expect(matched.group.specimenId).toBe(`Specimen/${specimenId(OTHER_ACCESSION)}`);
    expect(matched.group.patientName).not.toBeNull();
    const released = await call<LabReviewItem>('lab:releaseReview', { reviewId: held?.id });

    expect(released.state).toBe('released');
    expect(await call<LabReviewItem[]>('lab:reviewQueue')).toEqual([]);
    expect((await labEntries()).length).toBe(before + 2);
    await waitFor(core.replication.status$, (status) => status.pendingChanges === 0 && status.rejectedChanges === 0, 'released results pushed');
  });

  it('keeps a rejected result out of the chart', async () => {
    await analyzer.send(UNKNOWN_SPECIMEN.replace('30.1', '31.7'));
    const [held] = await until(() => call<LabReviewItem[]>('lab:reviewQueue'), (queue) => queue.length === 1, 'the held result');
    const before = (await labEntries()).length;

    const rejected = await call<LabReviewItem>('lab:rejectReview', { reviewId: held?.id, reason: 'Sample clotted' });

    expect(rejected.state).toBe('rejected');
    expect(rejected.decisionReason).toBe('Sample clotted');
    expect((await labEntries()).length).toBe(before);
  });

  it('names what is wrong with a match or a second decision', async () => {
    await analyzer.send(UNKNOWN_SPECIMEN.replace('30.1', '33.3'));
    const [held] = await until(() => call<LabReviewItem[]>('lab:reviewQueue'), (queue) => queue.length === 1, 'the held result');

    const noSpecimen = await core.gateway.handle('lab:matchReview', { reviewId: held?.id, accession: 'NO-SUCH-TUBE' }, { senderId: 'lab-bench-test' });
    expect(noSpecimen.ok ? null : noSpecimen.error.code).toBe('not-found');
    await call('lab:rejectReview', { reviewId: held?.id, reason: 'Wrong analyzer run' });
    const again = await core.gateway.handle('lab:releaseReview', { reviewId: held?.id }, { senderId: 'lab-bench-test' });
    expect(again.ok ? null : again.error.code).toBe('conflict');
  });

  it('shows the decision with the message it came from', async () => {
    await analyzer.send(UNKNOWN_SPECIMEN.replace('30.1', '34.4'));
    const [held] = await until(() => call<LabReviewItem[]>('lab:reviewQueue'), (queue) => queue.length === 1, 'the held result');
    await call('lab:matchReview', { reviewId: held?.id, accession: OTHER_ACCESSION });
    const released = await call<LabReviewItem>('lab:releaseReview', { reviewId: held?.id });

    const detail = await call<LabMessageDetail>('lab:message', { messageId: released.messageId });
    expect(released.matchedAccession).toBe(OTHER_ACCESSION);
    expect(detail.groups[0]?.review?.state).toBe('released');
    expect(detail.groups[0]?.specimenId).toBe(`Specimen/${specimenId(OTHER_ACCESSION)}`);
    expect(detail.documentIds).toHaveLength(2);
    expect((await core.replica.entries.findByIds(detail.documentIds).exec()).size).toBe(2);
  });

  it('releases held results once their order arrives', async () => {
    const accession = 'LATE-0001';
    await analyzer.send(UNKNOWN_SPECIMEN.replace('ZZ-9999', accession));
    const [held] = await until(() => call<LabReviewItem[]>('lab:reviewQueue'), (queue) => queue.length === 1, 'the result held for its order');
    expect(held?.reasons).toEqual(['unknown-accession']);

    // A doctor on the ward orders the test for a patient already in the lab's scope.
    const ward = new ServerClient({ baseUrl: server.url });
    const { token } = await ward.signIn({ username: 'doctor', password: 'doctor-demo', workstationId: 'ws-ward-doctor', wardId: 'ward-4a' });
    const existing = (await core.replica.records.findOne(`Specimen/${specimenId(C311_ACCESSION)}`).exec())?.toJSON() as RecordDocument;
    const order = { accession, panel: LAB_PANELS.basicMetabolic, specimenType: 'serum' as const, patientPosition: 0, orderedHoursAgo: 1 };
    const parties = { requester: { reference: 'Practitioner/user-doctor', display: 'Demo Doctor' }, collector: { reference: 'Practitioner/user-nurse', display: 'Demo Nurse' } };
    const context = { wardOfLocation: (id: string) => (id === SEEDED_LAB_DEPARTMENT.id ? id : undefined) };
    const documents = labOrder(order, existing.patientId, CLOCK.now(), parties).map((resource) => ({ ...toRecordDocument(resource, context), _deleted: false }));
    const pushed = await ward.push(token, 'records', documents.map((document) => ({ newDocumentState: document })));
    expect(pushed.conflicts ?? []).toEqual([]);

    await until(() => call<LabReviewItem[]>('lab:reviewQueue'), (queue) => queue.length === 0, 'the held result released', 30_000);
    const detail = await call<LabMessageDetail>('lab:message', { messageId: held?.messageId });
    expect(detail.groups[0]?.review?.state).toBe('released');
    expect(detail.groups[0]?.review?.decidedBy).toBe('workstation');
    expect((await core.replica.entries.findByIds(detail.documentIds).exec()).size).toBe(2);
  });

  it('keeps a quality-control run out of the chart and the review queue', async () => {
    const before = (await labEntries()).length;
    // The c 311 capture with H.12 = Q: a control material run, though it names a seeded accession.
    await analyzer.send(c311RecordText().replace('|P|1\r', '|Q|1\r').replace('|22.4|', '|63.1|'));
    const [message] = await until(() => call<LabMessageView[]>('lab:recentMessages', {}), (messages) => messages[0]?.outcome === 'no-results', 'the control run archived');

    expect(message?.groups).toEqual([]);
    expect(await call<LabReviewItem[]>('lab:reviewQueue')).toEqual([]);
    expect((await labEntries()).length).toBe(before);
  });
});
