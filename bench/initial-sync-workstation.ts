// The workstation side of the initial sync benchmark: the core's full initial sync into an empty
// replica, and a pull of every page through ServerClient that keeps nothing. Each runs in a child
// process of its own, so that its memory and CPU are the workstation's alone.
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { constants as performanceConstants, performance, PerformanceObserver } from 'node:perf_hooks';

import type { RxStorageInstance } from 'rxdb';
import { REPLICATION_STATE_BY_COLLECTION } from 'rxdb/plugins/replication';

import type { Core } from '../main/core/core.js';
import { createCore } from '../main/core/core.js';
import { createRootLogger } from '../main/core/logging/logger.js';
import { ServerClient } from '../sync/client/server-client.js';
import type { CollectionName } from '../sync/protocol/collections.js';
import { COLLECTION_NAMES } from '../sync/protocol/collections.js';
import type { Checkpoint } from '../sync/protocol/wire.js';
import { makeBenchDirectory } from './bench-support.js';
import { startAllocationSampling } from './heap-sampling.js';
import { BENCH_WARD_ID } from './initial-sync-seed.js';

const MEGABYTE = 1024 * 1024;
/** Interval of the memory samples during the sync. */
const SAMPLE_INTERVAL_MS = 500;
/** Pause between two checks whether the replica contains every document. */
const POLL_INTERVAL_MS = 100;

interface MemorySample {
  rssMb: number;
  heapUsedMb: number;
}

function memoryNow(): MemorySample {
  const usage = process.memoryUsage();
  return { rssMb: usage.rss / MEGABYTE, heapUsedMb: usage.heapUsed / MEGABYTE };
}

/** Returns the memory after full garbage collections, with pauses for RxDB's FinalizationRegistry callbacks; needs node --expose-gc. */
async function settledMemory(): Promise<MemorySample> {
  const collect = global.gc;
  if (!collect) throw new Error('The sync phase needs node --expose-gc; run the script without --phase');
  for (let round = 0; round < 3; round += 1) {
    collect();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  collect();
  return memoryNow();
}

/**
 * Counts the documents that came from the server. Entries are counted as Observations because
 * the core writes AuditEvents of its own there, such as the sign-in's.
 */
async function countReplicated(core: Core): Promise<Record<CollectionName, number>> {
  const [reference, records, entries] = await Promise.all([
    core.replica.reference.count().exec(),
    core.replica.records.count().exec(),
    core.replica.entries.count({ selector: { resourceType: 'Observation' } }).exec(),
  ]);
  return { reference, records, entries };
}

/**
 * Counts the documents that RxDB's upstream reads back from each collection of the replica during
 * the sync: its initial pass reads the collection with getChangedDocumentsSince, which nothing
 * else in the core calls. Each read checks documents the downstream has just written.
 */
function countUpstreamReads(core: Core): Record<CollectionName, number> {
  const counts: Record<CollectionName, number> = { reference: 0, records: 0, entries: 0 };
  for (const name of COLLECTION_NAMES) {
    // The three collections' instances differ only in their document type, which is not read here.
    const instance = core.replica[name].storageInstance as RxStorageInstance<unknown, unknown, unknown, unknown>;
    const read = instance.getChangedDocumentsSince?.bind(instance);
    if (!read) continue;
    instance.getChangedDocumentsSince = async (limit, checkpoint) => {
      const result = await read(limit, checkpoint);
      counts[name] += result.documents.length;
      return result;
    };
  }
  return counts;
}

/** RxDB's counters of each collection's replication: initial passes, resyncs and batches of either direction. */
function replicationCounters(core: Core): Record<string, unknown> {
  const counters: Record<string, unknown> = {};
  for (const name of COLLECTION_NAMES) {
    const states = REPLICATION_STATE_BY_COLLECTION.get(core.replica[name] as never) ?? [];
    counters[name] = states.map((state) => state.internalReplicationState?.stats);
  }
  return counters;
}

function sum(counts: Record<CollectionName, number>): number {
  return COLLECTION_NAMES.reduce((total, name) => total + counts[name], 0);
}

/**
 * Samples the heap used right after each full (mark-compact) garbage collection. That is close to
 * the live heap, while a sample at any other moment also counts garbage not yet collected.
 */
function observeHeapAfterMajorGc(
  started: number,
  onSample: (heapUsedMb: number) => void = () => undefined,
): { samples: { seconds: number; heapUsedMb: number }[]; stop: () => void } {
  const samples: { seconds: number; heapUsedMb: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    // Node 20 puts the collection's kind into the gc entries' `detail`, which PerformanceEntry's type omits.
    const major = list.getEntries().some((entry) => (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === performanceConstants.NODE_PERFORMANCE_GC_MAJOR);
    if (!major) return;
    const { heapUsedMb } = memoryNow();
    samples.push({ seconds: (performance.now() - started) / 1000, heapUsedMb });
    onSample(heapUsedMb);
  });
  observer.observe({ entryTypes: ['gc'] });
  return { samples, stop: () => observer.disconnect() };
}

/**
 * Starts the core on an empty replica as both hosts do, encrypted unless `options.encrypted` is
 * false, signs in and waits until the replica contains every expected document. The clock runs from the sign-in, which starts the
 * replication, to the check that found the last document. With `options.heapProfileDir`, it also
 * writes a sampling profile of the allocations during the sync there (see startAllocationSampling).
 */
export async function syncPhase(
  serverUrl: string,
  expected: Record<CollectionName, number>,
  options: { encrypted: boolean; heapProfileDir?: string; heapProfileOldSpaceOnly?: boolean; heapLiveAboveMb?: number },
): Promise<Record<string, unknown>> {
  const directory = makeBenchDirectory('initial-sync');
  try {
    const beforeStart = await settledMemory();
    const core = await createCore({
      settings: { workstationId: 'ws-bench', serverUrl, wardId: BENCH_WARD_ID },
      dataDirectory: directory.path,
      replicaName: 'initial-sync',
      // A random key, as a host creates one: the replica file is encrypted, as in production.
      ...(options.encrypted ? { replicaKey: randomBytes(32).toString('hex') } : {}),
      logger: createRootLogger({ level: 'warn' }),
    });
    const afterStart = await settledMemory();
    const expectedTotal = sum(expected);

    const upstreamReads = countUpstreamReads(core);
    const samples: (MemorySample & { seconds: number })[] = [];
    const liveAbove = options.heapLiveAboveMb;
    const allocations = options.heapProfileDir
      ? await startAllocationSampling({ oldSpaceOnly: options.heapProfileOldSpaceOnly ?? false, liveOnly: liveAbove !== undefined })
      : undefined;
    let liveProfile: Promise<string> | undefined;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const afterMajorGc = observeHeapAfterMajorGc(started, (heapUsedMb) => {
      // The first full collection that leaves more than the threshold: what it could not free.
      if (liveAbove !== undefined && !liveProfile && allocations && options.heapProfileDir && heapUsedMb > liveAbove) {
        liveProfile = allocations.stop(options.heapProfileDir, 'initial-sync-live');
      }
    });
    const signedIn = await core.gateway.handle('session:signIn', { username: 'nurse', password: 'nurse-demo' }, { senderId: 'bench' });
    if (!signedIn.ok) throw new Error(`Sign-in failed: ${signedIn.error.code}: ${signedIn.error.message}`);
    const sampler = setInterval(() => samples.push({ ...memoryNow(), seconds: (performance.now() - started) / 1000 }), SAMPLE_INTERVAL_MS);
    let counts: Record<CollectionName, number>;
    try {
      for (;;) {
        await core.replication.awaitInSync();
        counts = await countReplicated(core);
        if (sum(counts) >= expectedTotal) break;
        await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
      }
    } finally {
      clearInterval(sampler);
      afterMajorGc.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    let heapProfile: string | undefined;
    if (liveAbove !== undefined) heapProfile = await liveProfile;
    else if (options.heapProfileDir && allocations) heapProfile = await allocations.stop(options.heapProfileDir, 'initial-sync-allocations');
    const documents = sum(counts);
    const counters = replicationCounters(core);

    const afterSync = await settledMemory();
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    await core.close();
    const replicaFilesMb =
      readdirSync(directory.path)
        .filter((name) => name.startsWith('initial-sync'))
        .reduce((total, name) => total + statSync(join(directory.path, name)).size, 0) / MEGABYTE;
    return {
      encrypted: options.encrypted,
      documents,
      counts,
      seconds,
      documentsPerSecond: Math.round(documents / seconds),
      // The core's CPU time during the sync, all threads: it varies less than the wall time on a shared machine.
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      beforeStart,
      afterStart,
      afterSync,
      peakRssMb,
      maxSampledHeapUsedMb: Math.max(...samples.map((sample) => sample.heapUsedMb)),
      maxSampledRssMb: Math.max(...samples.map((sample) => sample.rssMb)),
      // Every tenth sample, to show whether the heap grows with the documents pulled ahead of the writes.
      memoryOverTime: samples.filter((_, index) => index % 10 === 9).map((sample) => ({ seconds: Math.round(sample.seconds), heapUsedMb: Math.round(sample.heapUsedMb), rssMb: Math.round(sample.rssMb) })),
      // The heap used after each full garbage collection during the sync, close to the live heap.
      maxHeapAfterMajorGcMb: Math.max(0, ...afterMajorGc.samples.map((sample) => sample.heapUsedMb)),
      heapAfterMajorGc: afterMajorGc.samples.map((sample) => ({ seconds: Math.round(sample.seconds), heapUsedMb: Math.round(sample.heapUsedMb) })),
      ...(heapProfile ? { heapProfile } : {}),
      replicaFilesMb,
      upstreamReads,
      replicationCounters: counters,
    };
  } finally {
    directory.remove();
  }
}

/**
 * Signs in and pulls every collection page by page through ServerClient, as the replication's
 * pull handler does, and keeps nothing. This is the server's and the client's HTTP and JSON share
 * of an initial sync, without the replica.
 */
export async function pullPhase(serverUrl: string, pageSize: number): Promise<Record<string, unknown>> {
  const server = new ServerClient({ baseUrl: serverUrl, timeoutMs: 120_000 });
  const { token } = await server.signIn({ username: 'nurse', password: 'nurse-demo', wardId: BENCH_WARD_ID, workstationId: 'ws-bench-pull' });
  const started = performance.now();
  const counts: Record<string, number> = {};
  let pages = 0;
  let slowestPageMs = 0;
  for (const collection of COLLECTION_NAMES) {
    let checkpoint: Checkpoint | undefined;
    counts[collection] = 0;
    for (;;) {
      const pageStarted = performance.now();
      const page = await server.pull(token, collection, checkpoint, pageSize);
      slowestPageMs = Math.max(slowestPageMs, performance.now() - pageStarted);
      pages += 1;
      counts[collection] += page.documents.length;
      checkpoint = page.checkpoint ?? checkpoint;
      if (page.documents.length < pageSize) break;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const documents = Object.values(counts).reduce((total, count) => total + count, 0);
  return { pageSize, documents, counts, pages, seconds, documentsPerSecond: Math.round(documents / seconds), meanPageMs: (seconds * 1000) / pages, slowestPageMs };
}
