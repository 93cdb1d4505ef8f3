import { normalizeForSearch } from '../protocol/documents.js';
import type { PatientSearchResponse, WireDocument } from '../protocol/wire.js';
import type { Queryable } from './database/index.js';
import { findPlacements } from './patient-placement.js';

export const MAX_SEARCH_RESULTS = 50;
export const MIN_SEARCH_LENGTH = 2;
export const MAX_SEARCH_LENGTH = 100;

/**
 * Finds patients of every ward whose hospital MRN equals `text`, or whose `nameNorm` contains every
 * word of the normalized `text` in any order ("mull anna" finds "Anna Müller"). Exact MRN matches
 * come first, then names in `nameNorm` order; at most MAX_SEARCH_RESULTS. Each result carries the
 * ward and bed of the patient's active Encounter, or nulls.
 */
export async function searchPatients(database: Queryable, text: string): Promise<PatientSearchResponse['results']> {
  const mrn = text.trim();
  const words = normalizeForSearch(text).split(' ').filter(Boolean);

  // strpos rather than LIKE, so that % and _ in the search text match themselves.
  const { rows } = await database.query<{ document: WireDocument }>(
    `SELECT document FROM documents
     WHERE collection = 'records' AND resource_type = 'Patient' AND NOT deleted
       AND (document->>'mrn' = $1
         OR (cardinality($2::text[]) > 0
           AND NOT EXISTS (SELECT 1 FROM unnest($2::text[]) AS word WHERE strpos(document->>'nameNorm', word) = 0)))
     ORDER BY document->>'mrn' = $1 DESC, document->>'nameNorm' COLLATE "C", id
     LIMIT $3`,
    [mrn, words, MAX_SEARCH_RESULTS],
  );

  const patientIds = rows.map((row) => row.document.resource.id as string);
  const placements = await findPlacements(database, patientIds);
  return rows.map((row) => {
    const placement = placements.get(row.document.resource.id as string);
    return { patient: row.document, wardId: placement?.wardId ?? null, wardName: placement?.wardName ?? null, bed: placement?.bedLabel ?? null };
  });
}
