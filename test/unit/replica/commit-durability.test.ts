import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { commitWithoutSync, isServerCopyWrite } from '../../../sync/replica/sqlite/commit-durability.js';
import type { SqliteDatabase } from '../../../sync/replica/sqlite/connection-pool.js';
import { acquireConnection, releaseConnection } from '../../../sync/replica/sqlite/connection-pool.js';
import { makeTempDirectory } from '../../support/replica.js';

/** PRAGMA synchronous values. */
const NORMAL = 1;
const FULL = 2;

describe('commit durability', () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let file: string;
  let database: SqliteDatabase;

  beforeEach(() => {
    directory = makeTempDirectory('commit-durability');
    file = join(directory.path, 'replica.sqlite');
    database = acquireConnection(file);
    database.prepare('CREATE TABLE rows (id INTEGER PRIMARY KEY)').run();
  });

  afterEach(() => {
    releaseConnection(file);
    directory.remove();
  });

  const synchronous = () => database.pragma('synchronous', { simple: true }) as number;

  it.each(['replication-downstream-abc123', 'replication-down-write-meta', 'replication-set-checkpoint'])('defers the sync of %s', (context) => {
    expect(isServerCopyWrite(context)).toBe(true);
  });

  it.each(['rx-collection-bulk-insert', 'replication-up-write-meta', 'replication-up-write-conflict', 'replication-up-write-conflict-meta', 'local-write'])('keeps the sync of %s', (context) => {
    expect(isServerCopyWrite(context)).toBe(false);
  });

  it('commits with NORMAL and restores FULL', () => {
    let during: number | undefined;
    commitWithoutSync(database, () =>
      database.transaction(() => {
        during = synchronous();
        database.prepare('INSERT INTO rows (id) VALUES (1)').run();
      })(),
    );

    expect(synchronous()).toBe(FULL);
    expect(during).toBe(NORMAL);
    expect(database.prepare('SELECT count(*) FROM rows').pluck().get()).toBe(1);
  });

  it('restores FULL when the write throws', () => {
    expect(() =>
      commitWithoutSync(database, () => {
        throw new Error('write failed');
      }),
    ).toThrow('write failed');

    expect(synchronous()).toBe(FULL);
  });

  it('leaves an open transaction unchanged', () => {
    let during: number | undefined;
    database.transaction(() => {
      commitWithoutSync(database, () => {
        during = synchronous();
      });
    })();

    expect(during).toBe(FULL);
    expect(synchronous()).toBe(FULL);
  });
});
