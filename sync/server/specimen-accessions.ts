import type { PushRejection } from '../protocol/wire.js';
import type { Queryable } from './database/index.js';

/**
 * Keeps accession numbers unique among live Specimens: an analyzer's result names only the
 * accession, so two tubes with one number would give a result two possible patients.
 */

export interface PushedSpecimen {
  /** Document id, `Specimen/<id>`. */
  id: string;
  accession: string;
}

/**
 * Returns a 400 refusal for each pushed Specimen whose accession number another live Specimen
 * has, on the server or earlier in the same push. The Specimens pushed here are not compared with
 * their own stored versions, so an update that keeps its number passes.
 *
 * Each number is locked with a transaction-level advisory lock before the check, in sorted order so
 * that two pushes cannot deadlock. The check then runs after any concurrent push of the same
 * number has committed, and under READ COMMITTED it sees that push's Specimen.
 */
export async function rejectDuplicateAccessions(transaction: Queryable, specimens: readonly PushedSpecimen[]): Promise<PushRejection[]> {
  if (specimens.length === 0) return [];
  const accessions = [...new Set(specimens.map((specimen) => specimen.accession))].sort();
  for (const accession of accessions) {
    await transaction.query(`SELECT pg_advisory_xact_lock(hashtextextended('specimen-accession:' || $1, 0))`, [accession]);
  }

  const { rows } = await transaction.query<{ id: string; accession: string }>(
    `SELECT id, document->>'accession' AS accession FROM documents
     WHERE collection = 'records' AND resource_type = 'Specimen' AND NOT deleted
       AND document->>'accession' = ANY($1::text[]) AND id <> ALL($2::text[])`,
    [accessions, specimens.map((specimen) => specimen.id)],
  );
  const holderByAccession = new Map(rows.map((row) => [row.accession, row.id]));

  const rejections: PushRejection[] = [];
  for (const specimen of specimens) {
    const holder = holderByAccession.get(specimen.accession);
    if (holder === undefined) {
      holderByAccession.set(specimen.accession, specimen.id);
      continue;
    }
    rejections.push({
      id: specimen.id,
      status: 400,
      reason: `Document ${specimen.id}: the accession number in resource.accessionIdentifier.value already belongs to ${holder}; give each specimen its own number`,
    });
  }
  return rejections;
}
