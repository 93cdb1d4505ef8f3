import type { LabConnection, LabMessageView, LabResultView } from '../../../preload/api/lab-schemas.js';
import type { PlainMessageKey } from '../i18n/index.js';
import { t } from '../i18n/index.js';

/**
 * Words for the lab screens: connection states, message outcomes, interpretation flags, result
 * statuses and review reasons, in terms a lab technician uses rather than the codes the core sends.
 */

const connectionStateKeys: Record<LabConnection['state'], PlainMessageKey> = {
  open: 'lab.connection.state.open',
  opening: 'lab.connection.state.opening',
  reconnecting: 'lab.connection.state.reconnecting',
  failed: 'lab.connection.state.failed',
  closed: 'lab.connection.state.closed',
};

export function describeConnectionState(state: LabConnection['state']): string {
  return t(connectionStateKeys[state]);
}

const outcomeKeys: Record<LabMessageView['outcome'], PlainMessageKey> = {
  received: 'lab.outcome.received',
  stored: 'lab.outcome.stored',
  review: 'lab.outcome.review',
  'no-results': 'lab.outcome.noResults',
  rejected: 'lab.outcome.rejected',
};

export function describeOutcome(outcome: LabMessageView['outcome']): string {
  return t(outcomeKeys[outcome]);
}

export function describeProtocol(protocol: LabMessageView['protocol']): string {
  return protocol === 'astm' ? t('lab.protocol.astm') : t('lab.protocol.hl7');
}

/** How urgent a flag is. A `critical` flag must never be missed. */
export type FlagSeverity = 'normal' | 'abnormal' | 'critical' | 'other';

/**
 * HL7 v3 ObservationInterpretation codes that the lab screens name in words. Codes outside this
 * table are shown as sent.
 */
const flagKeys: Record<string, { key: PlainMessageKey; severity: FlagSeverity }> = {
  N: { key: 'lab.flag.N', severity: 'normal' },
  H: { key: 'lab.flag.H', severity: 'abnormal' },
  L: { key: 'lab.flag.L', severity: 'abnormal' },
  A: { key: 'lab.flag.A', severity: 'abnormal' },
  HU: { key: 'lab.flag.HU', severity: 'abnormal' },
  LU: { key: 'lab.flag.LU', severity: 'abnormal' },
  HH: { key: 'lab.flag.HH', severity: 'critical' },
  LL: { key: 'lab.flag.LL', severity: 'critical' },
  AA: { key: 'lab.flag.AA', severity: 'critical' },
  '<': { key: 'lab.flag.belowScale', severity: 'abnormal' },
  '>': { key: 'lab.flag.aboveScale', severity: 'abnormal' },
  POS: { key: 'lab.flag.POS', severity: 'abnormal' },
  NEG: { key: 'lab.flag.NEG', severity: 'normal' },
};

export interface FlagText {
  code: string;
  text: string;
  severity: FlagSeverity;
}

function describeFlag(code: string): FlagText {
  const known = flagKeys[code];
  if (known === undefined) return { code, text: t('lab.flag.other', { flag: code }), severity: 'other' };
  return { code, text: t(known.key), severity: known.severity };
}

/**
 * Describes the interpretation flags of a result. HH, LL and AA are critical. The core also keeps a
 * result for review when its mapping declares one of its flags critical. The view does not name
 * that flag, so when no flag is HH, LL or AA, every flag other than a normal one is shown as critical.
 */
export function describeFlags(result: Pick<LabResultView, 'interpretation' | 'reviewReasons'>): FlagText[] {
  const flags = result.interpretation.map(describeFlag);
  const heldAsCritical = result.reviewReasons.includes('critical-flag');
  if (!heldAsCritical || flags.some((flag) => flag.severity === 'critical')) return flags;
  return flags.map((flag) => (flag.severity === 'normal' ? flag : { ...flag, severity: 'critical', text: t('lab.flag.declaredCritical', { meaning: flag.text }) }));
}

/** Returns whether a result carries a critical flag, for marking its whole row. */
export function isCriticalResult(result: Pick<LabResultView, 'interpretation' | 'reviewReasons'>): boolean {
  return result.reviewReasons.includes('critical-flag') || describeFlags(result).some((flag) => flag.severity === 'critical');
}

const statusKeys: Record<string, PlainMessageKey> = {
  registered: 'lab.status.registered',
  preliminary: 'lab.status.preliminary',
  final: 'lab.status.final',
  amended: 'lab.status.amended',
  corrected: 'lab.status.corrected',
  cancelled: 'lab.status.cancelled',
  'entered-in-error': 'lab.status.enteredInError',
  unknown: 'lab.status.unknown',
};

/** Names a FHIR Observation.status; a status outside R4's value set is shown as sent. */
export function describeResultStatus(status: string): string {
  const key = statusKeys[status];
  return key === undefined ? status : t(key);
}

const reviewReasonKeys: Record<string, PlainMessageKey> = {
  'unknown-accession': 'lab.reason.unknownAccession',
  'no-accession': 'lab.reason.noAccession',
  'critical-flag': 'lab.reason.criticalFlag',
  'unmapped-test': 'lab.reason.unmappedTest',
  'unknown-flag': 'lab.reason.unknownFlag',
  'status-needs-review': 'lab.reason.statusNeedsReview',
  'unit-mismatch': 'lab.reason.unitMismatch',
  'unparseable-value': 'lab.reason.unparseableValue',
};

/** Explains why results wait for a technician; a reason code this table lacks is named as sent. */
export function describeReviewReason(code: string): string {
  const key = reviewReasonKeys[code];
  return key === undefined ? t('lab.reason.other', { code }) : t(key);
}
