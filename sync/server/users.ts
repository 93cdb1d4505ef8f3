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

export async function isUserDisabled(database: Queryable, userId: string): Promise<boolean> {
  const { rows } = await database.query<{ disabled: boolean }>('SELECT disabled FROM users WHERE id = $1', [userId]);
  return rows[0]?.disabled ?? true;
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
