import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

import Database from 'better-sqlite3-multiple-ciphers';

/**
 * One SQLite connection per database file per process, shared by every storage instance of that
 * file (and by the outbox and credential tables in it) and closed when the last user closes it.
 * Sharing one connection keeps writes from several collections of one process serialized without
 * SQLITE_BUSY waits, because each transaction runs to completion synchronously.
 *
 * Files are encrypted when a key is given, so every page on disk, WAL included, is ciphertext. New
 * files use SQLite3 Multiple Ciphers' AEGIS-256 cipher (see CIPHER). Files created before it keep
 * the SQLCipher 4 format (AES-256, HMAC-SHA512 per page) and still open.
 */

export type SqliteDatabase = Database.Database;

/** 256-bit key as 64 hex digits. */
export type DatabaseKey = string;

/** The key cannot open the file (wrong key, or the file is damaged); the file was not modified. */
export class DatabaseKeyError extends Error {
  override name = 'DatabaseKeyError';
}

interface PooledConnection {
  database: SqliteDatabase;
  references: number;
}

const connections = new Map<string, PooledConnection>();

/**
 * Page size of new replica files. A loaded vital signs panel's row is about 3 KB: its JSON with the
 * fields RxDB adds, and the index columns. Two such rows fit in an 8 KB page, which leaves a
 * quarter of it unused. Five fit in a 16 KB page, and the replica of a 5,000-patient ward took
 * 102 MB instead of 121 MB. Every page written is encrypted and written out whole, so the
 * initial load writes less (docs/benchmarks.md, "16 KB pages"). A small commit, such as one
 * nurse's entry, writes each page it touches, now twice as large: tens of kilobytes per commit.
 */
const PAGE_SIZE = 16384;
/** Page size of the SQLCipher replicas created after the move to 8 KB pages and before CIPHER. */
const SQLCIPHER_PAGE_SIZE = 8192;
/** Page size of replicas created before 8 KB pages, SQLite's default. */
const EARLIER_PAGE_SIZE = 4096;
const SQLITE_PLAINTEXT_HEADER = 'SQLite format 3\0';

/**
 * Opens (or reuses) the connection for `filePath`. A new file, or a plain one, is encrypted with
 * `key`; an encrypted file that `key` does not open raises DatabaseKeyError and stays untouched.
 *
 * WAL lets readers in other processes (backups, diagnostics) proceed during writes. With
 * `synchronous = FULL`, SQLite syncs the WAL at every commit, so a write the storage acknowledged
 * survives a power cut; NORMAL would be faster but may lose the last commits, and the replica may
 * hold the only copy of a nurse's entries during an outage.
 */
export function acquireConnection(filePath: string, key?: DatabaseKey): SqliteDatabase {
  const existing = connections.get(filePath);
  if (existing) {
    existing.references += 1;
    return existing.database;
  }

  mkdirSync(dirname(filePath), { recursive: true });
  const plaintext = isPlaintextSqlite(filePath);
  const database = key && !plaintext ? openEncrypted(filePath, key) : new Database(filePath);
  try {
    if (key && plaintext) encryptPlaintext(database, key);
    // Takes effect only in a new file: an existing one keeps the page size it was created with.
    database.pragma(`page_size = ${PAGE_SIZE}`);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.pragma('busy_timeout = 5000');
    database.pragma('foreign_keys = ON');
  } catch (error) {
    database.close();
    if (!key && (error as { code?: string }).code === 'SQLITE_NOTADB') {
      throw new DatabaseKeyError(`The replica ${filePath} is encrypted and no key was given; the file was left unchanged. Provide the workstation's replica key.`, { cause: error });
    }
    throw error;
  }
  connections.set(filePath, { database, references: 1 });
  return database;
}

function checkKeyFormat(key: DatabaseKey): void {
  if (!/^[0-9a-f]{64}$/.test(key)) throw new DatabaseKeyError('The replica key must be 64 hex digits (256 bits)');
}

/**
 * The cipher of new replica files: AEGIS-256, an authenticated cipher built on the AES round, which
 * SQLite3 Multiple Ciphers runs with the processor's AES instructions. SQLCipher 4 computes an
 * HMAC-SHA512 in software for every page it writes or reads, besides AES-256-CBC. Writing the
 * initial load's vital signs took 50 µs of CPU per document with SQLCipher and 36 µs with AEGIS
 * (docs/benchmarks.md, "The replica's cipher"). The file is then readable only by SQLite3
 * Multiple Ciphers (this product's driver, or its `sqlite3mc` shell), not by SQLCipher's tools.
 */
const CIPHER = 'aegis';

/** The format of an encrypted file: the current cipher, or SQLCipher 4 with the page size the file was created with. */
type CipherFormat = { cipher: typeof CIPHER } | { cipher: 'sqlcipher'; pageSize: number };

/** The formats to try on an existing file, newest first: a replica created before CIPHER is in SQLCipher's. */
const EXISTING_FORMATS: readonly CipherFormat[] = [
  { cipher: CIPHER },
  { cipher: 'sqlcipher', pageSize: SQLCIPHER_PAGE_SIZE },
  { cipher: 'sqlcipher', pageSize: EARLIER_PAGE_SIZE },
];

/** Selects CIPHER for the key or rekey that follows. AEGIS leaves the header's page size readable, so SQLite reads it from the file. */
function selectCurrentCipher(database: SqliteDatabase): void {
  database.pragma(`cipher = '${CIPHER}'`);
  database.pragma("algorithm = 'aegis-256'");
}

function configureCipher(database: SqliteDatabase, key: DatabaseKey, format: CipherFormat): void {
  if (format.cipher === 'sqlcipher') {
    database.pragma("cipher = 'sqlcipher'");
    database.pragma('legacy = 4');
    // SQLCipher encrypts the header too, so the page size is a setting of the cipher, not of the file.
    database.pragma(`legacy_page_size = ${format.pageSize}`);
  } else {
    selectCurrentCipher(database);
  }
  // A raw 256-bit key: no key derivation runs.
  database.pragma(`key = "x'${key}'"`);
}

/**
 * Opens an encrypted file, or creates a new one with CIPHER and PAGE_SIZE. An existing file that
 * the key does not open with CIPHER is tried again in the formats of earlier replicas.
 */
function openEncrypted(filePath: string, key: DatabaseKey): SqliteDatabase {
  checkKeyFormat(key);
  const isNew = !existsSync(filePath) || statSync(filePath).size === 0;
  const formats = isNew ? [{ cipher: CIPHER } as const] : EXISTING_FORMATS;
  let lastError: unknown;
  for (const format of formats) {
    const database = new Database(filePath);
    try {
      configureCipher(database, key, format);
      database.prepare('SELECT count(*) FROM sqlite_master').get();
      return database;
    } catch (error) {
      database.close();
      if ((error as { code?: string }).code !== 'SQLITE_NOTADB') throw error;
      lastError = error;
    }
  }
  throw new DatabaseKeyError(
    `The replica ${filePath} cannot be opened with this workstation's key: the key is wrong or the file is damaged. The file was left unchanged; restore the key, or move the file away to sync the replica afresh (changes not yet sent are in that file).`,
    { cause: lastError },
  );
}

/** Encrypts in place a replica written before encryption. Rekeying needs a rollback journal. */
function encryptPlaintext(database: SqliteDatabase, key: DatabaseKey): void {
  checkKeyFormat(key);
  selectCurrentCipher(database);
  database.pragma('journal_mode = DELETE');
  database.pragma(`rekey = "x'${key}'"`);
}

/** True when the file exists and starts with SQLite's plain-text header (no encryption). */
function isPlaintextSqlite(filePath: string): boolean {
  if (!existsSync(filePath)) return false;
  const header = Buffer.alloc(16);
  const descriptor = openSync(filePath, 'r');
  try {
    readSync(descriptor, header, 0, 16, 0);
  } finally {
    closeSync(descriptor);
  }
  return header.toString('latin1') === SQLITE_PLAINTEXT_HEADER;
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
