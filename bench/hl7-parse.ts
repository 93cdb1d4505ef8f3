// HL7 v2 parse throughput on the capture files, for devices/hl7 and the npm HL7 parsers that install
// here, in one run. Each message is parsed and the fields a lab interface reads are read: MSH-10,
// PID-3.1, and OBX-3.1, OBX-5 and OBX-6.1 of every OBX. devices/hl7 splits fields only when read,
// so it is also measured decoding every component of every field.
//
// devices/hl7 gets the wire bytes, so its time includes decoding by MSH-18. The others get the same
// message as a JavaScript string, because their APIs take one. All get CR-terminated segments,
// because simple-hl7 splits on CR only.
//
// Then every parser meets the same probes on the HL7 lab cases (test/fixtures/lab-cases).
//
// Run: npm run bench:hl7 -- [--seconds 5] [--rounds 5] [--json out.json]
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

import { MllpDecoder, parseMessage, parseMessages } from '../devices/hl7/index.js';
import { ADAPTERS } from './hl7-parse-adapters.js';
import type { ParserAdapter } from './hl7-parse-adapters.js';
import { LAB_CASE_PROBES } from './hl7-parse-probes.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '5' },
    json: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`Options:
  --seconds N   measured time per parser, split over the rounds (default 5)
  --rounds N    rounds per parser, taken in turn so that machine noise hits all parsers alike (default 5)
  --json FILE   also write the results to FILE`);
  process.exit(0);
}

const FIXTURES = new URL('../test/fixtures/', import.meta.url);

interface Workload {
  messages: Array<{ bytes: Buffer; text: string }>;
  bytes: number;
}

/** Loads every message of the HL7 captures that devices/hl7 accepts, with segments ended by CR. */
function loadWorkload(): Workload {
  const directory = new URL('hl7/', FIXTURES);
  const texts: string[] = [];
  for (const file of readdirSync(directory).sort()) {
    if (file.endsWith('.md') || file === 'astmio_erba_elite580_log.txt') continue;
    const bytes = readFileSync(new URL(file, directory));
    if (file.endsWith('.decoded')) {
      const decoder = new MllpDecoder();
      for (const event of [...decoder.push(bytes), ...decoder.end()]) {
        if (event.type === 'message') texts.push(...parseMessages(event.payload).messages.map((message) => message.toBytes().toString('utf8')));
      }
    } else {
      texts.push(...parseMessages(bytes).messages.map((message) => message.toBytes().toString('utf8')));
    }
  }
  const messages = texts.map((text) => ({ bytes: Buffer.from(text, 'utf8'), text }));
  return { messages, bytes: messages.reduce((sum, message) => sum + message.bytes.length, 0) };
}

/** Parses one message and reads the lab fields; returns the characters read, so no work is dropped. */
function readLabFields(adapter: ParserAdapter, message: { bytes: Buffer; text: string }): number {
  const parsed = adapter.parse(message.bytes, message.text);
  let read = adapter.value(parsed, 'MSH', 1, 10).length + adapter.value(parsed, 'PID', 1, 3, 1).length;
  const observations = adapter.segmentIds(parsed).filter((id) => id === 'OBX').length;
  for (let occurrence = 1; occurrence <= observations; occurrence++) {
    read += adapter.value(parsed, 'OBX', occurrence, 3, 1).length;
    read += adapter.value(parsed, 'OBX', occurrence, 5).length;
    read += adapter.value(parsed, 'OBX', occurrence, 6, 1).length;
  }
  return read;
}

interface Throughput {
  parser: string;
  version: string;
  messagesPerSecond: number[];
  /** Messages of the workload the parser threw on; they are left out of its rounds. */
  failedMessages: number;
}

type Reader = (message: Workload['messages'][number]) => number;

/**
 * Parses with devices/hl7 and decodes every component of every field, for comparison with the
 * other parsers, which split everything whether it is read or not.
 */
function readEveryComponent(message: Workload['messages'][number]): number {
  const parsed = parseMessage(message.bytes);
  let read = 0;
  for (const segment of parsed.segments) {
    for (let field = 1; field <= segment.fieldCount; field++) {
      const repetitions = segment.repetitions(field).length;
      for (let repetition = 1; repetition <= repetitions; repetition++) {
        for (const component of segment.components(field, repetition)) read += component.length;
      }
    }
  }
  return read;
}

function runRound(read: Reader, messages: Workload['messages'], milliseconds: number, rates: number[]): number {
  let count = 0;
  let sink = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < milliseconds) {
    for (const message of messages) sink += read(message);
    count += messages.length;
    elapsed = performance.now() - started;
  }
  rates.push((count / elapsed) * 1000);
  return sink;
}

/** Returns the messages a parser reads without throwing; the others are left out of its rounds and counted. */
function readableBy(adapter: ParserAdapter, workload: Workload): Workload['messages'] {
  return workload.messages.filter((message) => {
    try {
      readLabFields(adapter, message);
      return true;
    } catch {
      return false;
    }
  });
}

function median(numbers: readonly number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function measure(workload: Workload, seconds: number, rounds: number): Throughput[] {
  const runs = ADAPTERS.map((adapter) => {
    const messages = readableBy(adapter, workload);
    const read: Reader = (message) => readLabFields(adapter, message);
    return { read, messages, result: { parser: adapter.name, version: adapter.version, messagesPerSecond: [] as number[], failedMessages: workload.messages.length - messages.length } };
  });
  runs.splice(1, 0, {
    read: readEveryComponent,
    messages: workload.messages,
    result: { parser: 'devices/hl7, every component decoded', version: '-', messagesPerSecond: [], failedMessages: 0 },
  });
  let sink = 0;
  // Warm-up: one short round each, not recorded, so the JIT has compiled every parser.
  for (const run of runs) sink += runRound(run.read, run.messages, 300, []);
  for (let round = 0; round < rounds; round++) {
    for (const run of runs) sink += runRound(run.read, run.messages, (seconds * 1000) / rounds, run.result.messagesPerSecond);
  }
  if (sink === 0) throw new Error('no field was read; the benchmark measured nothing');
  return runs.map((run) => run.result);
}

function probeLabCases(): Array<{ parser: string; outcomes: Record<string, string> }> {
  return ADAPTERS.map((adapter) => {
    const outcomes: Record<string, string> = {};
    for (const probe of LAB_CASE_PROBES) {
      const bytes = readFileSync(new URL(`lab-cases/${probe.file}`, FIXTURES));
      outcomes[probe.file] = probe.run(adapter, bytes);
    }
    return { parser: adapter.name, outcomes };
  });
}

const workload = loadWorkload();
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
console.log(`Workload: ${workload.messages.length} messages, ${(workload.bytes / 1024).toFixed(1)} KiB; ${seconds} s per parser in ${rounds} rounds`);

const throughput = measure(workload, seconds, rounds);
const ourRate = median(throughput[0]?.messagesPerSecond ?? []);
const ourEveryComponentRate = median(throughput[1]?.messagesPerSecond ?? []);
const fastestOther = Math.max(...throughput.slice(2).map((result) => median(result.messagesPerSecond)));
console.log('\n| parser | version | messages/s (median) | MiB/s | min-max messages/s | messages it threw on |');
console.log('| --- | --- | ---: | ---: | ---: | ---: |');
for (const result of throughput) {
  const rate = median(result.messagesPerSecond);
  const mebibytes = (rate * (workload.bytes / workload.messages.length)) / (1024 * 1024);
  const spread = `${Math.round(Math.min(...result.messagesPerSecond))}-${Math.round(Math.max(...result.messagesPerSecond))}`;
  console.log(`| ${result.parser} | ${result.version} | ${Math.round(rate)} | ${mebibytes.toFixed(2)} | ${spread} | ${result.failedMessages} |`);
}
console.log(`\ndevices/hl7 against the fastest other parser: ${(ourRate / fastestOther).toFixed(2)}x reading the lab fields, ${(ourEveryComponentRate / fastestOther).toFixed(2)}x decoding every component (target: at least 2x)`);

const probes = probeLabCases();
console.log(`\n| lab case | ${probes.map((probe) => probe.parser).join(' | ')} |`);
console.log(`| --- |${probes.map(() => ' --- |').join('')}`);
for (const probe of LAB_CASE_PROBES) {
  console.log(`| ${probe.file}: ${probe.what} | ${probes.map((result) => result.outcomes[probe.file]).join(' | ')} |`);
}

if (values.json !== undefined) {
  writeFileSync(values.json, JSON.stringify({ workload: { messages: workload.messages.length, bytes: workload.bytes }, seconds, rounds, throughput, probes }, null, 2));
}
