import { createHash } from 'node:crypto';

/**
 * Ids are derived, never random, so that a message stored twice (an analyzer resending it, a
 * replay after a crash) produces the same ids and the replica keeps one copy. 32 hexadecimal
 * digits of SHA-256 keep ids well under FHIR's limit of 64 characters.
 */
const HASH_DIGITS = 32;

/** SHA-256 of the raw message, in hexadecimal. */
export function hashMessage(raw: Uint8Array): string {
  return createHash('sha256').update(raw).digest('hex');
}

/** Observation id of the result at `position` of message `part` of the raw message. */
export function observationId(messageHash: string, part: number, position: number): string {
  return `lab-${messageHash.slice(0, HASH_DIGITS)}-${part}-r${position}`;
}

/** DiagnosticReport id of result group `index` of message `part` of the raw message. */
export function diagnosticReportId(messageHash: string, part: number, index: number): string {
  return `lab-${messageHash.slice(0, HASH_DIGITS)}-${part}-g${index}`;
}
