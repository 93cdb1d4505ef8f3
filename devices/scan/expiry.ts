import { isExpired } from './dates.js';
import type { ScanError } from './errors.js';
import { scanError } from './errors.js';
import type { Gs1Element } from './gs1/element.js';

/** AIs whose date is the last day or moment the product may be used. */
const EXPIRY_AIS = new Set(['17', '7003']);

/** Checks the expiry AIs (17, 7003) against the clock; the first one passed gives the error. */
export function findExpiredElement(elements: readonly Gs1Element[], now: Date): ScanError | null {
  for (const element of elements) {
    if (!EXPIRY_AIS.has(element.ai) || typeof element.value !== 'string') continue;
    if (isExpired(element.value, now)) return expiredError(element.value, element.position, `AI (${element.ai}) ${element.title}`, element.ai);
  }
  return null;
}

export function expiredError(expiry: string, position: number, source: string, ai?: string): ScanError {
  const message = `The product expired ${expiry.length === 10 ? 'on' : 'at'} ${expiry} (${source}): do not use it, and take another pack`;
  return scanError('expired', position, message, { ...(ai ? { ai } : {}), value: expiry });
}
