import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

import type { Role } from '../../../preload/api/roles.js';
import type { SyncCredentials } from '../../../sync/client/sync-authorization.js';
import type { DatabaseKey, SqliteDatabase } from '../../../sync/replica/sqlite/connection-pool.js';
import { acquireConnection, releaseConnection } from '../../../sync/replica/sqlite/connection-pool.js';

/**
 * What the workstation keeps so that staff can sign in while the central server is down: for each
 * user who signed in here online, a scrypt verifier of the password (salted, with its cost
 * parameters stored beside it), the user's roles and ward, and when offline sign-in expires. Also
 * the count of failed attempts per username, and the last sync token so replication resumes after
 * a restart. Kept in the replica's SQLite file, never synced.
 */

export interface CachedUser {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  ward: { id: string; name: string };
}

export type VerifyResult =
  | { kind: 'verified'; user: CachedUser }
  | { kind: 'unknown-user' }
  | { kind: 'expired'; cachedAt: string }
  | { kind: 'wrong-password' };

/** scrypt cost: N = 2^15, r = 8, p = 1, about 0.1 s per check here, the OWASP minimum for scrypt. */
export const SCRYPT_PARAMETERS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const DUMMY_SALT = Buffer.alloc(16);

function deriveKey(password: string, salt: Buffer, parameters: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem must cover 128 * N * r bytes, which the default of 32 MiB does only up to N = 2^15.
    scrypt(password, salt, KEY_LENGTH, { ...parameters, maxmem: 256 * parameters.N * parameters.r }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

interface CredentialRow {
  user_id: string;
  username: string;
  display_name: string;
  roles: string;
  ward_id: string;
  ward_name: string;
  salt: Buffer;
  verifier: Buffer;
  scrypt_n: number;
  scrypt_r: number;
  scrypt_p: number;
  cached_at: string;
  expires_at: string;
}

export class CredentialStore {
  readonly #filePath: string;
  readonly #database: SqliteDatabase;
  #closed = false;

  constructor(filePath: string, key?: DatabaseKey) {
    this.#filePath = filePath;
    this.#database = acquireConnection(filePath, key);
    this.#database.exec(`
      CREATE TABLE IF NOT EXISTS hms_credentials (
        user_id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL, roles TEXT NOT NULL,
        ward_id TEXT NOT NULL, ward_name TEXT NOT NULL, salt BLOB NOT NULL, verifier BLOB NOT NULL,
        scrypt_n INTEGER NOT NULL, scrypt_r INTEGER NOT NULL, scrypt_p INTEGER NOT NULL,
        cached_at TEXT NOT NULL, expires_at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS hms_sign_in_failures (
        username TEXT PRIMARY KEY, failures INTEGER NOT NULL, locked_until TEXT);
      CREATE TABLE IF NOT EXISTS hms_sync_token (
        id INTEGER PRIMARY KEY CHECK (id = 1), token TEXT NOT NULL, user_id TEXT NOT NULL, expires_at TEXT NOT NULL);
    `);
    // Added with refresh tokens; a replica from before has the first four columns only.
    const columns = this.#database.prepare("SELECT name FROM pragma_table_info('hms_sync_token')").pluck().all() as string[];
    for (const column of ['refresh_token', 'refresh_expires_at', 'renew_at']) {
      if (!columns.includes(column)) this.#database.exec(`ALTER TABLE hms_sync_token ADD COLUMN ${column} TEXT`);
    }
  }

  /** Stores a verifier of `password` after a successful online sign-in; offline sign-in is allowed until `expiresAt`. */
  async remember(user: CachedUser, password: string, cachedAt: Date, expiresAt: Date): Promise<void> {
    const salt = randomBytes(16);
    const verifier = await deriveKey(password, salt, SCRYPT_PARAMETERS);
    this.#database
      .prepare(
        `INSERT INTO hms_credentials (user_id, username, display_name, roles, ward_id, ward_name, salt, verifier, scrypt_n, scrypt_r, scrypt_p, cached_at, expires_at)
         VALUES (@id, @username, @displayName, @roles, @wardId, @wardName, @salt, @verifier, @n, @r, @p, @cachedAt, @expiresAt)
         ON CONFLICT (user_id) DO UPDATE SET username = excluded.username, display_name = excluded.display_name, roles = excluded.roles,
           ward_id = excluded.ward_id, ward_name = excluded.ward_name, salt = excluded.salt, verifier = excluded.verifier,
           scrypt_n = excluded.scrypt_n, scrypt_r = excluded.scrypt_r, scrypt_p = excluded.scrypt_p,
           cached_at = excluded.cached_at, expires_at = excluded.expires_at`,
      )
      .run({
        id: user.id,
        username: normalizeUsername(user.username),
        displayName: user.displayName,
        roles: JSON.stringify(user.roles),
        wardId: user.ward.id,
        wardName: user.ward.name,
        salt,
        verifier,
        n: SCRYPT_PARAMETERS.N,
        r: SCRYPT_PARAMETERS.r,
        p: SCRYPT_PARAMETERS.p,
        cachedAt: cachedAt.toISOString(),
        expiresAt: expiresAt.toISOString(),
      });
  }

  /** Checks a password against the cached verifier of `username`, the same work for a match or not. */
  async verify(username: string, password: string, now: Date): Promise<VerifyResult> {
    const row = this.#database.prepare('SELECT * FROM hms_credentials WHERE username = ?').get(normalizeUsername(username)) as CredentialRow | undefined;
    if (!row) {
      // The same scrypt work as for a cached user, so the time taken does not tell which usernames are cached.
      await deriveKey(password, DUMMY_SALT, SCRYPT_PARAMETERS);
      return { kind: 'unknown-user' };
    }
    const derived = await deriveKey(password, row.salt, { N: row.scrypt_n, r: row.scrypt_r, p: row.scrypt_p });
    if (derived.length !== row.verifier.length || !timingSafeEqual(derived, row.verifier)) return { kind: 'wrong-password' };
    if (now.getTime() > Date.parse(row.expires_at)) return { kind: 'expired', cachedAt: row.cached_at };
    return {
      kind: 'verified',
      user: { id: row.user_id, username: row.username, displayName: row.display_name, roles: JSON.parse(row.roles) as Role[], ward: { id: row.ward_id, name: row.ward_name } },
    };
  }

  forget(userId: string): boolean {
    return this.#database.prepare('DELETE FROM hms_credentials WHERE user_id = ?').run(userId).changes > 0;
  }

  forgetUsername(username: string): boolean {
    return this.#database.prepare('DELETE FROM hms_credentials WHERE username = ?').run(normalizeUsername(username)).changes > 0;
  }

  updateUser(userId: string, roles: Role[], displayName: string): void {
    this.#database.prepare('UPDATE hms_credentials SET roles = ?, display_name = ? WHERE user_id = ?').run(JSON.stringify(roles), displayName, userId);
  }

  cachedUserIds(): string[] {
    return this.#database.prepare('SELECT user_id FROM hms_credentials ORDER BY user_id').pluck().all() as string[];
  }

  /** Returns when the lock-out of `username` ends, or null when it may try now. */
  lockedUntil(username: string, now: Date): Date | null {
    const until = this.#database.prepare('SELECT locked_until FROM hms_sign_in_failures WHERE username = ?').pluck().get(normalizeUsername(username)) as string | null | undefined;
    if (!until) return null;
    const end = new Date(until);
    return end.getTime() > now.getTime() ? end : null;
  }

  /** Counts a failed attempt; at `limit` failures the username is locked out until `now + lockoutMs`. */
  recordFailure(username: string, now: Date, limit: number, lockoutMs: number): { failures: number; lockedUntil: Date | null } {
    const key = normalizeUsername(username);
    return this.#database.transaction(() => {
      const previous = this.#database.prepare('SELECT failures, locked_until FROM hms_sign_in_failures WHERE username = ?').get(key) as
        | { failures: number; locked_until: string | null }
        | undefined;
      // A lock-out that has ended starts the count afresh.
      const expiredLockout = previous?.locked_until && Date.parse(previous.locked_until) <= now.getTime();
      const failures = (expiredLockout ? 0 : (previous?.failures ?? 0)) + 1;
      const lockedUntil = failures >= limit ? new Date(now.getTime() + lockoutMs) : null;
      this.#database
        .prepare('INSERT INTO hms_sign_in_failures (username, failures, locked_until) VALUES (?, ?, ?) ON CONFLICT (username) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until')
        .run(key, failures, lockedUntil?.toISOString() ?? null);
      return { failures, lockedUntil };
    })();
  }

  clearFailures(username: string): void {
    this.#database.prepare('DELETE FROM hms_sign_in_failures WHERE username = ?').run(normalizeUsername(username));
  }

  /** Keeps the sync credentials of the last online sign-in, renewed access tokens included. */
  saveSyncCredentials(credentials: SyncCredentials): void {
    this.#database
      .prepare(
        `INSERT INTO hms_sync_token (id, token, user_id, expires_at, refresh_token, refresh_expires_at, renew_at)
         VALUES (1, @token, @userId, @expiresAt, @refreshToken, @refreshExpiresAt, @renewAt)
         ON CONFLICT (id) DO UPDATE SET token = excluded.token, user_id = excluded.user_id, expires_at = excluded.expires_at,
           refresh_token = excluded.refresh_token, refresh_expires_at = excluded.refresh_expires_at, renew_at = excluded.renew_at`,
      )
      .run({
        token: credentials.token,
        userId: credentials.userId,
        expiresAt: credentials.expiresAt,
        refreshToken: credentials.refreshToken ?? null,
        refreshExpiresAt: credentials.refreshExpiresAt ?? null,
        renewAt: credentials.renewAt ?? null,
      });
  }

  /**
   * The saved sync credentials. Whether they still work is the server's answer, not this
   * workstation's clock: spent ones end in a 401 and a request to sign in.
   */
  loadSyncCredentials(): SyncCredentials | null {
    const row = this.#database.prepare('SELECT token, user_id, expires_at, refresh_token, refresh_expires_at, renew_at FROM hms_sync_token WHERE id = 1').get() as
      | { token: string; user_id: string; expires_at: string; refresh_token: string | null; refresh_expires_at: string | null; renew_at: string | null }
      | undefined;
    if (!row) return null;
    return {
      userId: row.user_id,
      token: row.token,
      expiresAt: row.expires_at,
      ...(row.refresh_token ? { refreshToken: row.refresh_token } : {}),
      ...(row.refresh_expires_at ? { refreshExpiresAt: row.refresh_expires_at } : {}),
      ...(row.renew_at ? { renewAt: row.renew_at } : {}),
    };
  }

  clearSyncToken(): void {
    this.#database.prepare('DELETE FROM hms_sync_token').run();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    releaseConnection(this.#filePath);
  }
}

/** Usernames compare without case and surrounding spaces, as the server's sign-in does. */
export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}
