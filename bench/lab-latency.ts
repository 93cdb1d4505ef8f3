// Measures the time from the last ASTM frame an analyzer writes to a serial port until the stored
// Observation in the lab workstation's replica, over a socat pty pair. Beside it, the same run
// measures the pty's own transit time for a frame, the physical floor. Needs socat.
// Run: npx tsx bench/lab-latency.ts [--messages 300] [--json FILE]
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

import { pino } from 'pino';

import { AstmLink } from '../devices/astm/index.js';
import type { Transport } from '../devices/transport/index.js';
import { createTransport } from '../devices/transport/index.js';
import { createCore } from '../main/core/core.js';
import { toRecordDocument } from '../sync/protocol/documents.js';
import { labOrder, SEEDED_LAB_DEPARTMENT, SEEDED_LAB_ORDERS } from '../sync/server/seed/lab-orders.js';
import { makeBenchDirectory } from './bench-support.js';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '300' }, json: { type: 'string' } } });
const messageCount = Number(values.messages);
if (!Number.isInteger(messageCount) || messageCount < 10) {
  console.error(`Invalid --messages ${values.messages}: expected an integer of at least 10`);
  process.exit(2);
}

const WARM_UP = 20;
const ORDER = SEEDED_LAB_ORDERS.find((order) => order.accession === 'CL-PL-24-0370');
if (!ORDER) throw new Error('The seed has no order CL-PL-24-0370');
const PATIENT_ID = 'bench-patient-1';

/** Builds a cobas c 311 result message for the seeded accession; `run` makes each message new. */
function resultMessage(run: number): string {
  const value = (20 + (run % 1000) / 10).toFixed(1);
  return [
    'H|\\^&|||c311^1|||||host|RSUPL^REAL|P|1',
    'P|1|||||||U||||||^',
    `O|1|${run}^CL-PL-24-0370         ^1^^004|R1|^^^685/|R||||||N||^^||SC|||labo|^^^^|||20240203132011|||F`,
    `R|1|^^^685/|${value}|U/l||N||F|||||P1`,
    'R|2|^^^687/|15.0|U/l||N||F|||||P1',
    'R|3|^^^712/|4.1|umol/l||L||F|||||P1',
    'L|1|N',
  ].join('\r') + '\r';
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

function summary(samples: number[]): { p50: number; p95: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 100) / 100;
  return { p50: round(percentile(sorted, 0.5)), p95: round(percentile(sorted, 0.95)), p99: round(percentile(sorted, 0.99)), max: round(sorted.at(-1) ?? Number.NaN) };
}

async function startSocat(directory: string): Promise<{ a: string; b: string; stop: () => void }> {
  const a = join(directory, 'a');
  const b = join(directory, 'b');
  const child = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  const started = Date.now();
  while (!existsSync(a) || !existsSync(b)) {
    if (Date.now() - started > 10_000) throw new Error('socat did not create its ptys within 10 s; is it installed (apt-get install socat)?');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { a, b, stop: () => child.kill('SIGTERM') };
}

/** Measures one frame-sized write on one side of the pty until its last byte arrives on the other. */
async function ptyTransit(sender: Transport, receiver: Transport, frame: Buffer): Promise<number> {
  let received = 0;
  let resolveArrival: () => void = () => undefined;
  const arrived = new Promise<void>((resolve) => (resolveArrival = resolve));
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received >= frame.length) resolveArrival();
  };
  receiver.on('data', onData);
  const started = performance.now();
  await sender.write(frame);
  await arrived;
  receiver.off('data', onData);
  return performance.now() - started;
}

const directory = makeBenchDirectory('lab-latency');
const socat = await startSocat(directory.path);
const logger = pino({ level: 'silent' });
try {
  const core = await createCore({
    settings: {
      workstationId: 'ws-lab-latency',
      // Replication starts only after a sign-in, which this benchmark never makes.
      serverUrl: 'http://127.0.0.1:9',
      wardId: SEEDED_LAB_DEPARTMENT.id,
      lab: { connections: [{ profile: 'roche-cobas-c311', transport: { path: socat.b, assertDtr: false } }] },
    },
    dataDirectory: join(directory.path, 'workstation'),
    replicaKey: 'ab'.repeat(32),
    logger,
    labTimeZone: 'UTC',
  });
  const parties = { requester: { reference: 'Practitioner/bench', display: 'Bench Requester' }, collector: { reference: 'Practitioner/bench', display: 'Bench Collector' } };
  const patient = { resourceType: 'Patient', id: PATIENT_ID, name: [{ family: 'Bench', given: ['Lab'] }] };
  const context = { wardOfLocation: (id: string) => (id === SEEDED_LAB_DEPARTMENT.id ? id : undefined) };
  await core.replica.records.bulkInsert([patient, ...labOrder(ORDER, PATIENT_ID, new Date(), parties)].map((resource) => toRecordDocument(resource, context)));

  const analyzerPort = createTransport({ kind: 'serial', path: socat.a, baudRate: 9600, assertDtr: false }, { id: 'analyzer', logger });
  await analyzerPort.open();
  const analyzer = new AstmLink({ role: 'instrument' });
  let lastFrameWrittenAt = 0;
  analyzer.on('write', (bytes) => {
    // The last frame ends with ETX; its bytes leave as one write.
    if (bytes.includes(0x03)) lastFrameWrittenAt = performance.now();
    void analyzerPort.write(bytes);
  });
  analyzerPort.on('data', (chunk) => analyzer.receive(chunk));

  let storedAt = 0;
  let stored: () => void = () => undefined;
  const subscription = core.replica.entries.insert$.subscribe((event) => {
    if (event.documentData.resourceType === 'Observation') {
      storedAt = performance.now();
      stored();
    }
  });

  const latencies: number[] = [];
  for (let run = 0; run < WARM_UP + messageCount; run += 1) {
    const done = new Promise<void>((resolve) => (stored = resolve));
    await analyzer.send(resultMessage(run));
    await done;
    if (run >= WARM_UP) latencies.push(storedAt - lastFrameWrittenAt);
  }
  subscription.unsubscribe();
  analyzer.close();
  await analyzerPort.close();
  await core.close();

  // The floor: the same pty pair without the workstation, one frame of the same size each way.
  const sender = createTransport({ kind: 'serial', path: socat.a, baudRate: 9600, assertDtr: false }, { id: 'floor-a', logger });
  const receiver = createTransport({ kind: 'serial', path: socat.b, baudRate: 9600, assertDtr: false }, { id: 'floor-b', logger });
  await sender.open();
  await receiver.open();
  const frame = Buffer.from(`\x021${resultMessage(0)}\x03XX\r\n`, 'latin1');
  const transits: number[] = [];
  for (let run = 0; run < WARM_UP + messageCount; run += 1) {
    const transit = await ptyTransit(sender, receiver, frame);
    if (run >= WARM_UP) transits.push(transit);
  }
  await sender.close();
  await receiver.close();

  const results = {
    messages: messageCount,
    lastFrameToStoredObservationMs: summary(latencies),
    ptyTransitOfOneFrameMs: summary(transits),
  };
  console.log(`Milliseconds over ${messageCount} messages (after ${WARM_UP} warm-up messages)\n`);
  console.log('| measurement | p50 | p95 | p99 | max |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [name, stats] of [['last frame on the pty to the stored Observation', results.lastFrameToStoredObservationMs], ['pty transit of one frame', results.ptyTransitOfOneFrameMs]] as const) {
    console.log(`| ${name} | ${stats.p50} | ${stats.p95} | ${stats.p99} | ${stats.max} |`);
  }
  if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
} finally {
  socat.stop();
  directory.remove();
}
