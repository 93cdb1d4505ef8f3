import type { Role } from '../../preload/api/roles.js';
import type { Queryable } from './database/index.js';
import type { PasswordHash } from './passwords.js';

export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  password: PasswordHash;
  disabled: boolean;
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  roles: Role[];
  password_hash: Buffer | Uint8Array;
  password_salt: Buffer | Uint8Array;
  scrypt_cost: number;
  scrypt_block_size: number;
  scrypt_parallelization: number;
  disabled: boolean;
}

const USER_COLUMNS = `id, username, display_name, roles, password_hash, password_salt, scrypt_cost, scrypt_block_size, scrypt_parallelization, disabled`;

function toUserRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    roles: row.roles,
    // pg returns bytea as a Buffer and PGlite as a Uint8Array.
    password: {
      hash: Buffer.from(row.password_hash),
      salt: Buffer.from(row.password_salt),
      cost: row.scrypt_cost,
      blockSize: row.scrypt_block_size,
      parallelization: row.scrypt_parallelization,
    },
    disabled: row.disabled,
  };
}

export async function findUserByUsername(database: Queryable, username: string): Promise<UserRecord | undefined> {
  const { rows } = await database.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE username = $1`, [username]);
  return rows[0] ? toUserRecord(rows[0]) : undefined;
}

/** A user's account status: the current roles and name of an active user, or why there are none. */
export type UserStatus = { id: string; status: 'active'; roles: Role[]; displayName: string } | { id: string; status: 'disabled' } | { id: string; status: 'unknown' };

/** Returns the status of each user id, in the order given, with repeated ids removed. */
export async function findUserStatuses(database: Queryable, userIds: readonly string[]): Promise<UserStatus[]> {
  const uniqueIds = [...new Set(userIds)];
  if (uniqueIds.length === 0) return [];
  const { rows } = await database.query<{ id: string; display_name: string; roles: Role[]; disabled: boolean }>(
    'SELECT id, display_name, roles, disabled FROM users WHERE id = ANY($1::text[])',
    [uniqueIds],
  );
  const rowById = new Map(rows.map((row) => [row.id, row]));
  return uniqueIds.map((id): UserStatus => {
    const row = rowById.get(id);
    if (!row) return { id, status: 'unknown' };
    if (row.disabled) return { id, status: 'disabled' };
    return { id, status: 'active', roles: row.roles, displayName: row.display_name };
  });
}

export async function findUserStatus(database: Queryable, userId: string): Promise<UserStatus> {
  const [status] = await findUserStatuses(database, [userId]);
  return status ?? { id: userId, status: 'unknown' };
}

/**
 * Disables or enables the account with this username. A disabled user's sign-ins and requests get
 * 403 `user-disabled`, and the trigger on `users` closes their open event streams. Throws when no
 * user has this username.
 */
export async function setUserDisabled(database: Queryable, username: string, disabled: boolean): Promise<void> {
  const { rowCount } = await database.query('UPDATE users SET disabled = $2 WHERE username = $1', [username, disabled]);
  if (rowCount === 0) throw new Error(`No user has the username ${JSON.stringify(username)}. See DEMO_USERS in sync/server/seed/users.ts for the seeded ones`);
}

/** Inserts a user unless one with the same id or username exists; returns whether it inserted. */
export async function insertUser(database: Queryable, user: UserRecord): Promise<boolean> {
  const { rowCount } = await database.query(
    `INSERT INTO users (${USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
    [
      user.id,
      user.username,
      user.displayName,
      user.roles,
      user.password.hash,
      user.password.salt,
      user.password.cost,
      user.password.blockSize,
      user.password.parallelization,
      user.disabled,
    ],
  );
  return rowCount > 0;
}
