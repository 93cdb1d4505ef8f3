import type { AnalyzerProfile, ResultStatusMapping } from './schema.js';

/**
 * ASTM E1394 (LIS2-A2) result status codes of field R-9. W ("warning: validity questionable")
 * is kept as preliminary and held for review.
 */
export const astmResultStatusDefaults: Readonly<Record<string, ResultStatusMapping>> = {
  F: { status: 'final', review: false },
  V: { status: 'final', review: false },
  R: { status: 'final', review: false },
  P: { status: 'preliminary', review: false },
  S: { status: 'preliminary', review: false },
  W: { status: 'preliminary', review: true },
  C: { status: 'corrected', review: false },
  I: { status: 'registered', review: false },
  X: { status: 'cancelled', review: false },
};

/** HL7 v2 observation result status codes of OBX-11 (table 0085). */
export const hl7ResultStatusDefaults: Readonly<Record<string, ResultStatusMapping>> = {
  F: { status: 'final', review: false },
  U: { status: 'final', review: false },
  C: { status: 'corrected', review: false },
  P: { status: 'preliminary', review: false },
  R: { status: 'preliminary', review: false },
  S: { status: 'preliminary', review: false },
  I: { status: 'registered', review: false },
  X: { status: 'cancelled', review: false },
  D: { status: 'entered-in-error', review: true },
  W: { status: 'entered-in-error', review: true },
};

/**
 * Returns the FHIR status for an analyzer's result status code: the profile's own mapping first,
 * then the protocol's defaults. A code in neither maps to `unknown` and is held for review,
 * so an analyzer's private status never passes as final.
 */
export function resolveResultStatus(profile: Pick<AnalyzerProfile, 'protocol' | 'resultStatus'>, code: string): ResultStatusMapping {
  const trimmed = code.trim();
  const defaults = profile.protocol.name === 'astm-e1381' ? astmResultStatusDefaults : hl7ResultStatusDefaults;
  return profile.resultStatus[trimmed] ?? defaults[trimmed] ?? { status: 'unknown', review: true };
}
