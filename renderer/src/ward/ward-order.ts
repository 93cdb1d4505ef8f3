import type { WardPatientRow } from '../../../preload/api/index.js';

const bedCollator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Sorts rows by bed in natural order ("2" before "10", "A2" before "A10"); patients without a bed come last. */
export function sortByBed(rows: readonly WardPatientRow[]): WardPatientRow[] {
  return [...rows].sort((a, b) => {
    if (a.bed === null || b.bed === null) {
      if (a.bed === b.bed) return bedCollator.compare(a.name, b.name);
      return a.bed === null ? 1 : -1;
    }
    return bedCollator.compare(a.bed, b.bed);
  });
}
