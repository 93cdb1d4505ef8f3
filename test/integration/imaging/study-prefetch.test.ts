import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { fixedClock } from '../../../main/core/clock.js';
import { DicomWebClient } from '../../../main/core/imaging/dicomweb-client.js';
import type { PrefetchSettings } from '../../../main/core/imaging/imaging-settings.js';
import type { StudyCacheOptions } from '../../../main/core/imaging/study-cache.js';
import { StudyCache } from '../../../main/core/imaging/study-cache.js';
import type { PrefetchOptions, PrefetchProgress } from '../../../main/core/imaging/study-prefetch.js';
import { prefetchStudies } from '../../../main/core/imaging/study-prefetch.js';
import { readDicomFixtures } from '../../support/dicom-fixtures.js';
import type { OrthancServer } from '../../support/orthanc.js';
import { ORTHANC_MISSING_MESSAGE, orthancAvailable, startOrthanc } from '../../support/orthanc.js';
import { freePort } from '../../support/server-process.js';

if (!orthancAvailable) console.warn(ORTHANC_MISSING_MESSAGE);

const fixtures = readDicomFixtures();
const patientIds = [...new Set(fixtures.map((fixture) => fixture.patientId))].sort();
/** Between the newest fixture study (20170101) and a year later; the others are from 2004. */
const NOW = fixedClock('2017-06-01T12:00:00Z');
const ALL_AGES: PrefetchSettings = { maxAgeDays: 100 * 365, maxStudiesPerPatient: 5, maxInstancesPerStudy: 100 };
const silent = pino({ level: 'silent' });

describe.skipIf(!orthancAvailable)('prefetch from Orthanc into the study cache', () => {
  let orthanc: OrthancServer;
  let client: DicomWebClient;
  let dataDirectory: string;
  let cache: StudyCache | undefined;

  beforeAll(async () => {
    orthanc = await startOrthanc();
    await orthanc.upload(fixtures.map((fixture) => fixture.file));
    client = new DicomWebClient({ url: orthanc.dicomWebUrl, authentication: { type: 'basic', username: orthanc.username, password: orthanc.password }, logger: silent });
  });

  afterAll(async () => {
    await orthanc?.stop();
  });

  beforeEach(async () => {
    dataDirectory = await mkdtemp(join(tmpdir(), 'hms-prefetch-'));
  });

  afterEach(async () => {
    cache?.close();
    cache = undefined;
    await rm(dataDirectory, { recursive: true, force: true });
  });

  async function openCache(options: Partial<StudyCacheOptions> = {}): Promise<StudyCache> {
    cache = await StudyCache.open({
      dataDirectory,
      replicaFile: join(dataDirectory, 'replica.sqlite'),
      replicaKey: 'b2'.repeat(32),
      maxBytes: 10_000_000,
      pinnedPatientIds: () => new Set(patientIds),
      logger: silent,
      ...options,
    });
    return cache;
  }

  async function prefetch(studyCache: StudyCache, settings: PrefetchSettings, extra: Partial<PrefetchOptions> = {}) {
    const events: PrefetchProgress[] = [];
    const result = await prefetchStudies({ client, cache: studyCache, patientIds, settings, logger: silent, clock: NOW, onProgress: (progress) => events.push(progress), ...extra });
    return { result, events };
  }

  it('downloads every study byte for byte', async () => {
    const studyCache = await openCache();

    const { result } = await prefetch(studyCache, ALL_AGES);

    expect(result.outcome).toBe('complete');
    expect(result.studiesPlanned).toBe(new Set(fixtures.map((fixture) => fixture.studyInstanceUid)).size);
    expect(result.instancesTotal).toBe(fixtures.length);
    expect(result.instancesDownloaded).toBe(fixtures.length);
    expect(result.bytesDownloaded).toBe(fixtures.reduce((sum, fixture) => sum + fixture.bytes.length, 0));
    for (const fixture of fixtures) {
      const cached = await studyCache.readInstance(fixture.sopInstanceUid);
      expect(Buffer.compare(Buffer.from(cached ?? []), fixture.bytes), fixture.file).toBe(0);
    }
  });

  it('reports progress through each phase', async () => {
    const studyCache = await openCache();

    const { result, events } = await prefetch(studyCache, ALL_AGES);

    const phases = events.map((event) => event.phase).filter((phase, index, all) => phase !== all[index - 1]);
    expect(phases).toEqual(['searching', 'listing', 'downloading', 'finished']);
    expect(events.filter((event) => event.phase === 'searching').map((event) => event.patientsSearched)).toEqual(patientIds.map((_, index) => index + 1));
    const downloads = events.filter((event) => event.phase === 'downloading').map((event) => event.instancesDownloaded);
    expect(downloads).toEqual([0, ...fixtures.map((_, index) => index + 1)]);
    expect(events.at(-1)).toEqual(expect.objectContaining({ phase: 'finished', instancesDownloaded: fixtures.length, instancesTotal: fixtures.length, bytesDownloaded: result.bytesDownloaded }));
  });

  it('downloads only recent studies', async () => {
    const studyCache = await openCache();
    const recent = fixtures.filter((fixture) => fixture.studyDate >= '20160601');

    const { result } = await prefetch(studyCache, { ...ALL_AGES, maxAgeDays: 365 });

    expect(recent.length).toBeGreaterThan(0);
    expect(result.studiesPlanned).toBe(1);
    expect(result.studiesSkipped).toBe(3);
    expect(result.instancesDownloaded).toBe(recent.length);
    expect(studyCache.studies().map((study) => study.studyInstanceUid)).toEqual([recent[0]?.studyInstanceUid]);
  });

  it('skips studies with too many instances', async () => {
    const studyCache = await openCache();
    const singles = fixtures.filter((fixture) => fixtures.filter((other) => other.studyInstanceUid === fixture.studyInstanceUid).length === 1);

    const { result } = await prefetch(studyCache, { ...ALL_AGES, maxInstancesPerStudy: 1 });

    expect(result.studiesPlanned).toBe(singles.length);
    expect(result.instancesDownloaded).toBe(singles.length);
    expect(studyCache.studies().map((study) => study.studyInstanceUid).sort()).toEqual(singles.map((fixture) => fixture.studyInstanceUid).sort());
  });

  it('downloads nothing again on a second run', async () => {
    const studyCache = await openCache();
    await prefetch(studyCache, ALL_AGES);

    const { result } = await prefetch(studyCache, ALL_AGES);

    expect(result.outcome).toBe('complete');
    expect(result.instancesDownloaded).toBe(0);
    expect(result.instancesAlreadyCached).toBe(fixtures.length);
  });

  it('stops when pinned studies fill the cache', async () => {
    const studyCache = await openCache({ maxBytes: 60_000 });

    const { result } = await prefetch(studyCache, ALL_AGES);

    expect(result.outcome).toBe('cache-full');
    expect(result.error?.name).toBe('StudyCacheFullError');
    expect(studyCache.totalBytes()).toBeLessThanOrEqual(60_000);
    expect(result.instancesDownloaded).toBeLessThan(fixtures.length);
  });

  it('stops when the PACS is down', async () => {
    const studyCache = await openCache();
    const url = `http://127.0.0.1:${await freePort()}/dicom-web`;

    const { result } = await prefetch(studyCache, ALL_AGES, { client: new DicomWebClient({ url, logger: silent }) });

    expect(result.outcome).toBe('pacs-unavailable');
    expect(result.error?.message).toContain('could not be reached');
    expect(result.patientsSearched).toBe(0);
  });

  it('stops when cancelled', async () => {
    const studyCache = await openCache();
    const controller = new AbortController();

    const { result } = await prefetch(studyCache, ALL_AGES, {
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.instancesDownloaded === 1) controller.abort();
      },
    });

    expect(result.outcome).toBe('cancelled');
    expect(result.instancesDownloaded).toBe(1);
    expect(studyCache.totalBytes()).toBeGreaterThan(0);
  });
});
