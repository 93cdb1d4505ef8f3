import { join } from 'node:path';

import type { DatabaseKey } from '../../../sync/replica/sqlite/connection-pool.js';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { Logger } from '../logging/logger.js';
import type { CachedInstance, CachedStudy } from './cache-index.js';
import { CacheIndex } from './cache-index.js';
import { requireDicomUid } from './dicom-json.js';
import type { InstanceSource } from './instance-files.js';
import { InstanceFiles } from './instance-files.js';

export type { CachedInstance, CachedStudy } from './cache-index.js';

/** The cache folder under the workstation's data folder. */
export const STUDY_CACHE_FOLDER = 'imaging-cache';

/**
 * A read marks its study as used at most this often. Each mark is a synced SQLite commit, and
 * scrolling through a series reads hundreds of instances a minute.
 */
const TOUCH_INTERVAL_MS = 60_000;

/** Identity of an instance as the cache records it, besides its bytes. */
export interface InstanceIdentity {
  patientId: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  /** StudyDate as DICOM DA, `YYYYMMDD`. */
  studyDate?: string | undefined;
}

/**
 * An instance did not fit: making room would have meant evicting a pinned study or the study
 * being written. Nothing was written.
 */
export class StudyCacheFullError extends Error {
  override name = 'StudyCacheFullError';

  constructor(
    message: string,
    readonly neededBytes: number,
    readonly maxBytes: number,
  ) {
    super(message);
  }
}

export interface StudyCacheOptions {
  /** The workstation's data folder; the cache lives in its `imaging-cache/` folder. */
  dataDirectory: string;
  /** The replica's SQLite file, which keeps the cache's index. */
  replicaFile: string;
  /** The replica's key; with it, instance files are encrypted too. */
  replicaKey?: DatabaseKey;
  /** Bound of the instance files on disk, in bytes. */
  maxBytes: number;
  /**
   * PatientIDs of the patients on the workstation's ward. Their studies are pinned: eviction never
   * removes them. Called at each eviction, so the set follows admissions and discharges.
   */
  pinnedPatientIds: () => ReadonlySet<string>;
  logger: Logger;
  clock?: Clock;
}

/** A cached study with whether its patient is on the ward now. */
export interface CachedStudyState extends CachedStudy {
  pinned: boolean;
}

/**
 * The on-disk cache of DICOM instances, so that studies can be viewed when the PACS or the network
 * is down. Its size is bounded: least recently used studies are evicted first, whole, and never
 * a study of a patient on the ward or one being written. Reads return bytes, never file paths.
 */
export class StudyCache {
  readonly #files: InstanceFiles;
  readonly #index: CacheIndex;
  readonly #maxBytes: number;
  readonly #pinnedPatientIds: () => ReadonlySet<string>;
  readonly #log: Logger;
  readonly #clock: Clock;
  /** Studies with a write in progress, kept from eviction until it ends (a count per study). */
  readonly #writing = new Map<string, number>();
  /** When a read last marked each study as used, in clock milliseconds. */
  readonly #touchedAt = new Map<string, number>();
  #closed = false;

  private constructor(options: StudyCacheOptions, files: InstanceFiles, index: CacheIndex) {
    this.#files = files;
    this.#index = index;
    this.#maxBytes = options.maxBytes;
    this.#pinnedPatientIds = options.pinnedPatientIds;
    this.#log = options.logger;
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * Opens the cache and repairs what a crash can leave: deletes interrupted writes, files the index
   * does not know, and index rows whose file is missing. Then evicts down to `maxBytes`, which may
   * have been lowered since the last start.
   */
  static async open(options: StudyCacheOptions): Promise<StudyCache> {
    const files = new InstanceFiles(join(options.dataDirectory, STUDY_CACHE_FOLDER), options.replicaKey);
    await files.prepare();
    const index = new CacheIndex(options.replicaFile, options.replicaKey);
    const cache = new StudyCache(options, files, index);
    try {
      await cache.#repair();
      await cache.#shrinkToBound();
    } catch (error) {
      index.close();
      throw error;
    }
    return cache;
  }

  get maxBytes(): number {
    return this.#maxBytes;
  }

  totalBytes(): number {
    return this.#index.totalBytes();
  }

  has(sopInstanceUid: string): boolean {
    return this.#index.instance(sopInstanceUid) !== undefined;
  }

  /** Lists every cached study, least recently used first. */
  studies(): CachedStudyState[] {
    const pinned = this.#pinnedPatientIds();
    return this.#index.studiesByAccess().map((study) => ({ ...study, pinned: pinned.has(study.patientId) }));
  }

  study(studyInstanceUid: string): CachedStudy | undefined {
    return this.#index.study(studyInstanceUid);
  }

  instancesOfStudy(studyInstanceUid: string): CachedInstance[] {
    return this.#index.instancesOfStudy(studyInstanceUid);
  }

  /**
   * Stores one instance. The bytes go to a synced temporary file first. Then room is made by
   * evicting least recently used studies, and only then does the file get its name and its index
   * row. So a failed download or a crash never leaves a partial instance visible.
   */
  async putInstance(identity: InstanceIdentity, source: InstanceSource): Promise<CachedInstance> {
    this.#ensureOpen();
    const study = requireDicomUid(identity.studyInstanceUid, 'StudyInstanceUID');
    const series = requireDicomUid(identity.seriesInstanceUid, 'SeriesInstanceUID');
    const sop = requireDicomUid(identity.sopInstanceUid, 'SOPInstanceUID');
    this.#writing.set(study, (this.#writing.get(study) ?? 0) + 1);
    try {
      const { incomingPath, bytes } = await this.#files.writeIncoming(source);
      const relativePath = InstanceFiles.relativePath(study, sop);
      try {
        const replaced = this.#index.instance(sop)?.bytes ?? 0;
        await this.#makeRoom(bytes - replaced, study);
        await this.#files.commit(incomingPath, relativePath);
      } catch (error) {
        await this.#files.discard(incomingPath);
        throw error;
      }
      const instance = { sopInstanceUid: sop, studyInstanceUid: study, seriesInstanceUid: series, relativePath, bytes };
      this.#index.addInstance({ ...instance, patientId: identity.patientId, studyDate: identity.studyDate, storedAt: this.#clock.now().toISOString() });
      return instance;
    } finally {
      const remaining = (this.#writing.get(study) ?? 1) - 1;
      if (remaining === 0) this.#writing.delete(study);
      else this.#writing.set(study, remaining);
    }
  }

  /** Reads one instance's DICOM Part 10 bytes and marks its study as used; undefined when not cached. */
  async readInstance(sopInstanceUid: string): Promise<Uint8Array | undefined> {
    this.#ensureOpen();
    const instance = this.#index.instance(sopInstanceUid);
    if (!instance) return undefined;
    const bytes = await this.#files.read(instance.relativePath);
    if (!bytes) {
      // Evicted between the index lookup and the read.
      return undefined;
    }
    this.#touch(instance.studyInstanceUid);
    return bytes;
  }

  /** Removes a study from the cache, pinned or not (for a user's or IT's explicit request). */
  async removeStudy(studyInstanceUid: string): Promise<void> {
    this.#ensureOpen();
    const instances = this.#index.removeStudy(studyInstanceUid);
    this.#touchedAt.delete(studyInstanceUid);
    for (const instance of instances) await this.#files.remove(instance.relativePath);
    await this.#files.removeStudyFolder(requireDicomUid(studyInstanceUid, 'StudyInstanceUID'));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#index.close();
  }

  /**
   * Evicts least recently used studies until `incomingBytes` more fit under the bound. Pinned
   * studies and `protectedStudy` stay. Throws StudyCacheFullError, evicting nothing, when even
   * evicting every other study would not make enough room.
   */
  async #makeRoom(incomingBytes: number, protectedStudy: string | undefined): Promise<void> {
    const total = this.#index.totalBytes();
    if (total + incomingBytes <= this.#maxBytes) return;

    const pinned = this.#pinnedPatientIds();
    const candidates = this.#index
      .studiesByAccess()
      .filter((study) => !pinned.has(study.patientId) && study.studyInstanceUid !== protectedStudy && !this.#writing.has(study.studyInstanceUid));
    const evictable = candidates.reduce((sum, study) => sum + study.bytes, 0);
    if (total - evictable + incomingBytes > this.#maxBytes) {
      throw new StudyCacheFullError(
        `The study cache has no room for ${incomingBytes} more bytes: ${total} of ${this.#maxBytes} bytes are used and only ${evictable} bytes belong to studies that may be evicted (the rest are pinned for ward patients or being written); raise imaging.cache.maxBytes`,
        incomingBytes,
        this.#maxBytes,
      );
    }

    let remaining = total;
    for (const study of candidates) {
      if (remaining + incomingBytes <= this.#maxBytes) break;
      await this.#evict(study);
      remaining -= study.bytes;
    }
  }

  /**
   * Evicts what may be evicted until the cache is within its bound. Pinned studies above a lowered
   * bound stay, because the ward's patients need them, and the cache opens anyway with a warning.
   */
  async #shrinkToBound(): Promise<void> {
    try {
      await this.#makeRoom(0, undefined);
    } catch (error) {
      if (!(error instanceof StudyCacheFullError)) throw error;
      const pinned = this.#pinnedPatientIds();
      for (const study of this.#index.studiesByAccess().filter((entry) => !pinned.has(entry.patientId))) await this.#evict(study);
      this.#log.warn({ totalBytes: this.#index.totalBytes(), maxBytes: this.#maxBytes }, 'the pinned studies of ward patients exceed the study cache bound; raise imaging.cache.maxBytes');
    }
  }

  async #evict(study: CachedStudy): Promise<void> {
    await this.removeStudy(study.studyInstanceUid);
    this.#log.info({ studyInstanceUid: study.studyInstanceUid, bytes: study.bytes, instances: study.instanceCount }, 'evicted the least recently used study from the study cache');
  }

  async #repair(): Promise<void> {
    const interrupted = await this.#files.removeIncoming();
    const indexed = this.#index.allInstances();
    const known = new Set(indexed.map((instance) => instance.relativePath));
    const onDisk = await this.#files.listInstanceFiles();
    const present = new Set(onDisk);

    const strays = onDisk.filter((file) => !known.has(file));
    for (const file of strays) await this.#files.remove(file);
    const missing = indexed.filter((instance) => !present.has(instance.relativePath)).map((instance) => instance.sopInstanceUid);
    const dropped = this.#index.removeInstances(missing);

    if (interrupted + strays.length + dropped > 0) {
      this.#log.warn({ interruptedWrites: interrupted, filesWithoutIndexRow: strays.length, indexRowsWithoutFile: dropped }, 'repaired the study cache after an unclean stop');
    }
  }

  #touch(studyInstanceUid: string): void {
    const now = this.#clock.now();
    const last = this.#touchedAt.get(studyInstanceUid);
    if (last !== undefined && now.getTime() - last < TOUCH_INTERVAL_MS) return;
    this.#touchedAt.set(studyInstanceUid, now.getTime());
    this.#index.touch(studyInstanceUid, now.toISOString());
  }

  #ensureOpen(): void {
    if (this.#closed) throw new Error('The study cache is closed');
  }
}
