import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { AstmLink } from '../../../devices/astm/index.js';
import { frameMllp, MllpDecoder, parseMessage } from '../../../devices/hl7/index.js';
import type { Transport } from '../../../devices/transport/index.js';
import { createTransport, TcpServerTransport, waitForTransportState } from '../../../devices/transport/index.js';
import type { ReceivedLabMessage } from '../../../main/core/lab/analyzer-session.js';
import { AnalyzerSession } from '../../../main/core/lab/analyzer-session.js';
import { LabArchive } from '../../../main/core/lab/lab-archive.js';
import { makeTempDirectory } from '../../support/replica.js';
import { captureLogs } from '../../unit/devices/transport/log-capture.js';
import { SocatPair, socatAvailable } from '../devices/transport/socat-pair.js';

const REPLICA_KEY = 'cd'.repeat(32);
const reconnect = { initialDelayMs: 20, maxDelayMs: 100 };

/** A synthetic chemistry result, records as an analyzer sends them (fake ids). */
const ASTM_RECORDS = ['H|\\^&|||TestAnalyzer^1|||||LIS||P|1', 'P|1', 'O|1|ACC-0001||^^^GLU|R', 'R|1|^^^GLU|5.4|mmol/L|3.9 to 6.1|N||F', 'L|1|N'].join('\r') + '\r';

const ORU = [
  'MSH|^~\\&|ANALYZER|LAB|LIS|HOSP|20261205101500||ORU^R01|MSG-0001|P|2.5.1',
  'PID|1||PAT-0001^^^HOSP^MR||DOE^JANE',
  'OBR|1||ACC-0002|GLU^Glucose^L',
  'OBX|1|NM|GLU^Glucose^L||5.4|mmol/L|3.9-6.1|N|||F',
].join('\r') + '\r';

function messagesOf(received: ReceivedLabMessage[]): string[] {
  return received.map((message) => message.text.toString('latin1'));
}

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('analyzer session', () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let archive: LabArchive;
  let sessions: AnalyzerSession[];
  let transports: Transport[];

  beforeEach(() => {
    directory = makeTempDirectory('lab-session');
    archive = new LabArchive(join(directory.path, 'replica.sqlite'), REPLICA_KEY);
    sessions = [];
    transports = [];
  });

  afterEach(async () => {
    for (const session of sessions) await session.stop();
    for (const transport of transports) await transport.close();
    archive.close();
    directory.remove();
  });

  function startSession(protocol: 'astm' | 'hl7', transport: Transport, handle: (message: ReceivedLabMessage) => Promise<void>): AnalyzerSession {
    const session = new AnalyzerSession({
      connectionId: 'bench-1',
      protocol,
      transport,
      archive,
      handle,
      logger: captureLogs().logger,
      now: () => new Date(),
    });
    sessions.push(session);
    return session;
  }

  describe.skipIf(!socatAvailable)('ASTM over a socat pty pair', () => {
    let socat: SocatPair;

    beforeEach(async () => {
      socat = new SocatPair(directory.path);
      await socat.start();
    });

    afterEach(async () => {
      await socat.stop();
    });

    it('archives and hands over a message', async () => {
      const received: ReceivedLabMessage[] = [];
      const hostPort = createTransport({ kind: 'serial', path: socat.b, baudRate: 9600, assertDtr: false, reconnect }, { id: 'bench-1', logger: captureLogs().logger });
      const session = startSession('astm', hostPort, async (message) => {
        received.push(message);
      });
      await session.start();

      const analyzerPort = createTransport({ kind: 'serial', path: socat.a, baudRate: 9600, assertDtr: false, reconnect }, { id: 'analyzer', logger: captureLogs().logger });
      transports.push(analyzerPort);
      await analyzerPort.open();
      const analyzer = new AstmLink({ role: 'instrument' });
      analyzer.on('write', (bytes) => void analyzerPort.write(bytes));
      analyzerPort.on('data', (chunk) => analyzer.receive(chunk));

      await analyzer.send(ASTM_RECORDS);
      await waitUntil(() => received.length === 1);
      analyzer.close();

      expect(messagesOf(received)).toEqual([ASTM_RECORDS]);
      const archived = archive.get(received[0]?.archived.id ?? '');
      expect(archived?.protocol).toBe('astm');
      expect(archive.raw(received[0]?.archived.id ?? '')?.toString('latin1')).toContain('R|1|^^^GLU|5.4|mmol/L');
      const inbound = Buffer.concat(archive.wire('bench-1').filter((chunk) => chunk.direction === 'in').map((chunk) => chunk.bytes));
      expect(inbound[0]).toBe(0x05);
      expect(inbound.toString('latin1')).toContain('O|1|ACC-0001');
      expect(session.status.messagesReceived).toBe(1);
    });
  });

  describe('HL7 over TCP', () => {
    let socket: Socket | undefined;

    afterEach(() => {
      socket?.destroy();
    });

    async function connect(session: AnalyzerSession, transport: TcpServerTransport): Promise<{ send: (text: string) => void; acks: () => string[] }> {
      await session.start();
      const port = transport.address?.port;
      if (!port) throw new Error('The TCP server transport did not report its port');
      const client = createConnection({ host: '127.0.0.1', port });
      socket = client;
      await new Promise<void>((resolve, reject) => client.once('connect', resolve).once('error', reject));
      await waitForTransportState(transport, 'open', 5_000);
      const decoder = new MllpDecoder();
      const acks: string[] = [];
      client.on('data', (chunk) => {
        for (const event of decoder.push(chunk)) if (event.type === 'message') acks.push(parseMessage(event.payload).get('MSA-1'));
      });
      return { send: (text) => client.write(frameMllp(Buffer.from(text, 'latin1'))), acks: () => acks };
    }

    function tcpServer(): TcpServerTransport {
      const transport = createTransport({ kind: 'tcp-server', host: '127.0.0.1', port: 0, reconnect }, { id: 'bench-1', logger: captureLogs().logger });
      if (!(transport instanceof TcpServerTransport)) throw new Error('Expected a TCP server transport');
      return transport;
    }

    it('acknowledges a stored message with AA', async () => {
      const received: ReceivedLabMessage[] = [];
      const transport = tcpServer();
      const analyzer = await connect(
        startSession('hl7', transport, async (message) => {
          received.push(message);
        }),
        transport,
      );

      analyzer.send(ORU);
      await waitUntil(() => analyzer.acks().length === 1);

      expect(analyzer.acks()).toEqual(['AA']);
      expect(received[0]?.hl7?.get('OBX-5')).toBe('5.4');
      expect(archive.raw(received[0]?.archived.id ?? '')?.toString('latin1')).toBe(ORU);
    });

    it('answers AE when storing fails', async () => {
      const transport = tcpServer();
      const analyzer = await connect(
        startSession('hl7', transport, () => Promise.reject(new Error('replica closed'))),
        transport,
      );

      analyzer.send(ORU);
      await waitUntil(() => analyzer.acks().length === 1);

      expect(analyzer.acks()).toEqual(['AE']);
      expect(archive.recent(1)[0]?.outcome).toBe('received');
    });

    it('rejects a message without a header', async () => {
      const received: ReceivedLabMessage[] = [];
      const transport = tcpServer();
      const analyzer = await connect(
        startSession('hl7', transport, async (message) => {
          received.push(message);
        }),
        transport,
      );

      analyzer.send('PID|1||PAT-0001\r');
      analyzer.send(ORU);
      await waitUntil(() => analyzer.acks().length === 2);

      expect(analyzer.acks()[0]).toMatch(/^A[ER]$/);
      expect(analyzer.acks()[1]).toBe('AA');
      expect(received).toHaveLength(1);
      const outcomes = archive.recent(2).map((message) => message.outcome);
      expect(outcomes).toContain('rejected');
    });
  });
});
