import type { RxDocumentData, RxJsonSchema, RxStorageDefaultCheckpoint } from 'rxdb';
import { createBlob, fillWithDefaultSettings, normalizeMangoQuery, now, prepareQuery } from 'rxdb';
import Database from 'better-sqlite3-multiple-ciphers';
import { firstValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { EntryDocument } from '../../../sync/protocol/documents.js';
import { entriesSchema } from '../../../sync/replica/schemas.js';
import { openConnectionCount } from '../../../sync/replica/sqlite/connection-pool.js';
import { buildIndexColumns } from '../../../sync/replica/sqlite/index-columns.js';
import type { SqliteStorageInstance } from '../../../sync/replica/sqlite/sqlite-instance.js';
import { getRxStorageSQLite } from '../../../sync/replica/sqlite/sqlite-storage.js';
import { makeTempDirectory, openTestReplica } from '../../support/replica.js';

const schema = fillWithDefaultSettings(entriesSchema) as RxJsonSchema<RxDocumentData<EntryDocument>>;

function entry(id: string, patientId: string, effective: string, revision = '1-a'): RxDocumentData<EntryDocument> {
  return {
    id: `Observation/${id}`,
    resourceType: 'Observation',
    patientId,
    code: 'http://loinc.org|85353-1',
    effective,
    resource: { resourceType: 'Observation', id },
    _deleted: false,
    _attachments: {},
    _rev: revision,
    _meta: { lwt: now() },
  };
}

async function openInstance(directory: string, collectionName = 'entries'): Promise<SqliteStorageInstance<EntryDocument>> {
  const storage = getRxStorageSQLite({ directory });
  return (await storage.createStorageInstance<EntryDocument>({
    databaseInstanceToken: 'test-token',
    databaseName: 'storage-test',
    collectionName,
    schema,
    options: {},
    multiInstance: false,
    devMode: true,
  })) as SqliteStorageInstance<EntryDocument>;
}

function prepare(selector: object, sort: object[] = [{ id: 'asc' }], limit?: number) {
  // RxQuery adds `_deleted: false` to every selector; the planner needs it to use the indexes.
  const mango = { selector: { ...selector, _deleted: false }, sort, ...(limit ? { limit } : {}) };
  return prepareQuery(schema, normalizeMangoQuery(schema, mango as never));
}

describe('SQLite RxStorage', () => {
  let directory: ReturnType<typeof makeTempDirectory>;

  beforeEach(() => {
    directory = makeTempDirectory('storage');
  });

  afterEach(() => {
    directory.remove();
  });

  it('writes and finds documents by id, with and without deleted ones', async () => {
    const instance = await openInstance(directory.path);
    const deleted = { ...entry('b', 'p1', '2026-12-01T10:00:00.000Z'), _deleted: true };
    const result = await instance.bulkWrite([{ document: entry('a', 'p1', '2026-12-01T09:00:00.000Z') }, { document: deleted }], 'test');

    expect(result.error).toEqual([]);
    expect((await instance.findDocumentsById(['Observation/a', 'Observation/b'], false)).map((d) => d.id)).toEqual(['Observation/a']);
    expect((await instance.findDocumentsById(['Observation/a', 'Observation/b'], true)).map((d) => d.id).sort()).toEqual([
      'Observation/a',
      'Observation/b',
    ]);
    await instance.close();
  });

  it('rejects a write with a stale revision as a conflict', async () => {
    const instance = await openInstance(directory.path);
    const original = entry('a', 'p1', '2026-12-01T09:00:00.000Z', '1-a');
    await instance.bulkWrite([{ document: original }], 'test');
    await instance.bulkWrite([{ previous: original, document: { ...original, _rev: '2-b', _meta: { lwt: now() } } }], 'test');

    const stale = await instance.bulkWrite([{ previous: original, document: { ...original, _rev: '2-c', _meta: { lwt: now() } } }], 'test');

    expect(stale.error).toHaveLength(1);
    expect(stale.error[0]?.status).toBe(409);
    const conflict = stale.error[0];
    expect(conflict && 'documentInDb' in conflict ? conflict.documentInDb?._rev : undefined).toBe('2-b');
    await instance.close();
  });

  it('answers an index range query in index order', async () => {
    const instance = await openInstance(directory.path);
    const documents = [
      entry('a', 'p1', '2026-12-01T08:00:00.000Z'),
      entry('b', 'p1', '2026-12-01T12:00:00.000Z'),
      entry('c', 'p1', '2026-12-01T10:00:00.000Z'),
      entry('d', 'p2', '2026-12-01T10:00:00.000Z'),
      entry('e', 'p1', '2026-12-02T10:00:00.000Z'),
    ];
    await instance.bulkWrite(documents.map((document) => ({ document })), 'test');

    const query = prepare(
      { patientId: 'p1', code: 'http://loinc.org|85353-1', effective: { $gte: '2026-12-01T09:00:00.000Z', $lt: '2026-12-02T00:00:00.000Z' } },
      [{ patientId: 'asc' }, { code: 'asc' }, { effective: 'asc' }],
    );
    const result = await instance.query(query);

    expect(query.queryPlan.index).toEqual(['_deleted', 'patientId', 'code', 'effective', 'id']);
    expect(result.documents.map((d) => d.id)).toEqual(['Observation/c', 'Observation/b']);
    expect(instance.explainQuery(query).join(' ')).toMatch(/USING INDEX entries-v0__idx0 \(idx0>\? AND idx0<\?\)/);
    await instance.close();
  });

  it('applies the rest of the selector, the sort and the limit like RxDB', async () => {
    const instance = await openInstance(directory.path);
    const documents = ['a', 'b', 'c', 'd', 'e', 'f'].map((id, index) => entry(id, index % 2 ? 'p1' : 'p2', `2026-12-0${index + 1}T10:00:00.000Z`));
    await instance.bulkWrite(documents.map((document) => ({ document })), 'test');

    const query = prepare({ resourceType: 'Observation', 'resource.id': { $in: ['a', 'c', 'd', 'f'] } }, [{ effective: 'desc' }, { id: 'asc' }], 3);
    const result = await instance.query(query);
    const count = await instance.count(prepare({ resourceType: 'Observation', 'resource.id': { $in: ['a', 'c', 'd', 'f'] } }));

    expect(result.documents.map((d) => d.id)).toEqual(['Observation/f', 'Observation/d', 'Observation/c']);
    expect(count.count).toBe(4);
    await instance.close();
  });

  it('pages changed documents since a checkpoint without loss or repeats', async () => {
    const instance = await openInstance(directory.path);
    const documents = Array.from({ length: 25 }, (_, index) => entry(`doc${index}`, 'p1', '2026-12-01T10:00:00.000Z'));
    // One lwt for all, as in a bulk insert within one millisecond: ties must break on the id.
    const lwt = now();
    await instance.bulkWrite(documents.map((document) => ({ document: { ...document, _meta: { lwt } } })), 'test');

    const seen: string[] = [];
    let checkpoint: RxStorageDefaultCheckpoint | undefined;
    for (;;) {
      const page = await instance.getChangedDocumentsSince(7, checkpoint);
      seen.push(...page.documents.map((d) => d.id));
      checkpoint = page.checkpoint;
      if (page.documents.length < 7) break;
    }
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);

    const [current] = await instance.findDocumentsById(['Observation/doc3'], false);
    if (!current) throw new Error('Observation/doc3 was not stored');
    await instance.bulkWrite([{ previous: current, document: { ...current, _rev: '2-x', _meta: { lwt: now() } } }], 'test');
    const after = await instance.getChangedDocumentsSince(10, checkpoint);
    expect(after.documents.map((d) => d.id)).toEqual(['Observation/doc3']);
    await instance.close();
  });

  it('keeps documents across a restart', async () => {
    const connectionsBefore = openConnectionCount();
    const first = await openInstance(directory.path);
    await first.bulkWrite([{ document: entry('a', 'p1', '2026-12-01T10:00:00.000Z') }], 'test');
    await first.close();
    expect(openConnectionCount()).toBe(connectionsBefore);

    const second = await openInstance(directory.path);
    expect((await second.findDocumentsById(['Observation/a'], false)).map((d) => d.patientId)).toEqual(['p1']);
    await second.close();
  });

  it('rewrites the index columns of a table written by an older version in the UTF-16 format', async () => {
    const documents = [
      entry('a', 'p1', '2026-12-01T08:00:00.000Z'),
      entry('b', 'p1', '2026-12-01T12:00:00.000Z'),
      entry('c', 'p2', '2026-12-01T10:00:00.000Z'),
    ];
    const first = await openInstance(directory.path);
    await first.bulkWrite(documents.map((document) => ({ document })), 'test');
    const { filePath, tableName } = first.internals;
    await first.close();

    // What an older version left: RxDB's index strings as UTF-16BE, and no format marker.
    const older = new Database(filePath);
    const columns = buildIndexColumns(schema);
    const rows = older.prepare(`SELECT id, data FROM "${tableName}"`).all() as { id: string; data: string }[];
    for (const row of rows) {
      const document = JSON.parse(row.data) as RxDocumentData<EntryDocument>;
      const assignments = columns.map((column) => `${column.column} = ?`).join(', ');
      const keys = columns.map((column) => Buffer.from(column.toIndexableString(document), 'utf16le').swap16());
      older.prepare(`UPDATE "${tableName}" SET ${assignments} WHERE id = ?`).run(...keys, row.id);
    }
    older.prepare('DELETE FROM hms_storage_format WHERE table_name = ?').run(tableName);
    older.close();

    const second = await openInstance(directory.path);
    const result = await second.query(prepare({ patientId: 'p1' }, [{ patientId: 'asc' }, { code: 'asc' }, { effective: 'asc' }]));
    expect(result.documents.map((d) => d.id)).toEqual(['Observation/a', 'Observation/b']);
    await second.close();

    const upgraded = new Database(filePath, { readonly: true });
    const stored = upgraded.prepare(`SELECT idx0 FROM "${tableName}" WHERE id = ?`).pluck().get('Observation/c') as Buffer;
    const format = upgraded.prepare('SELECT index_key_format FROM hms_storage_format WHERE table_name = ?').pluck().get(tableName);
    upgraded.close();
    expect(stored.subarray(0, 4).toString('latin1')).toBe('0p2\u0003');
    expect(format).toBe(2);
  });

  it('streams one instance\'s writes to another instance of the same table', async () => {
    const writer = await openInstance(directory.path);
    const reader = await openInstance(directory.path);
    const nextBulk = firstValueFrom(reader.changeStream());

    await writer.bulkWrite([{ document: entry('a', 'p1', '2026-12-01T10:00:00.000Z') }], 'test-context');
    const bulk = await nextBulk;

    expect(bulk.context).toBe('test-context');
    expect(bulk.events.map((event) => [event.operation, event.documentId])).toEqual([['INSERT', 'Observation/a']]);
    expect(bulk.checkpoint.id).toBe('Observation/a');
    await writer.close();
    await reader.close();
  });

  it('purges deleted documents older than the minimum age', async () => {
    const instance = await openInstance(directory.path);
    const old = { ...entry('old', 'p1', '2026-12-01T10:00:00.000Z'), _deleted: true, _meta: { lwt: now() - 60_000 } };
    const recent = { ...entry('recent', 'p1', '2026-12-01T10:00:00.000Z'), _deleted: true };
    await instance.bulkWrite([{ document: old }, { document: recent }], 'test');

    expect(await instance.cleanup(30_000)).toBe(true);
    expect((await instance.findDocumentsById(['Observation/old', 'Observation/recent'], true)).map((d) => d.id)).toEqual(['Observation/recent']);
    await instance.close();
  });

  it('stores and returns attachment data', async () => {
    const withAttachments = fillWithDefaultSettings({ ...entriesSchema, attachments: {} }) as RxJsonSchema<RxDocumentData<EntryDocument>>;
    const storage = getRxStorageSQLite({ directory: directory.path });
    const instance = await storage.createStorageInstance<EntryDocument>({
      databaseInstanceToken: 'test-token',
      databaseName: 'storage-test',
      collectionName: 'scans',
      schema: withAttachments,
      options: {},
      multiInstance: false,
      devMode: true,
    });
    const data = createBlob('consent form scan', 'text/plain');
    const document = {
      ...entry('a', 'p1', '2026-12-01T10:00:00.000Z'),
      _attachments: { consent: { data, digest: 'md5-abc', length: data.size, type: 'text/plain' } },
    };

    const result = await instance.bulkWrite([{ document }], 'test');
    const blob = await instance.getAttachmentData('Observation/a', 'consent', 'md5-abc');

    expect(result.error).toEqual([]);
    expect(await blob.text()).toBe('consent form scan');
    await expect(instance.getAttachmentData('Observation/a', 'consent', 'md5-other')).rejects.toThrow(/not found/);
    await instance.close();
  });

  it('serves an RxDB database through the replica', async () => {
    const replica = await openTestReplica(directory.path);
    await replica.entries.insert({
      id: 'Observation/x',
      resourceType: 'Observation',
      patientId: 'p9',
      code: 'http://loinc.org|85353-1',
      effective: '2026-12-01T10:00:00.000Z',
      resource: { resourceType: 'Observation', id: 'x' },
    });
    const found = await replica.entries.find({ selector: { patientId: 'p9' } }).exec();

    expect(found.map((document) => document.id)).toEqual(['Observation/x']);
    await replica.close();
  });
});
