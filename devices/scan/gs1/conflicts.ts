import type { ScanError } from '../errors.js';
import { scanError } from '../errors.js';
import type { Gs1Element } from './element.js';

/**
 * Finds an AI given twice with different values. GS1 allows a repeated AI only with the same value,
 * and two expiry dates or two lots on one pack leave the medication check without one value to compare.
 */
export function findConflictingAi(elements: readonly Gs1Element[]): ScanError | null {
  const firstByAi = new Map<string, Gs1Element>();
  for (const element of elements) {
    const first = firstByAi.get(element.ai);
    if (!first) {
      firstByAi.set(element.ai, element);
      continue;
    }
    if (first.raw !== element.raw) {
      const message = `AI (${element.ai}) ${element.title} appears twice with different values, ${JSON.stringify(first.raw)} and ${JSON.stringify(element.raw)}: the label is invalid, so do not use the item until pharmacy has checked it`;
      return scanError('conflicting-ai', element.position, message, { ai: element.ai, value: element.raw, expected: first.raw, found: element.raw });
    }
  }
  return null;
}
