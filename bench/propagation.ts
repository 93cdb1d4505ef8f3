// Change propagation between two workstations through the reference server on PostgreSQL, over
// loopback HTTP. Workstation A records vital signs through its core's gateway, as the UI does,
// and the time runs until workstation B's replica has the panel. A and B are separate child processes,
// each with a core (createCore) and an encrypted replica, and the server runs in this process. In
// the same run, a bare client without a replica pushes over HTTP and a bare reader pulls on each
// stream event, which gives the server's share of the latency.
// Run: npx tsx bench/propagation.ts [--writes 300] [--interval-ms 100] [--json out.json]
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import pg from 'pg';

import { createCore } from '../main/core/core.js';
import type { Core } from '../main/core/core.js';
import { createRootLogger } from '../main/core/logging/logger.js';
import { buildVitalSignsPanel } from '../sync/protocol/fhir/vital-signs.js';
import { toEntryDocument } from '../sync/protocol/documents.js';
import { createServer } from '../sync/server/app.js';
import { makeBenchDirectory } from './bench-support.js';

const { values } = parseArgs({
  options: {
    writes: { type: 'string', default: '300' },
    'interval-ms': { type: 'string', default: '100' },
    json: { type: 'string' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    // Internal: the role of a child process and the server it talks to.
    role: { type: 'string' },
    'server-url': { type: 'string' },
  },
});

const WRITES = Number(values.writes);
const INTERVAL_MS = Number(values['interval-ms']);
for (const [name, value] of [['writes', WRITES], ['interval-ms', INTERVAL_MS]] as const) {
  if (!Number.isInteger(value) || value < 1) {
    console.error(`Invalid --${name} ${String(values[name])}: expected a positive integer`);
    process.exit(2);
  }
}
const WARD_ID = 'ward-4a';
const SEED_NOW = new Date('2026-12-01T08:00:00.000Z');
/** Maximum wait for one write to reach B before the run fails. */
const ARRIVAL_TIMEOUT_MS = 30_000;

/** Milliseconds on a clock that both child processes and this one share. */
function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Messages between this process and its children, over the child processes' IPC channel. */
type ChildMessage =
  | { type: 'ready'; patientIds: string[] }
  | { type: 'written'; id: string; startedAt: number; endedAt: number }
  | { type: 'arrived'; id: string; at: number }
  | { type: 'done' };
type ParentMessage = { type: 'write'; ids: string[]; patientIds: string[] } | { type: 'stop' };

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function openSignedInCore(serverUrl: string, workstationId: string): Promise<{ core: Core; remove: () => void }> {
  const directory = makeBenchDirectory(`propagation-${workstationId}`);
  const core = await createCore({
    settings: { workstationId, serverUrl, wardId: WARD_ID },
    dataDirectory: directory.path,
    replicaName: `propagation-${workstationId}`,
    replicaKey: randomBytes(32).toString('hex'),
    logger: createRootLogger({ level: 'warn' }),
  });
  const signedIn = await core.gateway.handle('session:signIn', { username: 'nurse', password: 'nurse-demo' }, { senderId: 'bench' });
  if (!signedIn.ok) throw new Error(`Sign-in on ${workstationId} failed: ${signedIn.error.code}: ${signedIn.error.message}`);
  await core.replication.awaitInSync();
  return { core, remove: directory.remove };
}

/** Child process B: reports the time each new entry lands in its replica. */
async function observerRole(serverUrl: string): Promise<void> {
  const { core, remove } = await openSignedInCore(serverUrl, 'ws-propagation-b');
  const subscription = core.replica.entries.insert$.subscribe((event) => send({ type: 'arrived', id: event.documentId, at: wallClockMs() }));
  const listed = await core.gateway.handle('ward:listPatients', {}, { senderId: 'bench' });
  if (!listed.ok) throw new Error(`Listing the ward failed: ${listed.error.message}`);
  send({ type: 'ready', patientIds: (listed.value as { patientId: string }[]).map((row) => row.patientId) });
  await new Promise<void>((resolve) => process.on('message', (message: ParentMessage) => message.type === 'stop' && resolve()));
  subscription.unsubscribe();
  await core.close();
  remove();
  send({ type: 'done' });
}

/** Child process A: records the requested vital signs one after another, INTERVAL_MS apart. */
async function writerRole(serverUrl: string): Promise<void> {
  const { core, remove } = await openSignedInCore(serverUrl, 'ws-propagation-a');
  send({ type: 'ready', patientIds: [] });
  const request = await new Promise<Extract<ParentMessage, { type: 'write' }>>((resolve) => process.on('message', (message: ParentMessage) => message.type === 'write' && resolve(message)));
  for (const [index, id] of request.ids.entries()) {
    const patientId = request.patientIds[index % request.patientIds.length] as string;
    const startedAt = wallClockMs();
    const result = await core.gateway.handle('vitals:record', { patientId, observationId: id, observations: { pulse: 60 + (index % 40), respiratoryRate: 16 } }, { senderId: 'bench' });
    if (!result.ok) throw new Error(`Recording vitals ${id} failed: ${result.error.code}: ${result.error.message}`);
    send({ type: 'written', id, startedAt, endedAt: wallClockMs() });
    await sleep(INTERVAL_MS);
  }
  await new Promise<void>((resolve) => process.on('message', (message: ParentMessage) => message.type === 'stop' && resolve()));
  await core.close();
  remove();
  send({ type: 'done' });
}

interface Child {
  process: ChildProcess;
  messages: ChildMessage[];
  next(type: ChildMessage['type']): Promise<ChildMessage>;
}

/** Every child process started, so that one failing ends the others. */
const children: ChildProcess[] = [];

function startChild(role: 'observer' | 'writer', serverUrl: string): Child {
  const script = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', script, '--role', role, '--server-url', serverUrl, '--interval-ms', String(INTERVAL_MS)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages: ChildMessage[] = [];
  const waiters: { type: ChildMessage['type']; resolve: (message: ChildMessage) => void }[] = [];
  child.on('message', (message: ChildMessage) => {
    messages.push(message);
    const index = waiters.findIndex((waiter) => waiter.type === message.type);
    if (index >= 0) {
      (message as { taken?: boolean }).taken = true;
      waiters.splice(index, 1)[0]?.resolve(message);
    }
  });
  children.push(child);
  child.on('exit', (code) => {
    if (code === 0) return;
    // A failed workstation ends the run: its partner would wait for it forever.
    console.error(`The ${role} process exited with code ${String(code)}; stopping the benchmark`);
    for (const other of children) if (other !== child && other.exitCode === null) other.kill();
    process.exit(1);
  });
  return {
    process: child,
    messages,
    next: (type) => {
      const queued = messages.find((message) => message.type === type && !(message as { taken?: boolean }).taken);
      if (queued) {
        (queued as { taken?: boolean }).taken = true;
        return Promise.resolve(queued);
      }
      return new Promise((resolve) => waiters.push({ type, resolve }));
    },
  };
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

function summarize(latenciesMs: number[]): Record<string, number> {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 0.5)),
    p95: round(percentile(sorted, 0.95)),
    p99: round(percentile(sorted, 0.99)),
    max: round(sorted.at(-1) ?? Number.NaN),
  };
}

/** Two workstation cores in child processes: A writes, B receives. */
async function measureWorkstations(serverUrl: string, writes: number): Promise<Record<string, unknown>> {
  const observer = startChild('observer', serverUrl);
  const writer = startChild('writer', serverUrl);
  const ready = (await observer.next('ready')) as Extract<ChildMessage, { type: 'ready' }>;
  await writer.next('ready');
  if (ready.patientIds.length === 0) throw new Error(`Workstation B lists no patients on ${WARD_ID}`);

  const ids = Array.from({ length: writes }, () => randomUUID());
  writer.process.send({ type: 'write', ids, patientIds: ready.patientIds } satisfies ParentMessage);

  const documentIds = new Set(ids.map((id) => `Observation/${id}`));
  const deadline = performance.now() + writes * (INTERVAL_MS + 50) + ARRIVAL_TIMEOUT_MS;
  const arrivedIds = () => observer.messages.filter((message) => message.type === 'arrived' && documentIds.has(message.id)).length;
  while (arrivedIds() < writes && performance.now() < deadline) await sleep(50);

  const arrivals = new Map(
    observer.messages.filter((message): message is Extract<ChildMessage, { type: 'arrived' }> => message.type === 'arrived').map((message) => [message.id, message.at]),
  );
  const written = writer.messages.filter((message): message is Extract<ChildMessage, { type: 'written' }> => message.type === 'written');
  const fromCall: number[] = [];
  const fromLocalCommit: number[] = [];
  const localWrite: number[] = [];
  for (const write of written) {
    const arrivedAt = arrivals.get(`Observation/${write.id}`);
    localWrite.push(write.endedAt - write.startedAt);
    if (arrivedAt === undefined) continue;
    fromCall.push(arrivedAt - write.startedAt);
    fromLocalCommit.push(arrivedAt - write.endedAt);
  }
  for (const child of [observer, writer]) child.process.send({ type: 'stop' } satisfies ParentMessage);
  await Promise.all([observer.next('done'), writer.next('done')]);
  return {
    writes,
    written: written.length,
    arrived: fromCall.length,
    fromRecordCallMs: summarize(fromCall),
    fromLocalCommitMs: summarize(fromLocalCommit),
    localRecordCallMs: summarize(localWrite),
  };
}

/** A bare client pushes one panel at a time and a bare reader pulls on each stream event. */
async function measureBareProtocol(serverUrl: string, writes: number, patientIds: readonly string[]): Promise<Record<string, unknown>> {
  const signIn = async (workstationId: string) => {
    const response = await fetch(`${serverUrl}/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'nurse', password: 'nurse-demo', wardId: WARD_ID, workstationId }),
    });
    if (!response.ok) throw new Error(`Bare sign-in failed with HTTP ${response.status}`);
    return ((await response.json()) as { token: string }).token;
  };
  const writerToken = await signIn('ws-bare-writer');
  const readerToken = await signIn('ws-bare-reader');
  const headers = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

  // The reader: pulls entries from its checkpoint whenever the stream announces a change.
  const arrivals = new Map<string, number>();
  let checkpoint: unknown = null;
  let pulling = Promise.resolve();
  const pull = async () => {
    for (;;) {
      const query = new URLSearchParams({ limit: '200', ...(checkpoint ? { checkpoint: JSON.stringify(checkpoint) } : {}) });
      const response = await fetch(`${serverUrl}/sync/entries/pull?${query}`, { headers: headers(readerToken) });
      const page = (await response.json()) as { documents: { id: string }[]; checkpoint: unknown };
      const at = wallClockMs();
      for (const document of page.documents) if (!arrivals.has(document.id)) arrivals.set(document.id, at);
      checkpoint = page.checkpoint;
      if (page.documents.length < 200) return;
    }
  };
  const streamAbort = new AbortController();
  const stream = await fetch(`${serverUrl}/sync/stream`, { headers: { authorization: `Bearer ${readerToken}` }, signal: streamAbort.signal });
  const streamDone = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of stream.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith('event: resync')) pulling = pulling.then(pull);
        }
      }
    } catch {
      // Aborted at the end of the run.
    }
  })();
  await sleep(500);
  await pulling;

  const latencies: number[] = [];
  for (let index = 0; index < writes; index++) {
    const resource = buildVitalSignsPanel({
      id: `bare-${index}-${randomBytes(4).toString('hex')}`,
      patientId: patientIds[index % patientIds.length] as string,
      effectiveDateTime: new Date().toISOString(),
      performer: { reference: 'Practitioner/user-nurse', display: 'Demo Nurse' },
      observations: { pulse: 60 + (index % 40), respiratoryRate: 16 },
      scale: 1,
    });
    const document = { ...toEntryDocument(resource), _deleted: false };
    const startedAt = wallClockMs();
    const response = await fetch(`${serverUrl}/sync/entries/push`, { method: 'POST', headers: headers(writerToken), body: JSON.stringify({ rows: [{ newDocumentState: document }] }) });
    if (!response.ok) throw new Error(`Bare push failed with HTTP ${response.status}`);
    await response.arrayBuffer();
    const deadline = performance.now() + ARRIVAL_TIMEOUT_MS;
    while (!arrivals.has(document.id) && performance.now() < deadline) await sleep(1);
    const arrivedAt = arrivals.get(document.id);
    if (arrivedAt !== undefined) latencies.push(arrivedAt - startedAt);
    await sleep(INTERVAL_MS);
  }
  streamAbort.abort();
  await streamDone;
  return { writes, arrived: latencies.length, fromPushMs: summarize(latencies) };
}

async function createDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `hms_bench_propagation_${randomBytes(4).toString('hex')}`;
  const withAdmin = async (sql: string) => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(sql);
    } finally {
      await admin.end();
    }
  };
  await withAdmin(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => withAdmin(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`) };
}

async function main(): Promise<void> {
  const database = await createDatabase(values['database-url']);
  try {
    const server = await createServer({ databaseUrl: database.url, seed: { now: SEED_NOW }, logLevel: 'warn' });
    try {
      console.log(`Propagating ${WRITES} writes, ${INTERVAL_MS} ms apart, from workstation A to workstation B through ${server.url}`);
      const workstations = await measureWorkstations(server.url, WRITES);
      console.log(JSON.stringify(workstations));

      const { rows } = await server.database.query<{ patient_id: string }>('SELECT patient_id FROM ward_membership WHERE ward_id = $1 ORDER BY patient_id', [WARD_ID]);
      console.log('The same number of writes between two bare protocol clients');
      const bare = await measureBareProtocol(server.url, WRITES, rows.map((row) => row.patient_id));
      console.log(JSON.stringify(bare));
      if (values.json) writeFileSync(values.json, `${JSON.stringify({ workstations, bare }, null, 2)}\n`);
    } finally {
      await server.close();
    }
  } finally {
    await database.drop();
  }
}

if (values.role === 'observer' || values.role === 'writer') {
  if (!values['server-url']) throw new Error('Missing --server-url for a child role; run the script without --role');
  await (values.role === 'observer' ? observerRole(values['server-url']) : writerRole(values['server-url']));
  process.disconnect?.();
} else {
  await main();
}
