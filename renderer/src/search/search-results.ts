import type { PatientSearchResult } from '../../../preload/api/index.js';
import { patientSearchInput } from '../../../preload/api/index.js';
import { formatBorn, formatGender, orNotKnown } from '../format/patient.js';
import { t } from '../i18n/index.js';

/** Minimum length of the trimmed query that `patient.search` accepts, read from the contract's schema. */
export const SEARCH_QUERY_MIN_LENGTH = patientSearchInput.shape.query.minLength ?? 2;

/** Returns the query to send, trimmed, or null while it is too short to search. */
export function searchableQuery(text: string): string | null {
  const query = text.trim();
  return query.length >= SEARCH_QUERY_MIN_LENGTH ? query : null;
}

/** One search result as the results list shows it: every text ready, "Not known" for missing values. */
export interface SearchResultRow {
  patientId: string;
  name: string;
  mrn: string;
  born: string;
  gender: string;
  ward: string;
  bed: string;
  /** False for a patient of another ward, whose chart opens only by breaking the glass. */
  inScope: boolean;
}

/** Maps one result from `patient.search` to the texts of its row. */
export function toSearchResultRow(result: PatientSearchResult): SearchResultRow {
  return {
    patientId: result.patientId,
    name: result.name,
    mrn: orNotKnown(result.mrn),
    born: formatBorn(result),
    gender: formatGender(result.gender),
    ward: orNotKnown(result.wardName),
    bed: result.bed ?? t('ward.noBed'),
    inScope: result.inScope,
  };
}

/**
 * Maps the results of `patient.search` to rows, patients of this ward first. Within each group
 * the core's order is kept.
 */
export function toSearchResultRows(results: readonly PatientSearchResult[]): SearchResultRow[] {
  const inScope = results.filter((result) => result.inScope);
  const otherWards = results.filter((result) => !result.inScope);
  return [...inScope, ...otherWards].map(toSearchResultRow);
}
