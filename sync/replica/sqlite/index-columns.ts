import type { RxDocumentData, RxJsonSchema } from 'rxdb';
import { getIndexableStringMonad, toArray } from 'rxdb';

/**
 * RxDB indexes as SQLite columns. Each index of the schema becomes one BLOB column holding RxDB's
 * own indexable string of the document for that index (`getIndexableStringMonad`), with a plain
 * SQLite index on it. A range query then runs between RxDB's own lower and upper bound strings, so
 * the storage orders and bounds exactly as RxDB's memory storage does.
 *
 * The strings are stored in the compact encoding of index-key-encoding.ts, whose bytes SQLite's
 * BLOB comparison (memcmp) orders as JavaScript orders the strings. TEXT would compare UTF-8
 * bytes, which orders characters beyond U+FFFF differently, and would keep RxDB's padding.
 */

export interface IndexColumn<RxDocType> {
  /** Column name, `idx0`, `idx1`, … in schema order. */
  column: string;
  fields: string[];
  /** Key for looking up the column of a query plan's index. */
  key: string;
  toIndexableString: (document: RxDocumentData<RxDocType>) => string;
}

export function indexKey(fields: readonly string[]): string {
  return fields.join(',');
}

export function buildIndexColumns<RxDocType>(schema: RxJsonSchema<RxDocumentData<RxDocType>>): IndexColumn<RxDocType>[] {
  const indexes = (schema.indexes ?? []).map((index) => toArray(index) as string[]);

  const seen = new Set<string>();
  const columns: IndexColumn<RxDocType>[] = [];
  for (const fields of indexes) {
    const key = indexKey(fields);
    if (seen.has(key)) continue;
    seen.add(key);
    columns.push({
      column: `idx${columns.length}`,
      fields,
      key,
      toIndexableString: getIndexableStringMonad(schema, fields),
    });
  }
  return columns;
}

/**
 * Version of the index columns' byte format, kept per table in the file. Version 1 stored RxDB's
 * index strings as UTF-16BE; version 2 is encodeIndexKey.
 */
export const INDEX_KEY_FORMAT = 2;
