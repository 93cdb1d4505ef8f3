import type { RxDocumentData, RxStorageDefaultCheckpoint, RxStorageInstance } from 'rxdb';
import { getChangedDocumentsSince, now } from 'rxdb';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { getRxStorageSQLite } from '../../../sync/replica/sqlite/sqlite-storage.js';
import { makeTempDirectory } from '../../support/replica.js';
import { checkStoragesAgree, emptyStatistics } from './differential-harness.js';
import type { TestDocument } from './differential-schemas.js';
import { DIFFERENTIAL_SUBJECTS, samplesSubject } from './differential-schemas.js';

/**
 * Differential test of the SQLite storage against RxDB's memory storage with a fixed seed and a
 * bounded number of runs, so CI is repeatable and quick. `npm run test:differential -- --runs 5000`
 * runs the same check longer with a new seed each time.
 */
const SEED = 20261201;
const RUNS_PER_SCHEMA = 100;

type Instance = RxStorageInstance<TestDocument, unknown, unknown, RxStorageDefaultCheckpoint>;

function sample(id: string, label: string, lwt: number): RxDocumentData<TestDocument> {
  return {
    id,
    label,
    score: -1000,
    count: 0,
    active: false,
    nested: { ward: 'w1' },
    _deleted: false,
    _attachments: {},
    _rev: '1-a',
    _meta: { lwt },
  };
}

describe('SQLite storage against the memory storage', () => {
  let directory: ReturnType<typeof makeTempDirectory>;

  beforeAll(() => {
    directory = makeTempDirectory('differential');
  });

  afterAll(() => {
    directory.remove();
  });

  for (const subject of DIFFERENTIAL_SUBJECTS) {
    it(`agrees on random ${subject.name} operations`, async () => {
      const statistics = emptyStatistics();

      await checkStoragesAgree(subject, { runs: RUNS_PER_SCHEMA, seed: SEED, statistics, sqliteDirectory: directory.path });

      // The generators must keep producing cases where a wrong storage would show.
      expect(statistics.queriesWithDocuments).toBeGreaterThan(statistics.queries / 10);
      expect(statistics.nonZeroCounts).toBeGreaterThan(0);
      expect(statistics.writeErrors).toBeGreaterThan(0);
      expect(statistics.purgedDocuments).toBeGreaterThan(0);
      expect(statistics.rejectedQueries).toBe(0);
    }, 120_000);
  }

  it('agrees on tables of the earlier layout', async () => {
    const statistics = emptyStatistics();

    await checkStoragesAgree(samplesSubject, { runs: 30, seed: SEED, statistics, earlierLayout: true, sqliteDirectory: directory.path });

    expect(statistics.writtenRows).toBeGreaterThan(0);
    expect(statistics.purgedDocuments).toBeGreaterThan(0);
  }, 120_000);

  async function openBoth(databaseName: string): Promise<{ sqlite: Instance; memory: Instance }> {
    const params = {
      databaseInstanceToken: 'differential-test',
      databaseName,
      collectionName: 'samples',
      schema: samplesSubject.schema,
      options: {},
      multiInstance: false,
      devMode: true,
    };
    const sqlite = (await getRxStorageSQLite({ directory: directory.path }).createStorageInstance<TestDocument>(params)) as unknown as Instance;
    const memory = (await getRxStorageMemory().createStorageInstance<TestDocument>(params)) as unknown as Instance;
    return { sqlite, memory };
  }

  // Counterexample found by the differential test: getChangedDocumentsSince ordered ties in lwt by
  // the id as SQLite TEXT (UTF-8 bytes), which puts U+10000 after U+FF5E, whereas RxDB and
  // JavaScript compare UTF-16 code units and put U+10000 (a surrogate pair) first.
  it('orders equal-lwt changes by UTF-16 id', async () => {
    const { sqlite, memory } = await openBoth('changes-order');
    const lwt = now();
    const rows = [{ document: sample('\uFF5Ea', 'alpha', lwt) }, { document: sample('\u{10000}', 'aaaaaaaaaa', lwt) }];
    await sqlite.bulkWrite(structuredClone(rows), 'test');
    await memory.bulkWrite(structuredClone(rows), 'test');

    const all = await getChangedDocumentsSince(sqlite, 10);
    const firstPage = await getChangedDocumentsSince(sqlite, 1);
    const secondPage = await getChangedDocumentsSince(sqlite, 1, firstPage.checkpoint);

    expect(all.documents.map((document) => document.id)).toEqual(['\u{10000}', '\uFF5Ea']);
    expect(all).toEqual(await getChangedDocumentsSince(memory, 10));
    expect(firstPage.checkpoint).toEqual({ id: '\u{10000}', lwt });
    expect(secondPage.documents.map((document) => document.id)).toEqual(['\uFF5Ea']);
    await sqlite.remove();
    await memory.remove();
  });

  // The random runs keep cleanup limits half a second away from every lwt, so this boundary needs
  // a frozen clock: RxDB's now() returns the frozen Date.now() plus 0.01 ms on its first call.
  it('purges a deletion exactly at the age limit', async () => {
    const { sqlite, memory } = await openBoth('cleanup-boundary');
    const purgedAt = async (instance: Instance, frozenAt: number): Promise<string[]> => {
      vi.setSystemTime(frozenAt);
      const lwt = frozenAt + 0.01 - 60_000;
      await instance.bulkWrite([{ document: { ...sample('deleted', 'alpha', lwt), _deleted: true } }], 'test');
      await instance.cleanup(60_000);
      return (await instance.findDocumentsById(['deleted'], true)).map((document) => document.id);
    };

    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      // Each call freezes the clock further ahead than any earlier now(), so now() starts afresh.
      const start = Math.ceil(now()) + 1_000_000;
      expect(await purgedAt(memory, start)).toEqual([]);
      expect(await purgedAt(sqlite, start + 1_000_000)).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
    await sqlite.remove();
    await memory.remove();
  });
});
