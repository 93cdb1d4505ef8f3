import type { InterpretationFlag } from './types.js';

/** FHIR R4 binds Observation.interpretation to this code system. */
export const OBSERVATION_INTERPRETATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';

/**
 * HL7 v3 ObservationInterpretation codes with their display names. The codes of HL7 v2 table
 * 0078 (OBX-8) and of the ASTM E1394 abnormal flags (R.7: L, H, LL, HH, <, >, N, A, U, D, B, W)
 * are the same codes, so a flag is looked up as sent.
 */
const INTERPRETATION_CODES: Readonly<Record<string, string>> = {
  L: 'Low',
  H: 'High',
  LL: 'Critical low',
  HH: 'Critical high',
  LU: 'Significantly low',
  HU: 'Significantly high',
  '<': 'Off scale low',
  '>': 'Off scale high',
  N: 'Normal',
  A: 'Abnormal',
  AA: 'Critical abnormal',
  U: 'Significant change up',
  D: 'Significant change down',
  B: 'Better',
  W: 'Worse',
  R: 'Resistant',
  S: 'Susceptible',
  I: 'Intermediate',
  MS: 'moderately susceptible',
  VS: 'very susceptible',
  NS: 'Non-susceptible',
  SDD: 'Susceptible-dose dependent',
  'SYN-R': 'Synergy - resistant',
  'SYN-S': 'Synergy - susceptible',
  NCL: 'No CLSI defined breakpoint',
  POS: 'Positive',
  NEG: 'Negative',
  IND: 'Indeterminate',
  DET: 'Detected',
  ND: 'Not detected',
  E: 'Equivocal',
  RR: 'Reactive',
  WR: 'Weakly reactive',
  NR: 'Non-reactive',
  AC: 'Anti-complementary substances present',
  QCF: 'Quality control failure',
  TOX: 'Cytotoxic substance present',
  IE: 'Insufficient evidence',
  EX: 'outside threshold',
  HX: 'above high threshold',
  LX: 'below low threshold',
  HM: 'Hold for Medical Review',
  CAR: 'Carrier',
  EXP: 'Expected',
  UNE: 'Unexpected',
};

/** HL7 v2.5 and earlier wrote "H>" and "L<" for what later versions and v3 call HU and LU. */
const ALIASES: Readonly<Record<string, string>> = { 'H>': 'HU', 'L<': 'LU' };

/** Flags that always hold a result for review as critical. */
export const CRITICAL_FLAGS: readonly string[] = ['LL', 'HH', 'AA'];

/**
 * Normalizes the flags an analyzer sent. Lookup ignores case ("Neg" is NEG); a flag that is not a
 * v3 code keeps only its text. `extraCritical` adds flags, compared as sent and as normalized.
 */
export function readInterpretation(flags: readonly string[], extraCritical: readonly string[] = []): InterpretationFlag[] {
  const critical = new Set([...CRITICAL_FLAGS, ...extraCritical]);

  return flags
    .map((flag) => flag.trim())
    .filter((flag) => flag !== '')
    .map((sent) => {
      const upper = sent.toUpperCase();
      const code = ALIASES[upper] ?? (Object.hasOwn(INTERPRETATION_CODES, upper) ? upper : undefined);
      const isCritical = critical.has(sent) || (code !== undefined && critical.has(code));
      return code === undefined ? { sent, critical: isCritical } : { sent, code, display: INTERPRETATION_CODES[code] as string, critical: isCritical };
    });
}
