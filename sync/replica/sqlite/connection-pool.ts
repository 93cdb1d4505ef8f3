import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * One better-sqlite3 connection per database file per process, shared by every storage instance of
 * that file and closed when the last instance closes. Sharing one connection keeps writes from
 * several collections of one process serialized without SQLITE_BUSY waits, because better-sqlite3
 * runs each transaction to completion synchronously.
 */

export type SqliteDatabase = Database.Database;

interface PooledConnection {
  database: SqliteDatabase;
  references: number;
}

const connections = new Map<string, PooledConnection>();

/**
 * Opens (or reuses) the connection for `filePath`. WAL lets readers in other processes (backups,
 * diagnostics) proceed during writes; `synchronous = FULL` makes every committed transaction survive
 * a power cut, which matters more here than write speed because the replica may hold the only copy
 * of a nurse's entries during an outage.
 */
export function acquireConnection(filePath: string): SqliteDatabase {
  const existing = connections.get(filePath);
  if (existing) {
    existing.references += 1;
    return existing.database;
  }

  mkdirSync(dirname(filePath), { recursive: true });
  const database = new Database(filePath);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  connections.set(filePath, { database, references: 1 });
  return database;
}

export function releaseConnection(filePath: string): void {
  const existing = connections.get(filePath);
  if (!existing) return;
  existing.references -= 1;
  if (existing.references > 0) return;
  connections.delete(filePath);
  existing.database.close();
}

/** Number of open pooled connections, for tests that check nothing leaks. */
export function openConnectionCount(): number {
  return connections.size;
}
