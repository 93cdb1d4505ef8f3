import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DicomWebError } from '../../../main/core/imaging/dicomweb-error.js';
import { StudyCache } from '../../../main/core/imaging/study-cache.js';
import type { DownloadInstance, StudyInstance } from '../../../main/core/imaging/study-cache-jobs.js';
import { StudyCacheJobs } from '../../../main/core/imaging/study-cache-jobs.js';
import type { StudyCacheJob } from '../../../preload/api/index.js';

const silent = pino({ level: 'silent' });
const PINNED_PATIENT = 'MRN-PINNED';
/** Bytes of each made-up instance. The cache does not parse DICOM, so any bytes do. */
const INSTANCE_BYTES = 1_000;

/** Makes up the UIDs of `count` instances of study `study`. */
function instancesOf(study: number, count: number): StudyInstance[] {
  return Array.from({ length: count }, (_, index) => ({ seriesInstanceUid: `1.2.826.0.1.3680043.98.${study}.1`, sopInstanceUid: `1.2.826.0.1.3680043.98.${study}.1.${index + 1}` }));
}

function studyUid(study: number): string {
  return `1.2.826.0.1.3680043.98.${study}`;
}

/**
 * The caching jobs with a real study cache on disk and downloads that stand in for the PACS: the
 * outcome of a full cache and of an instance the PACS fails, the queue of jobs, and closing.
 */
describe('caching jobs', () => {
  let dataDirectory: string;
  let cache: StudyCache;
  let jobs: StudyCacheJobs;
  let events: StudyCacheJob[];

  /** Stores a made-up instance of `study` in the cache, as a retrieve from the PACS would. */
  const storeIn =
    (study: number): DownloadInstance =>
    async (instance) => {
      await cache.putInstance({ patientId: PINNED_PATIENT, studyInstanceUid: studyUid(study), ...instance }, new Uint8Array(INSTANCE_BYTES).fill(study));
    };
  const finishedJobOf = async (studyInstanceUid: string): Promise<StudyCacheJob> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const job = events.find((event) => event.studyInstanceUid === studyInstanceUid && event.state === 'finished');
      if (job) return job;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for the end of the job of ${studyInstanceUid}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  beforeEach(async () => {
    dataDirectory = await mkdtemp(join(tmpdir(), 'hms-cache-jobs-'));
    // Room for two instances of the pinned patient, not three.
    cache = await StudyCache.open({ dataDirectory, replicaFile: join(dataDirectory, 'replica.sqlite'), maxBytes: 2.5 * INSTANCE_BYTES, pinnedPatientIds: () => new Set([PINNED_PATIENT]), logger: silent });
    events = [];
    jobs = new StudyCacheJobs({ isCached: (sop) => cache.has(sop), logger: silent, onProgress: (job) => events.push(job), progressIntervalMs: 0 });
  });

  afterEach(async () => {
    await jobs.close();
    cache.close();
    await rm(dataDirectory, { recursive: true, force: true });
  });

  it('ends with cache-full when pinned studies fill it', async () => {
    jobs.start(studyUid(1), instancesOf(1, 4), storeIn(1));

    const finished = await finishedJobOf(studyUid(1));

    expect(finished.outcome).toBe('cache-full');
    expect(finished.instancesDone).toBe(2);
    expect(finished.instancesDownloaded).toBe(2);
    expect(finished.error).toMatch(/^The study cache is full of studies of the ward's patients after 2 of 4 instances were cached: /);
    expect(cache.study(studyUid(1))?.instanceCount).toBe(2);
  });

  it('leaves out an instance the PACS fails', async () => {
    const [first, second] = instancesOf(2, 2) as [StudyInstance, StudyInstance];
    const download: DownloadInstance = async (instance, signal) => {
      if (instance.sopInstanceUid === first.sopInstanceUid) throw new DicomWebError('WADO-RS GET failed with HTTP 500', 'status', '/studies', 500);
      await storeIn(2)(instance, signal);
    };

    jobs.start(studyUid(2), [first, second], download);
    const finished = await finishedJobOf(studyUid(2));

    expect(finished).toEqual({ studyInstanceUid: studyUid(2), state: 'finished', outcome: 'complete', instancesTotal: 2, instancesDone: 1, instancesFailed: 1, instancesDownloaded: 1, error: null });
  });

  it('skips instances cached already', async () => {
    await storeIn(3)(instancesOf(3, 1)[0] as StudyInstance, new AbortController().signal);

    jobs.start(studyUid(3), instancesOf(3, 2), storeIn(3));
    const finished = await finishedJobOf(studyUid(3));

    expect(finished.outcome).toBe('complete');
    expect(finished.instancesDone).toBe(2);
    expect(finished.instancesDownloaded).toBe(1);
  });

  it('queues a second study behind the first', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const order: string[] = [];
    const gated: DownloadInstance = async (instance, signal) => {
      await gate;
      order.push(instance.sopInstanceUid);
      await storeIn(4)(instance, signal);
    };

    const first = jobs.start(studyUid(4), instancesOf(4, 1), gated);
    const second = jobs.start(studyUid(5), instancesOf(5, 1), async (instance, signal) => {
      order.push(instance.sopInstanceUid);
      await storeIn(5)(instance, signal);
    });
    const again = jobs.start(studyUid(4), instancesOf(4, 1), gated);
    const listed = jobs.list();
    release();
    await finishedJobOf(studyUid(5));

    expect(first.state).toBe('running');
    expect(second.state).toBe('queued');
    expect(again.state).toBe('running');
    expect(listed.map((job) => [job.studyInstanceUid, job.state])).toEqual([
      [studyUid(4), 'running'],
      [studyUid(5), 'queued'],
    ]);
    expect(order).toEqual([instancesOf(4, 1)[0]?.sopInstanceUid, instancesOf(5, 1)[0]?.sopInstanceUid]);
    expect(jobs.list()).toEqual([]);
  });

  it('cancels the jobs on close without writing after it', async () => {
    let closed = false;
    let writes = 0;
    let writesAfterClose = 0;
    let queuedCalls = 0;
    // Ignores the signal, as a write into the cache that has begun does, so close() must wait for it.
    const slow: DownloadInstance = async (instance, signal) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      writes += 1;
      if (closed) writesAfterClose += 1;
      await storeIn(6)(instance, signal);
    };
    jobs.start(studyUid(6), instancesOf(6, 2), slow);
    jobs.start(studyUid(7), instancesOf(7, 1), async (instance, signal) => {
      queuedCalls += 1;
      await storeIn(7)(instance, signal);
    });
    const eventsBeforeClose = events.length;

    await jobs.close();
    closed = true;
    const cachedAtClose = cache.study(studyUid(6))?.instanceCount;
    cache.close();
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(writes).toBe(1);
    expect(writesAfterClose).toBe(0);
    expect(cachedAtClose).toBe(1);
    expect(queuedCalls).toBe(0);
    expect(events).toHaveLength(eventsBeforeClose);
    expect(jobs.list()).toEqual([]);
    expect(() => jobs.start(studyUid(8), instancesOf(8, 1), storeIn(8))).toThrow(/The workstation is stopping/);
  });
});
