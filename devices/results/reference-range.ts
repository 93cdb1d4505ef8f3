import type { ReferenceRangeDraft } from './types.js';

const NUMBER = '([+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+))';
/** "3.5 to 5.1", "3.5-5.1", "3.5 - 5.1", "-1.0-1.0". */
const BOUNDED = new RegExp(`^${NUMBER}\\s*(?:-|to)\\s*${NUMBER}$`, 'i');
/** "<5", "<= 5": an upper limit only. */
const UPPER_ONLY = new RegExp(`^<=?\\s*${NUMBER}$`);
/** ">2", ">= 2": a lower limit only. */
const LOWER_ONLY = new RegExp(`^>=?\\s*${NUMBER}$`);

/**
 * Reads a reference range as analyzers write it (ASTM R.6, HL7 OBX-7). The limits are filled in
 * for the common forms "3.5 to 5.1", "3.5-5.1", "<5" and ">2"; any other text ("Negative",
 * "<1:32") is kept as text only. Returns undefined for an empty range.
 */
export function readReferenceRange(text: string): ReferenceRangeDraft | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;

  const bounded = BOUNDED.exec(trimmed);
  if (bounded) {
    const low = Number(bounded[1]);
    const high = Number(bounded[2]);
    return low <= high ? { text: trimmed, low, high } : { text: trimmed };
  }
  const upper = UPPER_ONLY.exec(trimmed);
  if (upper) return { text: trimmed, high: Number(upper[1]) };

  const lower = LOWER_ONLY.exec(trimmed);
  if (lower) return { text: trimmed, low: Number(lower[1]) };

  return { text: trimmed };
}
