import type { Queryable } from './database/index.js';

/** Documents that workstations sent back under one dataset epoch, in total and by workstation. */
export interface DatasetRecoveries {
  epoch: string;
  recoveredDocuments: number;
  workstations: { workstationId: string; documents: number; lastAt: string }[];
}

/** Adds `documents` recovered from `workstationId` under `epoch`. */
export async function recordRecovery(database: Queryable, epoch: string, workstationId: string, documents: number): Promise<void> {
  await database.query(
    `INSERT INTO dataset_recoveries (epoch, workstation_id, documents) VALUES ($1, $2, $3)
     ON CONFLICT (epoch, workstation_id) DO UPDATE SET documents = dataset_recoveries.documents + excluded.documents, last_at = now()`,
    [epoch, workstationId, documents],
  );
}

/** What workstations recovered under `epoch`, largest first. */
export async function listRecoveries(database: Queryable, epoch: string): Promise<DatasetRecoveries> {
  const { rows } = await database.query<{ workstation_id: string; documents: number; last_at: Date | string }>(
    'SELECT workstation_id, documents, last_at FROM dataset_recoveries WHERE epoch = $1 ORDER BY documents DESC, workstation_id',
    [epoch],
  );
  const workstations = rows.map((row) => ({ workstationId: row.workstation_id, documents: row.documents, lastAt: new Date(row.last_at).toISOString() }));
  return { epoch, recoveredDocuments: workstations.reduce((sum, row) => sum + row.documents, 0), workstations };
}
