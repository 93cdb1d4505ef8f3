import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { KEY_FILE, loadReplicaKey } from '../../main/browser-host/replica-key-file.js';
import { toRecordDocument } from '../../sync/protocol/documents.js';
import { MRN_SYSTEM } from '../../sync/protocol/fhir/identifiers.js';
import { openReplica } from '../../sync/replica/replica.js';
import { acquireConnection, DatabaseKeyError, releaseConnection } from '../../sync/replica/sqlite/connection-pool.js';
import { makeTempDirectory } from '../support/replica.js';

const KEY = 'a1'.repeat(32);
const WRONG_KEY = 'b2'.repeat(32);
const PATIENTS = [
  { id: 'p-1', family: 'Müller', given: 'Annegret', mrn: '40000001' },
  { id: 'p-2', family: 'Okonkwo-Baptiste', given: 'Chidubem', mrn: '40000002' },
];

function patientDocument(patient: (typeof PATIENTS)[number]) {
  return toRecordDocument(
    { resourceType: 'Patient', id: patient.id, name: [{ family: patient.family, given: [patient.given] }], identifier: [{ system: MRN_SYSTEM, value: patient.mrn }] },
    { wardOfLocation: () => undefined },
  );
}

/** Every byte the replica left on disk: the database file and its WAL. */
function bytesOnDisk(file: string): Buffer {
  return Buffer.concat([file, `${file}-wal`].filter(existsSync).map((path) => readFileSync(path)));
}

function digest(file: string): string {
  return createHash('sha256').update(bytesOnDisk(file)).digest('hex');
}

describe('replica encryption', () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let file: string;

  beforeEach(() => {
    directory = makeTempDirectory('encryption');
    file = join(directory.path, 'replica.sqlite');
  });

  afterEach(() => directory.remove());

  it('keeps no name or MRN readable on disk, and opens with the right key', async () => {
    const replica = await openReplica({ directory: directory.path, name: 'replica', key: KEY });
    await replica.records.bulkInsert(PATIENTS.map(patientDocument));
    const onDiskWhileOpen = bytesOnDisk(file);
    await replica.close();

    for (const bytes of [onDiskWhileOpen, bytesOnDisk(file)]) {
      for (const patient of PATIENTS) {
        for (const text of [patient.family, patient.given, patient.mrn, patient.family.toLowerCase()]) {
          expect(bytes.includes(Buffer.from(text, 'utf8'))).toBe(false);
          expect(bytes.includes(Buffer.from(text, 'utf16le'))).toBe(false);
        }
      }
    }
    const reopened = await openReplica({ directory: directory.path, name: 'replica', key: KEY });
    expect((await reopened.records.findOne('Patient/p-1').exec())?.mrn).toBe('40000001');
    await reopened.close();
  });

  it('fails clearly with a wrong key and leaves the file unchanged', async () => {
    const replica = await openReplica({ directory: directory.path, name: 'replica', key: KEY });
    await replica.records.bulkInsert(PATIENTS.map(patientDocument));
    await replica.close();
    const before = digest(file);

    await expect(openReplica({ directory: directory.path, name: 'replica', key: WRONG_KEY })).rejects.toThrow(DatabaseKeyError);
    await expect(openReplica({ directory: directory.path, name: 'replica', key: WRONG_KEY })).rejects.toThrow(/cannot be opened with this workstation's key.*left unchanged/);
    await expect(openReplica({ directory: directory.path, name: 'replica' })).rejects.toThrow(/is encrypted and no key was given/);

    expect(digest(file)).toBe(before);
    const reopened = await openReplica({ directory: directory.path, name: 'replica', key: KEY });
    expect(await reopened.records.count().exec()).toBe(2);
    await reopened.close();
  });

  /** Writes a file as replicas before the AEGIS cipher were written: SQLCipher 4 with `pageSize`. */
  function writeSqlcipherFile(pageSize: number): void {
    const earlier = new Database(file);
    earlier.pragma("cipher = 'sqlcipher'");
    earlier.pragma('legacy = 4');
    earlier.pragma(`legacy_page_size = ${pageSize}`);
    earlier.pragma(`key = "x'${KEY}'"`);
    earlier.pragma(`page_size = ${pageSize}`);
    earlier.prepare('CREATE TABLE notes (text TEXT)').run();
    earlier.prepare('INSERT INTO notes VALUES (?)').run('kept');
    earlier.close();
  }

  /** Tells whether `file` opens with `key` in the given cipher (SQLCipher with `pageSize`), without the connection pool. */
  function opensWith(cipher: 'aegis' | 'sqlcipher', pageSize = 8192): boolean {
    const database = new Database(file, { readonly: true });
    try {
      database.pragma(`cipher = '${cipher}'`);
      if (cipher === 'sqlcipher') {
        database.pragma('legacy = 4');
        database.pragma(`legacy_page_size = ${pageSize}`);
      }
      database.pragma(`key = "x'${KEY}'"`);
      database.prepare('SELECT count(*) FROM sqlite_master').get();
      return true;
    } catch {
      return false;
    } finally {
      database.close();
    }
  }

  it.each([4096, 8192])('opens an earlier SQLCipher replica with %i-byte pages', (pageSize) => {
    writeSqlcipherFile(pageSize);

    const database = acquireConnection(file, KEY);
    try {
      expect(database.prepare('SELECT text FROM notes').pluck().get()).toBe('kept');
      expect(database.pragma('page_size', { simple: true })).toBe(pageSize);
      database.prepare('INSERT INTO notes VALUES (?)').run('added');
    } finally {
      releaseConnection(file);
    }
    expect(opensWith('sqlcipher', pageSize)).toBe(true);
    expect(opensWith('aegis')).toBe(false);
  });

  it('creates a new encrypted replica with the AEGIS cipher and 16 KB pages', () => {
    const database = acquireConnection(file, KEY);
    try {
      expect(database.pragma('page_size', { simple: true })).toBe(16384);
      expect(database.pragma('cipher', { simple: true })).toBe('aegis');
      expect(database.pragma('algorithm', { simple: true })).toBe('aegis-256');
      database.prepare('CREATE TABLE notes (text TEXT)').run();
    } finally {
      releaseConnection(file);
    }
    expect(opensWith('aegis')).toBe(true);
    expect(opensWith('sqlcipher')).toBe(false);
  });

  it('keeps an AEGIS replica at 8 KB pages', () => {
    const earlier = new Database(file);
    earlier.pragma("cipher = 'aegis'");
    earlier.pragma("algorithm = 'aegis-256'");
    earlier.pragma(`key = "x'${KEY}'"`);
    earlier.pragma('page_size = 8192');
    earlier.prepare('CREATE TABLE notes (text TEXT)').run();
    earlier.prepare('INSERT INTO notes VALUES (?)').run('kept');
    earlier.close();

    const database = acquireConnection(file, KEY);
    try {
      expect(database.prepare('SELECT text FROM notes').pluck().get()).toBe('kept');
      expect(database.pragma('page_size', { simple: true })).toBe(8192);
      database.prepare('INSERT INTO notes VALUES (?)').run('added');
    } finally {
      releaseConnection(file);
    }
    expect(opensWith('aegis')).toBe(true);
  });

  it('encrypts a replica written before encryption, keeping its data', async () => {
    const plain = await openReplica({ directory: directory.path, name: 'replica' });
    await plain.records.bulkInsert(PATIENTS.map(patientDocument));
    await plain.close();
    expect(bytesOnDisk(file).includes(Buffer.from('Müller'))).toBe(true);

    const encrypted = await openReplica({ directory: directory.path, name: 'replica', key: KEY });
    expect(await encrypted.records.count().exec()).toBe(2);
    await encrypted.close();

    expect(bytesOnDisk(file).includes(Buffer.from('Müller'))).toBe(false);
    expect(opensWith('aegis')).toBe(true);
  });
});

describe('browser host replica key', () => {
  let directory: ReturnType<typeof makeTempDirectory>;

  beforeEach(() => {
    directory = makeTempDirectory('key-file');
  });

  afterEach(() => directory.remove());

  it('creates a key readable by its owner only for a new replica, and reads it back', () => {
    const key = loadReplicaKey(directory.path, join(directory.path, 'hms-replica.sqlite'), {});

    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(directory.path, KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(loadReplicaKey(directory.path, join(directory.path, 'hms-replica.sqlite'), {})).toBe(key);
  });

  it('takes the key from HMS_REPLICA_KEY and checks its form', () => {
    expect(loadReplicaKey(directory.path, join(directory.path, 'x.sqlite'), { HMS_REPLICA_KEY: KEY })).toBe(KEY);
    expect(() => loadReplicaKey(directory.path, join(directory.path, 'x.sqlite'), { HMS_REPLICA_KEY: 'short' })).toThrow(/64 lower-case hex digits/);
  });

  it('refuses a key file others can read', () => {
    writeFileSync(join(directory.path, KEY_FILE), `${KEY}\n`);
    chmodSync(join(directory.path, KEY_FILE), 0o644);

    expect(() => loadReplicaKey(directory.path, join(directory.path, 'x.sqlite'), {})).toThrow(/readable by other users; .*chmod 600/);
  });

  it('refuses to make a new key for an encrypted replica whose key is missing', async () => {
    const replica = await openReplica({ directory: directory.path, name: 'hms-replica', key: KEY });
    await replica.close();

    expect(() => loadReplicaKey(directory.path, join(directory.path, 'hms-replica.sqlite'), {})).toThrow(/is encrypted, but its key file .* is missing/);
    expect(existsSync(join(directory.path, KEY_FILE))).toBe(false);
  });
});
