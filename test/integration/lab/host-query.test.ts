import { mkdirSync, writeFileSync } from 'node:fs';
import { createConnection, createServer as createNetServer } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { AstmMessage, ReceivedAstmMessage } from '../../../devices/astm/index.js';
import { AstmLink, parseAstmMessage } from '../../../devices/astm/index.js';
import type { Hl7Message } from '../../../devices/hl7/index.js';
import { frameMllp, MllpDecoder, parseMessage, readQueryResponse } from '../../../devices/hl7/index.js';
import type { AnalyzerProfileInput } from '../../../devices/profiles/index.js';
import type { Transport } from '../../../devices/transport/index.js';
import { createTransport } from '../../../devices/transport/index.js';
import { fixedClock } from '../../../main/core/clock.js';
import type { Core } from '../../../main/core/core.js';
import { createCore } from '../../../main/core/core.js';
import { LabArchive } from '../../../main/core/lab/lab-archive.js';
import type { LabConnection, LabMessageView } from '../../../preload/api/lab-schemas.js';
import type { RecordDocument } from '../../../sync/protocol/documents.js';
import { mrnOf, officialName } from '../../../sync/protocol/documents.js';
import type { SyncServer } from '../../../sync/server/app.js';
import { createServer } from '../../../sync/server/app.js';
import { labOrderId, SEEDED_LAB_DEPARTMENT, specimenId } from '../../../sync/server/seed/lab-orders.js';
import type { TestDatabase } from '../../support/postgres.js';
import { createTestDatabase } from '../../support/postgres.js';
import { until } from '../../support/lab-bench.js';
import { makeTempDirectory } from '../../support/replica.js';
import { waitFor } from '../../support/waiting.js';
import { captureLogs } from '../../unit/devices/transport/log-capture.js';
import { SocatPair, socatAvailable } from '../devices/transport/socat-pair.js';

const CLOCK = fixedClock('2026-12-05T10:00:00.000Z');
const REPLICA_NAME = 'host-query';

/**
 * Test codes of a made-up analyzer that runs the seeded panels. The comprehensive metabolic panel
 * (24323-8), ordered for CL-PL-24-0370, is deliberately missing.
 */
const PANEL_TESTS = {
  CBC: { loinc: '58410-2', display: 'CBC panel - Blood by Automated count' },
  CBCD: { loinc: '57021-8', display: 'CBC W Auto Differential panel - Blood' },
  BMP: { loinc: '51990-0', display: 'Basic metabolic panel - Blood' },
};

const ASTM_PROFILE: AnalyzerProfileInput = {
  id: 'host-query-astm',
  name: 'Host query bench (ASTM)',
  manufacturer: 'Test',
  model: 'Query',
  transport: { kind: 'serial', baudRate: 9600 },
  protocol: { name: 'astm-e1381' },
  hostQuery: true,
  tests: PANEL_TESTS,
};

const HL7_PROFILE: AnalyzerProfileInput = {
  id: 'host-query-hl7',
  name: 'Host query bench (HL7)',
  manufacturer: 'Test',
  model: 'Query',
  transport: { kind: 'tcp-server', host: '127.0.0.1' },
  protocol: { name: 'hl7-mllp', version: '2.5.1' },
  hostQuery: true,
  tests: PANEL_TESTS,
};

function astmQuery(startingRange: string): string {
  return ['H|\\^&|||QUERY^1|||||||P|1', `Q|1|${startingRange}||^^^ALL||||||||O`, 'L|1|N'].join('\r') + '\r';
}

function qbp(controlId: string, specimen: string): string {
  return (
    [
      `MSH|^~\\&|QUERY|LAB|HMS|HOSP|20261205100000||QBP^Q11^QBP_Q11|${controlId}|P|2.5.1`,
      `QPD|WOS^Work Order Step^IHE_LABTF|${controlId}-TAG|${specimen}`,
      'RCP|I||R',
    ].join('\r') + '\r'
  );
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('The probe server reported no TCP port');
  return address.port;
}

describe.skipIf(!socatAvailable)('host queries from analyzers', () => {
  const directory = makeTempDirectory('lab-host-query');
  const dataDirectory = join(directory.path, 'workstation');
  let database: TestDatabase;
  let server: SyncServer;
  let core: Core;
  let socat: SocatPair;
  let hl7Port: number;
  let analyzerPort: Transport;
  let analyzer: AstmLink;
  let archive: LabArchive;
  const returnedMessages = new Set<string>();

  async function call<T>(channel: string, input: unknown = {}): Promise<T> {
    const result = await core.gateway.handle(channel, input, { senderId: 'host-query-test' });
    if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
    return result.value as T;
  }

  async function record(id: string): Promise<RecordDocument> {
    const found = await core.replica.records.findOne(id).exec();
    if (!found) throw new Error(`${id} is not in the workstation's replica`);
    return found.toJSON() as RecordDocument;
  }

  async function patientOf(accession: string): Promise<RecordDocument> {
    const specimen = await record(`Specimen/${specimenId(accession)}`);
    return record(`Patient/${specimen.patientId}`);
  }

  /** Sends a query as the analyzer and returns the host's response, which arrives in a transfer of its own. */
  async function queryAsAnalyzer(text: string): Promise<AstmMessage> {
    const response = new Promise<ReceivedAstmMessage>((resolve) => analyzer.once('message', resolve));
    await analyzer.send(text);
    return parseAstmMessage((await response).text);
  }

  /** Returns the archive entry of the newest message not returned before, once the workstation has handled it. */
  async function newestHandled(protocol: 'astm' | 'hl7') {
    const [newest] = await until(
      () => call<LabMessageView[]>('lab:recentMessages', { limit: 1 }),
      (messages) => messages[0]?.protocol === protocol && messages[0].outcome !== 'received' && !returnedMessages.has(messages[0].id),
      `the ${protocol} query handled`,
    );
    returnedMessages.add(newest?.id ?? '');
    const archived = archive.get(newest?.id ?? '');
    if (!archived) throw new Error(`Lab message ${newest?.id} is not in the archive`);
    return archived;
  }

  beforeAll(async () => {
    socat = new SocatPair(directory.path);
    await socat.start();
    hl7Port = await freePort();

    const profileFolder = join(directory.path, 'profiles');
    mkdirSync(profileFolder);
    writeFileSync(join(profileFolder, 'host-query-astm.json'), JSON.stringify(ASTM_PROFILE));
    writeFileSync(join(profileFolder, 'host-query-hl7.json'), JSON.stringify(HL7_PROFILE));

    database = await createTestDatabase('lab_host_query');
    server = await createServer({ port: 0, databaseUrl: database.url, seed: { now: CLOCK.now() }, now: () => CLOCK.now(), logLevel: 'silent' });
    core = await createCore({
      settings: {
        workstationId: 'ws-lab-host-query',
        serverUrl: server.url,
        wardId: SEEDED_LAB_DEPARTMENT.id,
        lab: {
          profileFolder,
          connections: [
            { profile: 'host-query-astm', transport: { path: socat.b, assertDtr: false, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } } },
            { profile: 'host-query-hl7', transport: { port: hl7Port } },
          ],
        },
      },
      dataDirectory,
      replicaName: REPLICA_NAME,
      logger: captureLogs().logger,
      clock: CLOCK,
      labTimeZone: 'UTC',
      connectivity: { minProbeIntervalMs: 100, maxProbeIntervalMs: 500 },
    });
    archive = new LabArchive(join(dataDirectory, `${REPLICA_NAME}.sqlite`));
    await call('session:signIn', { username: 'lab-technician', password: 'lab-technician-demo' });
    await waitFor(core.replication.status$, (status) => status.state === 'online' && status.pendingChanges === 0, 'lab workstation in sync');
    await until(() => core.replica.records.findOne(`Specimen/${specimenId('CL-PL-24-0370')}`).exec(), Boolean, 'the seeded specimens');

    analyzerPort = createTransport({ kind: 'serial', path: socat.a, baudRate: 9600, assertDtr: false }, { id: 'analyzer', logger: captureLogs().logger });
    await analyzerPort.open();
    analyzer = new AstmLink({ role: 'instrument' });
    analyzer.on('write', (bytes) => void analyzerPort.write(bytes));
    analyzerPort.on('data', (chunk) => analyzer.receive(chunk));
    await until(() => call<LabConnection[]>('lab:connections'), (connections) => connections.find((connection) => connection.id === 'host-query-astm')?.state === 'open', 'the serial connection open');
  });

  afterAll(async () => {
    analyzer?.close();
    await analyzerPort?.close();
    archive?.close();
    await core?.close();
    await server?.close();
    await socat?.stop();
    await database?.drop();
    directory.remove();
  });

  describe('ASTM over a pty', () => {
    it('receives the orders of two seeded specimens', async () => {
      const response = await queryAsAnalyzer(astmQuery('^S1234^12^3\\^1DC042FP^12^4'));
      const patient = await patientOf('S1234');
      const name = officialName(patient.resource);

      expect(response.records.map((entry) => entry.type).join('')).toBe('HPOPOL');
      for (const record of response.recordsOfType('P')) {
        expect(record.value('practiceAssignedPatientId')).toBe(mrnOf(patient.resource));
        expect(record.field('patientName').component(1)).toBe(name?.family);
        expect(record.field('patientName').component(2)).toBe(name?.given?.[0]);
      }
      const orders = response.recordsOfType('O');
      expect(orders.map((order) => order.value('specimenId'))).toEqual(['S1234', '1DC042FP']);
      expect(orders.map((order) => order.field('instrumentSpecimenId').components)).toEqual([
        ['12', '3'],
        ['12', '4'],
      ]);
      expect(orders.map((order) => order.field('universalTestId').component(4))).toEqual(['CBCD', 'BMP']);
      expect(orders.map((order) => order.value('reportTypes'))).toEqual(['Q', 'Q']);
      expect(response.recordsOfType('L')[0]?.value('terminationCode')).toBe('N');
    });

    it('archives the query with its order count', async () => {
      const archived = await newestHandled('astm');
      const detail = archived.detail as { counts?: Record<string, number>; hostQuery?: { responded: boolean; orders: number; response?: string } };

      expect(archived.outcome).toBe('no-results');
      expect(detail.counts?.orders).toBe(2);
      expect(detail.hostQuery?.responded).toBe(true);
      expect(detail.hostQuery?.response).toContain('O|1|S1234|12^3|^^^CBCD|');
      const written = Buffer.concat(archive.wire('host-query-astm').filter((chunk) => chunk.direction === 'out').map((chunk) => chunk.bytes));
      expect(written.toString('latin1')).toContain('|^^^BMP|');
    });

    it('receives Z for an unknown accession', async () => {
      const response = await queryAsAnalyzer(astmQuery('^ZZ-0000^9'));
      const order = response.recordsOfType('O')[0];

      expect(response.records.map((entry) => entry.type).join('')).toBe('HPOL');
      expect(response.recordsOfType('P')[0]?.fieldCount).toBe(2);
      expect(order?.value('specimenId')).toBe('ZZ-0000');
      expect(order?.value('instrumentSpecimenId')).toBe('9');
      expect(order?.field('universalTestId').isEmpty).toBe(true);
      expect(order?.value('reportTypes')).toBe('Z');
      expect((await newestHandled('astm')).detail).toMatchObject({ counts: { orders: 0 } });
    });

    it('receives Y when no order runs here', async () => {
      const response = await queryAsAnalyzer(astmQuery('^CL-PL-24-0370'));

      expect(response.recordsOfType('O')[0]?.value('reportTypes')).toBe('Y');
      const archived = await newestHandled('astm');
      expect(archived.detail).toMatchObject({ hostQuery: { orders: 0, notOnAnalyzer: [`ServiceRequest/${labOrderId('CL-PL-24-0370')}`] } });
    });

    it('gets no response to a cancel', async () => {
      await analyzer.send(astmQuery('^S1234').replace('||||||||O', '||||||||A'));
      expect((await newestHandled('astm')).detail).toMatchObject({ hostQuery: { responded: false } });

      // Responses leave in order, so the next one the analyzer receives belongs to the next query.
      const next = await queryAsAnalyzer(astmQuery('^ZZ-0002'));
      expect(next.recordsOfType('O')[0]?.value('specimenId')).toBe('ZZ-0002');
    });
  });

  describe('HL7 over TCP', () => {
    let socket: Socket | undefined;
    const responses: Hl7Message[] = [];

    beforeAll(async () => {
      socket = await until(
        () =>
          new Promise<Socket | undefined>((resolve) => {
            const client = createConnection({ host: '127.0.0.1', port: hl7Port });
            client.once('connect', () => resolve(client));
            client.once('error', () => resolve(undefined));
          }),
        Boolean,
        'the HL7 listener',
      );
      const decoder = new MllpDecoder();
      socket?.on('data', (chunk) => {
        for (const event of decoder.push(chunk)) if (event.type === 'message') responses.push(parseMessage(event.payload));
      });
      await until(() => call<LabConnection[]>('lab:connections'), (connections) => connections.find((connection) => connection.id === 'host-query-hl7')?.state === 'open', 'the HL7 connection open');
    });

    afterAll(() => {
      socket?.destroy();
    });

    async function send(text: string): Promise<Hl7Message> {
      const before = responses.length;
      socket?.write(frameMllp(Buffer.from(text, 'latin1')));
      await until(async () => responses.length, (count) => count > before, 'the RSP');
      return responses[before] as Hl7Message;
    }

    it('returns the orders for QBP^Q11', async () => {
      const response = await send(qbp('QBP-1', '27'));
      const result = readQueryResponse(response);
      const patient = await patientOf('27');

      expect(response.messageType.code).toBe('RSP');
      expect(response.get('MSA-1')).toBe('AA');
      expect(response.get('MSA-2')).toBe('QBP-1');
      expect(result.queryTag).toBe('QBP-1-TAG');
      expect(result.status).toBe('OK');
      expect(result.hitCount).toBe('1');
      expect(result.segments.map((segment) => segment.id)).toEqual(['PID', 'SPM', 'ORC', 'OBR']);
      expect(response.get('PID-3.1')).toBe(mrnOf(patient.resource));
      expect(response.get('SPM-2.1')).toBe('27');
      expect(response.get('OBR-2')).toBe(labOrderId('27'));
      expect(response.get('OBR-4.1')).toBe('CBC');
      expect(response.get('OBR-4.4')).toBe('58410-2');
      expect((await newestHandled('hl7')).detail).toMatchObject({ counts: { orders: 1 }, hostQuery: { responded: true } });
    });

    it('returns NF for an unknown specimen', async () => {
      const response = await send(qbp('QBP-2', 'ZZ-0001'));
      const result = readQueryResponse(response);

      expect(response.get('MSA-1')).toBe('AA');
      expect(result.status).toBe('NF');
      expect(result.segments).toEqual([]);
      expect((await newestHandled('hl7')).outcome).toBe('no-results');
    });
  });
});
