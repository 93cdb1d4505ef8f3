import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { InstanceIdentity, StudyCacheOptions } from '../../../main/core/imaging/study-cache.js';
import { STUDY_CACHE_FOLDER, StudyCache, StudyCacheFullError } from '../../../main/core/imaging/study-cache.js';
import { fixtureNamed, readDicomFixtures } from '../../support/dicom-fixtures.js';

const REPLICA_KEY = 'a1'.repeat(32);

let dataDirectory: string;
let open: StudyCache[] = [];

beforeEach(async () => {
  dataDirectory = await mkdtemp(join(tmpdir(), 'hms-study-cache-'));
  open = [];
});

afterEach(async () => {
  for (const cache of open) cache.close();
  await rm(dataDirectory, { recursive: true, force: true });
});

async function openCache(options: Partial<StudyCacheOptions> = {}): Promise<StudyCache> {
  const cache = await StudyCache.open({
    dataDirectory,
    replicaFile: join(dataDirectory, 'replica.sqlite'),
    maxBytes: 1_000_000,
    pinnedPatientIds: () => new Set(),
    logger: pino({ level: 'silent' }),
    ...options,
  });
  open.push(cache);
  return cache;
}

/** Makes up the UIDs of instance `instance` of study `study`; the cache does not parse DICOM. */
function identity(patientId: string, study: number, instance: number): InstanceIdentity {
  return {
    patientId,
    studyInstanceUid: `1.2.826.0.1.3680043.99.${study}`,
    seriesInstanceUid: `1.2.826.0.1.3680043.99.${study}.1`,
    sopInstanceUid: `1.2.826.0.1.3680043.99.${study}.1.${instance}`,
    studyDate: '20260101',
  };
}

/** Lists every file under the cache folder, relative to it. */
async function filesOnDisk(): Promise<string[]> {
  const entries = await readdir(join(dataDirectory, STUDY_CACHE_FOLDER), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(join(dataDirectory, STUDY_CACHE_FOLDER).length + 1))
    .sort();
}

async function* failingDownload(first: Uint8Array, failure: Error): AsyncIterable<Uint8Array> {
  yield first;
  throw failure;
}

describe('study cache storage', () => {
  const ct = fixtureNamed(readDicomFixtures(), 'CT_small.dcm');

  it('stores and reads an instance', async () => {
    const cache = await openCache();

    await cache.putInstance(ct, ct.bytes);

    expect(cache.has(ct.sopInstanceUid)).toBe(true);
    expect(Buffer.compare(Buffer.from((await cache.readInstance(ct.sopInstanceUid)) ?? []), ct.bytes)).toBe(0);
    expect(cache.totalBytes()).toBe(ct.bytes.length);
    expect(cache.studies().map((study) => study.studyInstanceUid)).toEqual([ct.studyInstanceUid]);
  });

  it('encrypts instance files with the replica key', async () => {
    const cache = await openCache({ replicaKey: REPLICA_KEY });

    const stored = await cache.putInstance(ct, ct.bytes);
    const onDisk = await readFile(join(dataDirectory, STUDY_CACHE_FOLDER, stored.relativePath));

    expect(onDisk.includes(Buffer.from(ct.patientId))).toBe(false);
    expect(onDisk.includes(Buffer.from('DICM'))).toBe(false);
    expect(Buffer.compare(Buffer.from((await cache.readInstance(ct.sopInstanceUid)) ?? []), ct.bytes)).toBe(0);
  });

  it('rejects an encrypted file that was changed', async () => {
    const cache = await openCache({ replicaKey: REPLICA_KEY });
    const stored = await cache.putInstance(ct, ct.bytes);
    const path = join(dataDirectory, STUDY_CACHE_FOLDER, stored.relativePath);
    const onDisk = await readFile(path);
    onDisk[onDisk.length - 100] = (onDisk[onDisk.length - 100] ?? 0) ^ 0xff;
    await writeFile(path, onDisk);

    await expect(cache.readInstance(ct.sopInstanceUid)).rejects.toThrow(/authenticate/);
  });

  it('leaves no partial file after a failed download', async () => {
    const cache = await openCache();
    const failure = new Error('connection reset by the PACS');

    await expect(cache.putInstance(ct, failingDownload(ct.bytes.subarray(0, 10_000), failure))).rejects.toBe(failure);

    expect(cache.has(ct.sopInstanceUid)).toBe(false);
    expect(await cache.readInstance(ct.sopInstanceUid)).toBeUndefined();
    expect(await filesOnDisk()).toEqual([]);
    expect(cache.studies()).toEqual([]);
    expect(cache.totalBytes()).toBe(0);
  });

  it('keeps the earlier copy when a rewrite fails', async () => {
    const cache = await openCache();
    await cache.putInstance(ct, ct.bytes);

    await expect(cache.putInstance(ct, failingDownload(randomBytes(100), new Error('timed out')))).rejects.toThrow('timed out');

    expect(Buffer.compare(Buffer.from((await cache.readInstance(ct.sopInstanceUid)) ?? []), ct.bytes)).toBe(0);
    expect((await filesOnDisk()).length).toBe(1);
  });

  it('repairs what an unclean stop left', async () => {
    const first = await openCache();
    const kept = await first.putInstance(identity('P1', 1, 1), randomBytes(100));
    const lost = await first.putInstance(identity('P1', 1, 2), randomBytes(100));
    first.close();
    const root = join(dataDirectory, STUDY_CACHE_FOLDER);
    await writeFile(join(root, 'incoming', 'interrupted.part'), randomBytes(50));
    await mkdir(join(root, 'studies', '1.2.3'), { recursive: true });
    await writeFile(join(root, 'studies', '1.2.3', '1.2.3.4.instance'), randomBytes(50));
    await unlink(join(root, lost.relativePath));

    const reopened = await openCache();

    expect(await filesOnDisk()).toEqual([kept.relativePath]);
    expect(reopened.has(kept.sopInstanceUid)).toBe(true);
    expect(reopened.has(lost.sopInstanceUid)).toBe(false);
    expect(reopened.totalBytes()).toBe(100);
  });
});

describe('study cache bound and eviction', () => {
  const uids = (cache: StudyCache) =>
    cache
      .studies()
      .map((study) => study.studyInstanceUid.split('.').at(-1))
      .sort();

  it('evicts the least recently used study', async () => {
    const cache = await openCache({ maxBytes: 300 });
    await cache.putInstance(identity('P1', 1, 1), randomBytes(100));
    await cache.putInstance(identity('P2', 2, 1), randomBytes(100));
    await cache.putInstance(identity('P3', 3, 1), randomBytes(100));
    await cache.readInstance(identity('P1', 1, 1).sopInstanceUid);

    await cache.putInstance(identity('P4', 4, 1), randomBytes(100));

    expect(uids(cache)).toEqual(['1', '3', '4']);
    expect(cache.totalBytes()).toBe(300);
    expect(await filesOnDisk()).not.toContain(join('studies', identity('P2', 2, 1).studyInstanceUid, `${identity('P2', 2, 1).sopInstanceUid}.instance`));
  });

  it('evicts whole studies, oldest first, until the instance fits', async () => {
    const cache = await openCache({ maxBytes: 400 });
    await cache.putInstance(identity('P1', 1, 1), randomBytes(100));
    await cache.putInstance(identity('P1', 1, 2), randomBytes(100));
    await cache.putInstance(identity('P2', 2, 1), randomBytes(100));
    await cache.putInstance(identity('P3', 3, 1), randomBytes(100));

    await cache.putInstance(identity('P4', 4, 1), randomBytes(250));

    expect(uids(cache)).toEqual(['3', '4']);
    expect(cache.totalBytes()).toBe(350);
  });

  it('never evicts a study of a ward patient', async () => {
    const ward = new Set(['P1']);
    const cache = await openCache({ maxBytes: 300, pinnedPatientIds: () => ward });
    await cache.putInstance(identity('P1', 1, 1), randomBytes(100));
    await cache.putInstance(identity('P2', 2, 1), randomBytes(100));
    await cache.putInstance(identity('P3', 3, 1), randomBytes(100));

    await cache.putInstance(identity('P4', 4, 1), randomBytes(100));

    expect(uids(cache)).toEqual(['1', '3', '4']);
    expect(cache.studies().find((study) => study.patientId === 'P1')?.pinned).toBe(true);
  });

  it('follows the ward as patients leave', async () => {
    const ward = new Set(['P1']);
    const cache = await openCache({ maxBytes: 200, pinnedPatientIds: () => ward });
    await cache.putInstance(identity('P1', 1, 1), randomBytes(100));
    await cache.putInstance(identity('P2', 2, 1), randomBytes(100));
    ward.delete('P1');
    await cache.readInstance(identity('P2', 2, 1).sopInstanceUid);

    await cache.putInstance(identity('P3', 3, 1), randomBytes(100));

    expect(uids(cache)).toEqual(['2', '3']);
  });

  it('rejects an instance that only pinned studies could make room for', async () => {
    const ward = new Set(['P1', 'P2']);
    const cache = await openCache({ maxBytes: 250, pinnedPatientIds: () => ward });
    await cache.putInstance(identity('P1', 1, 1), randomBytes(100));
    await cache.putInstance(identity('P2', 2, 1), randomBytes(100));

    const error = await cache.putInstance(identity('P3', 3, 1), randomBytes(100)).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(StudyCacheFullError);
    expect((error as StudyCacheFullError).message).toContain('imaging.cache.maxBytes');
    expect(uids(cache)).toEqual(['1', '2']);
    expect(cache.has(identity('P3', 3, 1).sopInstanceUid)).toBe(false);
    expect((await filesOnDisk()).length).toBe(2);
  });

  it('keeps the study being written', async () => {
    const cache = await openCache({ maxBytes: 300 });
    await cache.putInstance(identity('P1', 1, 1), randomBytes(100));
    await cache.putInstance(identity('P2', 2, 1), randomBytes(100));

    await cache.putInstance(identity('P1', 1, 2), randomBytes(150));

    expect(uids(cache)).toEqual(['1']);
    expect(cache.study(identity('P1', 1, 1).studyInstanceUid)?.instanceCount).toBe(2);
  });

  it('marks a study as used at most once a minute', async () => {
    let now = Date.parse('2026-12-05T08:00:00Z');
    const cache = await openCache({ clock: { now: () => new Date(now) } });
    await cache.putInstance(identity('P1', 1, 1), randomBytes(10));
    await cache.readInstance(identity('P1', 1, 1).sopInstanceUid);
    await cache.putInstance(identity('P2', 2, 1), randomBytes(10));

    now += 59_000;
    await cache.readInstance(identity('P1', 1, 1).sopInstanceUid);
    expect(cache.studies().map((study) => study.patientId)).toEqual(['P1', 'P2']);

    now += 2_000;
    await cache.readInstance(identity('P1', 1, 1).sopInstanceUid);
    expect(cache.studies().map((study) => study.patientId)).toEqual(['P2', 'P1']);
  });

  it('evicts at start-up when the bound was lowered', async () => {
    const first = await openCache({ maxBytes: 1_000 });
    await first.putInstance(identity('P1', 1, 1), randomBytes(100));
    await first.putInstance(identity('P2', 2, 1), randomBytes(100));
    await first.putInstance(identity('P3', 3, 1), randomBytes(100));
    first.close();

    const reopened = await openCache({ maxBytes: 200 });

    expect(uids(reopened)).toEqual(['2', '3']);
    expect(reopened.totalBytes()).toBe(200);
  });

  it('opens with pinned studies above a lowered bound', async () => {
    const ward = new Set(['P2', 'P3']);
    const first = await openCache({ maxBytes: 1_000, pinnedPatientIds: () => ward });
    await first.putInstance(identity('P1', 1, 1), randomBytes(100));
    await first.putInstance(identity('P2', 2, 1), randomBytes(100));
    await first.putInstance(identity('P3', 3, 1), randomBytes(100));
    first.close();

    const reopened = await openCache({ maxBytes: 150, pinnedPatientIds: () => ward });

    expect(uids(reopened)).toEqual(['2', '3']);
    await expect(reopened.putInstance(identity('P4', 4, 1), randomBytes(10))).rejects.toBeInstanceOf(StudyCacheFullError);
  });
});
