import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const KEY_FILE = 'replica.key';

/**
 * The browser host's replica key, where no OS keychain is at hand: the HMS_REPLICA_KEY variable,
 * or a file in the data folder readable by its owner only, created with the replica. The Electron
 * host seals its key with the OS keychain instead.
 */
export function loadReplicaKey(dataDirectory: string, replicaFile: string, environment: NodeJS.ProcessEnv): string {
  const fromEnvironment = environment.HMS_REPLICA_KEY?.trim();
  if (fromEnvironment) {
    if (!/^[0-9a-f]{64}$/.test(fromEnvironment)) throw new Error('HMS_REPLICA_KEY must be 64 lower-case hex digits (a 256-bit key)');
    return fromEnvironment;
  }

  const path = join(dataDirectory, KEY_FILE);
  if (existsSync(path)) {
    if ((statSync(path).mode & 0o077) !== 0) {
      throw new Error(`The replica key file ${path} is readable by other users; make it readable by its owner only (chmod 600 ${path})`);
    }
    const key = readFileSync(path, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`The replica key file ${path} does not hold a 256-bit key in hex; restore it from backup`);
    return key;
  }

  if (existsSync(replicaFile) && !readFileSync(replicaFile).subarray(0, 16).equals(Buffer.from('SQLite format 3\0', 'latin1'))) {
    throw new Error(
      `The replica ${replicaFile} is encrypted, but its key file ${path} is missing. Restore the key file, or move the replica away to sync it afresh (changes not yet sent are in that file).`,
    );
  }
  const key = randomBytes(32).toString('hex');
  writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
