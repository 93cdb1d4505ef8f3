import type { DatabaseKey, SqliteDatabase } from '../../../sync/replica/sqlite/connection-pool.js';
import { acquireConnection, releaseConnection } from '../../../sync/replica/sqlite/connection-pool.js';

/** A cached study as the index records it. */
export interface CachedStudy {
  studyInstanceUid: string;
  /** DICOM PatientID of the study, to pin the studies of the ward's patients. */
  patientId: string;
  /** StudyDate as DICOM DA, `YYYYMMDD`, when the PACS sent one. */
  studyDate: string | undefined;
  instanceCount: number;
  /** Bytes of its instance files on disk. */
  bytes: number;
  /** Order of the last read or write: higher is more recent. */
  lastAccess: number;
}

export interface CachedInstance {
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  /** File of the instance relative to the cache folder. */
  relativePath: string;
  bytes: number;
}

export interface NewInstance extends CachedInstance {
  patientId: string;
  studyDate: string | undefined;
  storedAt: string;
}

interface StudyRow {
  study_uid: string;
  patient_id: string;
  study_date: string | null;
  instance_count: number;
  bytes: number;
  last_access: number;
}

interface InstanceRow {
  sop_uid: string;
  study_uid: string;
  series_uid: string;
  relative_path: string;
  bytes: number;
}

const STUDY_COLUMNS = `s.study_uid, s.patient_id, s.study_date, s.last_access,
  (SELECT COUNT(*) FROM hms_imaging_instance i WHERE i.study_uid = s.study_uid) AS instance_count,
  (SELECT COALESCE(SUM(i.bytes), 0) FROM hms_imaging_instance i WHERE i.study_uid = s.study_uid) AS bytes`;

function toStudy(row: StudyRow): CachedStudy {
  return {
    studyInstanceUid: row.study_uid,
    patientId: row.patient_id,
    studyDate: row.study_date ?? undefined,
    instanceCount: row.instance_count,
    bytes: row.bytes,
    lastAccess: row.last_access,
  };
}

function toInstance(row: InstanceRow): CachedInstance {
  return { sopInstanceUid: row.sop_uid, studyInstanceUid: row.study_uid, seriesInstanceUid: row.series_uid, relativePath: row.relative_path, bytes: row.bytes };
}

/**
 * The study cache's index, in the replica's SQLite file like the lab archive, so it is encrypted
 * with the replica and a PatientID never sits in a plain file. An instance is in the cache when
 * its row is here; a file without a row is a leftover that start-up deletes.
 */
export class CacheIndex {
  readonly #filePath: string;
  readonly #database: SqliteDatabase;

  constructor(filePath: string, key?: DatabaseKey) {
    this.#filePath = filePath;
    this.#database = acquireConnection(filePath, key);
    this.#database.transaction(() => {
      this.#database
        .prepare(
          'CREATE TABLE IF NOT EXISTS hms_imaging_study (study_uid TEXT PRIMARY KEY NOT NULL, patient_id TEXT NOT NULL, study_date TEXT, last_access INTEGER NOT NULL, last_access_at TEXT NOT NULL)',
        )
        .run();
      this.#database
        .prepare(
          'CREATE TABLE IF NOT EXISTS hms_imaging_instance (sop_uid TEXT PRIMARY KEY NOT NULL, study_uid TEXT NOT NULL REFERENCES hms_imaging_study (study_uid) ON DELETE CASCADE, series_uid TEXT NOT NULL, relative_path TEXT NOT NULL, bytes INTEGER NOT NULL, stored_at TEXT NOT NULL)',
        )
        .run();
      this.#database.prepare('CREATE INDEX IF NOT EXISTS hms_imaging_instance_study ON hms_imaging_instance (study_uid)').run();
      this.#database.prepare('CREATE INDEX IF NOT EXISTS hms_imaging_study_access ON hms_imaging_study (last_access)').run();
    })();
  }

  totalBytes(): number {
    return this.#database.prepare('SELECT COALESCE(SUM(bytes), 0) FROM hms_imaging_instance').pluck().get() as number;
  }

  instance(sopInstanceUid: string): CachedInstance | undefined {
    const row = this.#database.prepare('SELECT sop_uid, study_uid, series_uid, relative_path, bytes FROM hms_imaging_instance WHERE sop_uid = ?').get(sopInstanceUid) as InstanceRow | undefined;
    return row ? toInstance(row) : undefined;
  }

  instancesOfStudy(studyInstanceUid: string): CachedInstance[] {
    const rows = this.#database
      .prepare('SELECT sop_uid, study_uid, series_uid, relative_path, bytes FROM hms_imaging_instance WHERE study_uid = ? ORDER BY series_uid, sop_uid')
      .all(studyInstanceUid) as InstanceRow[];
    return rows.map(toInstance);
  }

  study(studyInstanceUid: string): CachedStudy | undefined {
    const row = this.#database.prepare(`SELECT ${STUDY_COLUMNS} FROM hms_imaging_study s WHERE s.study_uid = ?`).get(studyInstanceUid) as StudyRow | undefined;
    return row ? toStudy(row) : undefined;
  }

  /** Lists every cached study, least recently used first. */
  studiesByAccess(): CachedStudy[] {
    const rows = this.#database.prepare(`SELECT ${STUDY_COLUMNS} FROM hms_imaging_study s ORDER BY s.last_access, s.study_uid`).all() as StudyRow[];
    return rows.map(toStudy);
  }

  /** Records a stored instance and marks its study as the most recently used, in one transaction. */
  addInstance(instance: NewInstance): void {
    this.#database.transaction(() => {
      const access = this.#nextAccess();
      this.#database
        .prepare(
          `INSERT INTO hms_imaging_study (study_uid, patient_id, study_date, last_access, last_access_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (study_uid) DO UPDATE SET last_access = excluded.last_access, last_access_at = excluded.last_access_at,
             study_date = COALESCE(excluded.study_date, hms_imaging_study.study_date)`,
        )
        .run(instance.studyInstanceUid, instance.patientId, instance.studyDate ?? null, access, instance.storedAt);
      this.#database
        .prepare('INSERT OR REPLACE INTO hms_imaging_instance (sop_uid, study_uid, series_uid, relative_path, bytes, stored_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(instance.sopInstanceUid, instance.studyInstanceUid, instance.seriesInstanceUid, instance.relativePath, instance.bytes, instance.storedAt);
    })();
  }

  /** Marks a study as the most recently used. */
  touch(studyInstanceUid: string, at: string): void {
    this.#database.transaction(() => {
      this.#database.prepare('UPDATE hms_imaging_study SET last_access = ?, last_access_at = ? WHERE study_uid = ?').run(this.#nextAccess(), at, studyInstanceUid);
    })();
  }

  /** Deletes a study and its instance rows; returns the rows deleted, whose files the caller deletes. */
  removeStudy(studyInstanceUid: string): CachedInstance[] {
    return this.#database.transaction(() => {
      const instances = this.instancesOfStudy(studyInstanceUid);
      this.#database.prepare('DELETE FROM hms_imaging_instance WHERE study_uid = ?').run(studyInstanceUid);
      this.#database.prepare('DELETE FROM hms_imaging_study WHERE study_uid = ?').run(studyInstanceUid);
      return instances;
    })();
  }

  /** Deletes the rows of instances whose files are gone; returns how many. */
  removeInstances(sopInstanceUids: readonly string[]): number {
    return this.#database.transaction(() => {
      let removed = 0;
      for (const uid of sopInstanceUids) removed += this.#database.prepare('DELETE FROM hms_imaging_instance WHERE sop_uid = ?').run(uid).changes;
      this.#database.prepare('DELETE FROM hms_imaging_study WHERE study_uid NOT IN (SELECT study_uid FROM hms_imaging_instance)').run();
      return removed;
    })();
  }

  allInstances(): CachedInstance[] {
    const rows = this.#database.prepare('SELECT sop_uid, study_uid, series_uid, relative_path, bytes FROM hms_imaging_instance').all() as InstanceRow[];
    return rows.map(toInstance);
  }

  close(): void {
    releaseConnection(this.#filePath);
  }

  /** An access order higher than any recorded; a counter, so two accesses in one millisecond still have an order. */
  #nextAccess(): number {
    return this.#database.prepare('SELECT COALESCE(MAX(last_access), 0) + 1 FROM hms_imaging_study').pluck().get() as number;
  }
}
