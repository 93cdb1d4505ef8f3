import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { SafeStorage } from 'electron';

/** The OS keychain cannot seal the key, so the replica must not be opened. */
export class KeychainUnavailableError extends Error {
  override name = 'KeychainUnavailableError';
}

export const SEALED_KEY_FILE = 'replica-key.sealed';

/**
 * Returns the replica's encryption key (32 random bytes as hex), creating it on first start. On
 * disk the key exists only sealed by the operating system's keychain through safeStorage (DPAPI on
 * Windows, the Keychain on macOS, libsecret or KWallet on Linux), so a copy of the disk alone does
 * not open the replica.
 */
export function loadOrCreateReplicaKey(
  directory: string,
  safeStorage: Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'>,
  platform: NodeJS.Platform,
): string {
  if (!safeStorage.isEncryptionAvailable()) {
    throw new KeychainUnavailableError(
      'The operating system keychain is unavailable, so the key of the local replica cannot be protected. ' +
        (platform === 'linux' ? 'Start HMS Workstation inside a desktop session with GNOME Keyring or KWallet running. ' : '') +
        'If this persists, contact IT.',
    );
  }
  // On Linux without a keyring, Electron falls back to a hard-coded password ("basic_text"): that
  // would leave the key readable to anyone with the disk.
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
    throw new KeychainUnavailableError(
      'No keyring (GNOME Keyring or KWallet) is running in this Linux session, so the key of the local replica cannot be protected. Start one, or ask IT.',
    );
  }

  const path = join(directory, SEALED_KEY_FILE);
  if (existsSync(path)) {
    let key: string;
    try {
      key = safeStorage.decryptString(readFileSync(path));
    } catch (error) {
      throw new KeychainUnavailableError(
        `The key of the local replica in ${path} cannot be unsealed by this user's keychain (${(error as Error).message}). It was sealed by another user or machine; ask IT. The file is left unchanged.`,
        { cause: error },
      );
    }
    if (!/^[0-9a-f]{64}$/.test(key)) throw new KeychainUnavailableError(`The sealed key in ${path} is damaged; ask IT. The file is left unchanged.`);
    return key;
  }

  mkdirSync(directory, { recursive: true });
  const key = randomBytes(32).toString('hex');
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, safeStorage.encryptString(key), { mode: 0o600 });
  renameSync(temporary, path);
  return key;
}
