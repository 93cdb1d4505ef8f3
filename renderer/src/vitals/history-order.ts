import type { VitalSignsSet } from '../../../preload/api/index.js';

/** Sorts observation sets newest first by the time they were taken (not the time they were saved). */
export function newestFirst(sets: readonly VitalSignsSet[]): VitalSignsSet[] {
  return [...sets].sort((a, b) => Date.parse(b.effectiveDateTime) - Date.parse(a.effectiveDateTime));
}
