import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { makeTempDirectory } from '../../support/replica.js';

vi.mock('electron', () => ({}));

const { KeychainUnavailableError, loadOrCreateReplicaKey, SEALED_KEY_FILE } = await import('../../../main/electron/replica-key.js');

/** A keychain stand-in: "seals" by prefixing and base64, so sealed bytes differ from the key. */
function fakeSafeStorage(options: { available?: boolean; backend?: string } = {}) {
  return {
    isEncryptionAvailable: () => options.available ?? true,
    getSelectedStorageBackend: () => (options.backend ?? 'gnome_libsecret') as never,
    encryptString: (plain: string) => Buffer.from(`sealed:${Buffer.from(plain).toString('base64')}`),
    decryptString: (sealed: Buffer) => {
      const text = sealed.toString();
      if (!text.startsWith('sealed:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(text.slice('sealed:'.length), 'base64').toString();
    },
  };
}

describe('replica key', () => {
  let directory: ReturnType<typeof makeTempDirectory>;

  beforeEach(() => {
    directory = makeTempDirectory('replica-key');
  });

  afterEach(() => directory.remove());

  it('creates a 256-bit key and stores it only sealed, readable by its owner', () => {
    const key = loadOrCreateReplicaKey(directory.path, fakeSafeStorage(), 'linux');
    const path = join(directory.path, SEALED_KEY_FILE);

    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(path, 'utf8')).not.toContain(key);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('returns the same key on the next start', () => {
    const first = loadOrCreateReplicaKey(directory.path, fakeSafeStorage(), 'win32');
    const second = loadOrCreateReplicaKey(directory.path, fakeSafeStorage(), 'win32');

    expect(second).toBe(first);
  });

  it('fails clearly when the keychain is unavailable', () => {
    expect(() => loadOrCreateReplicaKey(directory.path, fakeSafeStorage({ available: false }), 'linux')).toThrow(KeychainUnavailableError);
    expect(() => loadOrCreateReplicaKey(directory.path, fakeSafeStorage({ available: false }), 'linux')).toThrow(/GNOME Keyring or KWallet/);
  });

  it('refuses the plain-text fallback on Linux', () => {
    expect(() => loadOrCreateReplicaKey(directory.path, fakeSafeStorage({ backend: 'basic_text' }), 'linux')).toThrow(/No keyring/);
  });

  it('keeps a key it cannot unseal untouched', () => {
    const path = join(directory.path, SEALED_KEY_FILE);
    writeFileSync(path, 'sealed by another user');

    expect(() => loadOrCreateReplicaKey(directory.path, fakeSafeStorage(), 'linux')).toThrow(/cannot be unsealed/);
    expect(readFileSync(path, 'utf8')).toBe('sealed by another user');
  });
});
