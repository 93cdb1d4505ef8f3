import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';

import type { DatabaseKey } from '../../../sync/replica/sqlite/connection-pool.js';

/** File header of an encrypted instance: the format's name and version. */
const ENCRYPTED_MAGIC = Buffer.from('HMSDCM1\0', 'latin1');
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = ENCRYPTED_MAGIC.length + NONCE_BYTES;

/** Bytes of an instance, whole or as chunks from the network. */
export type InstanceSource = Uint8Array | AsyncIterable<Uint8Array>;

/**
 * The instance files of the study cache, one file per SOP instance under `studies/<StudyInstanceUID>/`.
 *
 * - A file appears only complete. It is written to `incoming/`, synced, then renamed into place,
 *   and the folder entry is synced too. A crash or a failed download leaves at most a stray file
 *   in `incoming/`, which `removeIncoming` deletes at start-up.
 * - With the replica's key, each file is AES-256-GCM encrypted under a key derived from it (HKDF),
 *   so instances at rest are as protected as the replica. A changed or truncated file fails the
 *   GCM tag check when read. Without a key, files are plain DICOM Part 10, like the replica is
 *   plain then.
 */
export class InstanceFiles {
  readonly #root: string;
  readonly #key: Buffer | undefined;

  constructor(root: string, replicaKey?: DatabaseKey) {
    this.#root = root;
    this.#key = replicaKey ? Buffer.from(hkdfSync('sha256', Buffer.from(replicaKey, 'hex'), Buffer.alloc(0), 'hms-imaging-cache-v1', 32)) : undefined;
  }

  get incomingFolder(): string {
    return join(this.#root, 'incoming');
  }

  get studiesFolder(): string {
    return join(this.#root, 'studies');
  }

  /** The file name relative to the cache root; UIDs were validated, so it cannot leave the root. */
  static relativePath(studyInstanceUid: string, sopInstanceUid: string): string {
    return join('studies', studyInstanceUid, `${sopInstanceUid}.instance`);
  }

  async prepare(): Promise<void> {
    await mkdir(this.incomingFolder, { recursive: true, mode: 0o700 });
    await mkdir(this.studiesFolder, { recursive: true, mode: 0o700 });
  }

  /** Deletes what interrupted writes left in `incoming/`; returns how many files. */
  async removeIncoming(): Promise<number> {
    const names = await readdir(this.incomingFolder);
    await Promise.all(names.map((name) => rm(join(this.incomingFolder, name), { force: true })));
    return names.length;
  }

  /**
   * Writes `source` to a new file in `incoming/` and syncs it. Returns the file and its size on
   * disk. On any failure the file is deleted and the error is passed on.
   */
  async writeIncoming(source: InstanceSource): Promise<{ incomingPath: string; bytes: number }> {
    const incomingPath = join(this.incomingFolder, `${randomUUID()}.part`);
    const handle = await open(incomingPath, 'wx', 0o600);
    try {
      let bytes = 0;
      const write = async (chunk: Uint8Array) => {
        if (chunk.byteLength === 0) return;
        await handle.write(chunk);
        bytes += chunk.byteLength;
      };
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = this.#key ? createCipheriv('aes-256-gcm', this.#key, nonce) : undefined;
      if (cipher) await write(Buffer.concat([ENCRYPTED_MAGIC, nonce]));
      for await (const chunk of chunks(source)) await write(cipher ? cipher.update(chunk) : chunk);
      if (cipher) {
        await write(cipher.final());
        await write(cipher.getAuthTag());
      }
      await handle.sync();
      await handle.close();
      return { incomingPath, bytes };
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(incomingPath, { force: true });
      throw error;
    }
  }

  /** Renames a synced incoming file into place and syncs the study folder, so the new name survives a crash. */
  async commit(incomingPath: string, relativePath: string): Promise<void> {
    const target = join(this.#root, relativePath);
    const folder = join(target, '..');
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await rename(incomingPath, target);
    const directory = await open(folder, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  }

  async discard(incomingPath: string): Promise<void> {
    await rm(incomingPath, { force: true });
  }

  /** Reads and, with a key, decrypts and authenticates one instance; undefined when the file is gone. */
  async read(relativePath: string): Promise<Uint8Array | undefined> {
    let stored: Buffer;
    try {
      stored = await readFile(join(this.#root, relativePath));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    if (!this.#key) return stored;
    if (stored.length < HEADER_BYTES + TAG_BYTES || !stored.subarray(0, ENCRYPTED_MAGIC.length).equals(ENCRYPTED_MAGIC)) {
      throw new Error(`Cached instance file ${relativePath} is not an encrypted instance; it was damaged or written without the replica key`);
    }
    const decipher = createDecipheriv('aes-256-gcm', this.#key, stored.subarray(ENCRYPTED_MAGIC.length, HEADER_BYTES));
    decipher.setAuthTag(stored.subarray(stored.length - TAG_BYTES));
    return Buffer.concat([decipher.update(stored.subarray(HEADER_BYTES, stored.length - TAG_BYTES)), decipher.final()]);
  }

  async remove(relativePath: string): Promise<void> {
    try {
      await unlink(join(this.#root, relativePath));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  async removeStudyFolder(studyInstanceUid: string): Promise<void> {
    await rm(join(this.studiesFolder, studyInstanceUid), { recursive: true, force: true });
  }

  /** Lists every instance file as a relative path, to find files the index does not know. */
  async listInstanceFiles(): Promise<string[]> {
    const studies = await readdir(this.studiesFolder);
    const files: string[] = [];
    for (const study of studies) {
      const names = await readdir(join(this.studiesFolder, study)).catch(() => [] as string[]);
      for (const name of names) files.push(join('studies', study, name));
    }
    return files;
  }
}

async function* chunks(source: InstanceSource): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source;
    return;
  }
  yield* source;
}
