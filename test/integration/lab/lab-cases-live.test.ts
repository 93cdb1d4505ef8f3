import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { frameMllp, MllpDecoder, parseMessage } from '../../../devices/hl7/index.js';
import type { Transport } from '../../../devices/transport/index.js';
import { createTransport, TcpServerTransport, waitForTransportState } from '../../../devices/transport/index.js';
import type { ReceivedLabMessage } from '../../../main/core/lab/analyzer-session.js';
import { AnalyzerSession } from '../../../main/core/lab/analyzer-session.js';
import { LabArchive } from '../../../main/core/lab/lab-archive.js';
import { makeTempDirectory } from '../../support/replica.js';
import { captureLogs } from '../../unit/devices/transport/log-capture.js';
import { SocatPair, socatAvailable } from '../devices/transport/socat-pair.js';

/**
 * The lab cases about the E1381 link layer and MLLP, played over real connections into the
 * workstation's analyzer session: ASTM over a socat pty pair, HL7 over TCP on 127.0.0.1. The
 * session must reply to each case as expected.json states.
 */

const CASES = join(import.meta.dirname, '../../fixtures/lab-cases');

interface CaseExpectation {
  outcome: string;
  records?: string[];
  responses?: string[];
  delivery?: { chunks: [number, number][] } | string;
  framing?: string | null;
  response?: Record<string, string>;
  responses_in_order?: Record<string, string>[];
}

const expected = JSON.parse(readFileSync(join(CASES, 'expected.json'), 'utf8')) as Record<string, CaseExpectation>;
const caseBytes = (file: string) => readFileSync(join(CASES, file));

/** ASTM cases whose expectation lists the link's replies; LAB-33 is a host query, tested elsewhere. */
const ASTM_LINK_CASES = Object.keys(expected).filter((file) => file.endsWith('.astm') && expected[file]?.responses && file !== 'LAB-33.astm');
const HL7_CASES = Object.keys(expected).filter((file) => file.endsWith('.hl7'));

/** Maps each expected reply to its byte; EOT gets no reply. */
function replyBytes(responses: readonly string[]): number[] {
  return responses.flatMap((response) => (response.startsWith('ACK') ? [0x06] : response.startsWith('NAK') ? [0x15] : []));
}

function chunksOf(bytes: Buffer, expectation: CaseExpectation): Buffer[] {
  const delivery = expectation.delivery;
  if (typeof delivery === 'object' && delivery !== null) return delivery.chunks.map(([start, end]) => bytes.subarray(start, end));
  return [bytes];
}

/** Tells whether a message requests a commit acknowledgment alone (MSH-15 AL, MSH-16 NE). */
function asksCommitOnly(bytes: Buffer): boolean {
  const header = bytes.toString('latin1').split(/\r|\n/).find((line) => line.includes('MSH|'));
  const fields = header?.slice(header.indexOf('MSH|')).split('|') ?? [];
  return fields[14] === 'AL' && fields[15] === 'NE';
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('lab cases over live connections', () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let archive: LabArchive;
  let session: AnalyzerSession | undefined;
  let received: ReceivedLabMessage[];

  beforeEach(() => {
    directory = makeTempDirectory('lab-cases-live');
    archive = new LabArchive(join(directory.path, 'replica.sqlite'));
    received = [];
  });

  afterEach(async () => {
    await session?.stop();
    session = undefined;
    archive.close();
    directory.remove();
  });

  function startSession(protocol: 'astm' | 'hl7', transport: Transport): AnalyzerSession {
    session = new AnalyzerSession({
      connectionId: 'case-bench',
      protocol,
      transport,
      archive,
      handle: async (message) => {
        received.push(message);
      },
      logger: captureLogs().logger,
      now: () => new Date(),
      // The oversized-frame case expects acceptance, the per-analyzer default.
      astm: { acceptOversizedFrames: true },
    });
    return session;
  }

  describe.skipIf(!socatAvailable)('ASTM link layer over a pty', () => {
    let socat: SocatPair;
    let analyzerPort: Transport;

    beforeEach(async () => {
      socat = new SocatPair(directory.path);
      await socat.start();
    });

    afterEach(async () => {
      await analyzerPort?.close();
      await socat.stop();
    });

    it.each(ASTM_LINK_CASES)('%s', async (file) => {
      const expectation = expected[file] as CaseExpectation;
      const host = startSession('astm', createTransport({ kind: 'serial', path: socat.b, baudRate: 9600, assertDtr: false }, { id: 'case-bench', logger: captureLogs().logger }));
      await host.start();
      analyzerPort = createTransport({ kind: 'serial', path: socat.a, baudRate: 9600, assertDtr: false }, { id: 'case-analyzer', logger: captureLogs().logger });
      await analyzerPort.open();
      const replies: number[] = [];
      analyzerPort.on('data', (chunk) => replies.push(...chunk));

      for (const chunk of chunksOf(caseBytes(file), expectation)) {
        await analyzerPort.write(chunk);
        // Separate reads on the far side, as the case's delivery describes.
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      const expectedReplies = replyBytes(expectation.responses ?? []);
      await until(() => replies.length >= expectedReplies.length && received.length === (expectation.outcome === 'accept' ? 1 : 0), `${file}: the replies and the message`);
      await new Promise((resolve) => setTimeout(resolve, 100));

      expect(replies).toEqual(expectedReplies);
      expect(received).toHaveLength(1);
      const recordTypes = (received[0]?.text.toString('latin1') ?? '').split('\r').filter(Boolean).map((record) => record[0]);
      if (expectation.records) expect(recordTypes).toEqual(expectation.records);
    });
  });

  describe('HL7 over MLLP on TCP', () => {
    let socket: Socket | undefined;

    afterEach(() => {
      socket?.destroy();
    });

    it.each(HL7_CASES)('%s', async (file) => {
      const expectation = expected[file] as CaseExpectation;
      const transport = createTransport({ kind: 'tcp-server', host: '127.0.0.1', port: 0 }, { id: 'case-bench', logger: captureLogs().logger });
      if (!(transport instanceof TcpServerTransport)) throw new Error('Expected a TCP server transport');
      await startSession('hl7', transport).start();
      const port = transport.address?.port;
      if (!port) throw new Error('The TCP server transport did not report its port');
      const client = createConnection({ host: '127.0.0.1', port });
      socket = client;
      await new Promise<void>((resolve, reject) => client.once('connect', resolve).once('error', reject));
      await waitForTransportState(transport, 'open', 5_000);
      const decoder = new MllpDecoder();
      const acks: { msa1: string; msa2: string; err: boolean }[] = [];
      client.on('data', (chunk) => {
        for (const event of decoder.push(chunk)) {
          if (event.type !== 'message') continue;
          const ack = parseMessage(event.payload);
          acks.push({ msa1: ack.get('MSA-1'), msa2: ack.get('MSA-2'), err: ack.segmentsWithId('ERR').length > 0 });
        }
      });

      const bytes = caseBytes(file);
      const framed = expectation.framing === 'mllp' ? bytes : frameMllp(bytes);
      for (const chunk of chunksOf(framed, expectation)) {
        client.write(chunk);
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      // Without a stated response, an accepted message gets AA, or CA alone when its MSH-15/16
      // ask for a commit acknowledgment and no application one (enhanced mode, AL and NE).
      const enhancedCommitOnly = asksCommitOnly(bytes);
      let defaultCode = enhancedCommitOnly ? 'CA' : 'AA';
      if (expectation.outcome === 'reject') defaultCode = 'AE';
      const expectedAcks = expectation.responses_in_order ?? [expectation.response ?? { 'MSA-1': defaultCode }];
      await until(() => acks.length >= expectedAcks.length, `${file}: ${expectedAcks.length} acknowledgments`);

      expect(acks.map((ack) => ack.msa1)).toEqual(expectedAcks.map((response) => response['MSA-1']));
      for (const [index, response] of expectedAcks.entries()) {
        if (response['MSA-2']) expect(acks[index]?.msa2).toBe(response['MSA-2']);
        if (response.ERR) expect(acks[index]?.err).toBe(true);
      }
      expect(received).toHaveLength(expectation.outcome === 'reject' ? 0 : expectedAcks.length);
    });
  });
});
