import type { DatabaseKey, SqliteDatabase } from '../../../sync/replica/sqlite/connection-pool.js';
import { acquireConnection, releaseConnection } from '../../../sync/replica/sqlite/connection-pool.js';

/**
 * The number of instances the PACS last reported for each study, kept in the replica's SQLite file
 * beside the cache index. With it, a study listed from the cache while the PACS is unreachable can
 * still be marked as completely or partly cached.
 */
export class StudyExtents {
  readonly #filePath: string;
  readonly #database: SqliteDatabase;

  constructor(filePath: string, key?: DatabaseKey) {
    this.#filePath = filePath;
    this.#database = acquireConnection(filePath, key);
    this.#database
      .prepare('CREATE TABLE IF NOT EXISTS hms_imaging_study_extent (study_uid TEXT PRIMARY KEY NOT NULL, instance_count INTEGER NOT NULL, recorded_at TEXT NOT NULL)')
      .run();
  }

  record(studyInstanceUid: string, instanceCount: number, at: Date): void {
    this.#database
      .prepare(
        `INSERT INTO hms_imaging_study_extent (study_uid, instance_count, recorded_at) VALUES (?, ?, ?)
         ON CONFLICT (study_uid) DO UPDATE SET instance_count = excluded.instance_count, recorded_at = excluded.recorded_at`,
      )
      .run(studyInstanceUid, instanceCount, at.toISOString());
  }

  instanceCount(studyInstanceUid: string): number | undefined {
    const value = this.#database.prepare('SELECT instance_count FROM hms_imaging_study_extent WHERE study_uid = ?').pluck().get(studyInstanceUid) as number | undefined;
    return value ?? undefined;
  }

  close(): void {
    releaseConnection(this.#filePath);
  }
}
