import type { WardPatientRow } from '../../../preload/api/index.js';

/** The newest set of observations of a ward row, when the row must show it beside the NEWS2. */
export interface NewerIncompleteSet {
  effectiveDateTime: string;
  /** True when one parameter of the set scores 3, which calls for an urgent review even without a total. */
  singleParameterThree: boolean;
}

/**
 * Returns the row's newest set when it is incomplete and not older than the row's NEWS2 (or the row
 * has no NEWS2), and otherwise null. An incomplete set has no NEWS2 total. Without this marker the
 * row would show only the older total, so a patient whose newest set scores 3 in one parameter
 * could look stable. A time that cannot be read counts as newer, because hiding a newer set is the
 * worse mistake.
 */
export function newerIncompleteSet(row: Pick<WardPatientRow, 'latestNews2' | 'latestVitals'>): NewerIncompleteSet | null {
  const newest = row.latestVitals;
  if (newest === null || newest.complete) return null;

  const news2 = row.latestNews2;
  if (news2 !== null && Date.parse(newest.effectiveDateTime) < Date.parse(news2.effectiveDateTime)) return null;
  return { effectiveDateTime: newest.effectiveDateTime, singleParameterThree: newest.singleParameterThree };
}
