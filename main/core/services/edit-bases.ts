import type { WireDocument } from '../../../sync/protocol/wire.js';
import type { DatabaseKey, SqliteDatabase } from '../../../sync/replica/sqlite/connection-pool.js';
import { acquireConnection, releaseConnection } from '../../../sync/replica/sqlite/connection-pool.js';
import type { WrittenCollection } from './local-writer.js';

/**
 * The version of each record that its unsent local edit started from, kept in the replica's own
 * SQLite file beside the outbox. RxDB keeps this version too, as the assumed master state, but
 * replaces it with the refused version when the server refuses a push. A resend needs the version
 * the server actually has, both as the assumed master state of its push and as the base of a
 * three-way merge, so the core keeps its own copy.
 */
export class EditBases {
  readonly #filePath: string;
  readonly #database: SqliteDatabase;
  #closed = false;

  constructor(filePath: string, key?: DatabaseKey) {
    this.#filePath = filePath;
    this.#database = acquireConnection(filePath, key);
    this.#database
      .prepare('CREATE TABLE IF NOT EXISTS hms_edit_base (collection TEXT NOT NULL, document_id TEXT NOT NULL, document TEXT NOT NULL, PRIMARY KEY (collection, document_id)) WITHOUT ROWID')
      .run();
  }

  /** Keeps `document` as the base of the edit about to be written, replacing the base of an older, synced edit. */
  remember(collection: WrittenCollection, document: WireDocument): void {
    this.#database
      .prepare('INSERT INTO hms_edit_base (collection, document_id, document) VALUES (?, ?, ?) ON CONFLICT (collection, document_id) DO UPDATE SET document = excluded.document')
      .run(collection, document.id, JSON.stringify(document));
  }

  get(collection: WrittenCollection, documentId: string): WireDocument | undefined {
    const json = this.#database.prepare('SELECT document FROM hms_edit_base WHERE collection = ? AND document_id = ?').pluck().get(collection, documentId) as string | undefined;
    return json === undefined ? undefined : (JSON.parse(json) as WireDocument);
  }

  forget(collection: WrittenCollection, documentId: string): void {
    this.#database.prepare('DELETE FROM hms_edit_base WHERE collection = ? AND document_id = ?').run(collection, documentId);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    releaseConnection(this.#filePath);
  }
}
