import type { RxDocumentData, RxJsonSchema } from 'rxdb';
import { getIndexableStringMonad, getIndexMeta, toArray } from 'rxdb';

import { indexKeyWriter } from './index-key-encoding.js';

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
  /** The column's value for a document: `encodeIndexKey(toIndexableString(document))`, without building the padded string. */
  encode: (document: RxDocumentData<RxDocType>) => Buffer;
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
      encode: indexKeyEncoder(schema, fields),
    });
  }
  return columns;
}

/**
 * Returns a function that encodes a document's index string for `fields` as encodeIndexKey does,
 * from RxDB's own description of each field. A string field is written as its value and a count
 * of padding spaces, which the encoding turns into one token anyway. Other fields (numbers,
 * booleans) are written as RxDB's own string part of them. Building the padded strings first and
 * encoding them took 12 % of the core's CPU in an initial sync of 700,000 documents.
 */
function indexKeyEncoder<RxDocType>(schema: RxJsonSchema<RxDocumentData<RxDocType>>, fields: string[]): (document: RxDocumentData<RxDocType>) => Buffer {
  const parts = getIndexMeta(schema, fields).map((meta) => {
    const maxLength = meta.schemaPart.type === 'string' ? (meta.schemaPart.maxLength ?? 0) : undefined;
    return { getValue: meta.getValue, getIndexStringPart: meta.getIndexStringPart, maxLength };
  });
  return (document) => {
    indexKeyWriter.begin();
    for (const part of parts) {
      const value: unknown = part.maxLength === undefined ? undefined : part.getValue(document);
      if (part.maxLength === undefined || (value && typeof value !== 'string')) {
        indexKeyWriter.write(part.getIndexStringPart(document), 0);
        continue;
      }
      // RxDB writes a missing or empty string as '' padded to maxLength, and never cuts a longer one.
      const text = (value as string | undefined) || '';
      indexKeyWriter.write(text, Math.max(0, part.maxLength - text.length));
    }
    return indexKeyWriter.end();
  };
}

/**
 * Version of the index columns' byte format, kept per table in the file. Version 1 stored RxDB's
 * index strings as UTF-16BE; version 2 is encodeIndexKey.
 */
export const INDEX_KEY_FORMAT = 2;
