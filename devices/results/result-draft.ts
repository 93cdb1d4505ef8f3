import type { AnalyzerProfile, ResultStatusMapping, TestCodeMatch } from '../profiles/index.js';
import { matchTestCode, resolveResultStatus, testCodeKey } from '../profiles/index.js';
import type { MappingContext } from './context.js';
import { observationId } from './ids.js';
import { readInterpretation } from './interpretation.js';
import { readReferenceRange } from './reference-range.js';
import { readTimestamp } from './timestamp.js';
import type { LabProtocol, LabResultDraft, ResultValue, ReviewReason } from './types.js';
import { convertRange, convertValue, resolveUnit } from './units.js';

/** A timestamp field and its text, in the order the mapping tries them. */
export interface TimeCandidate {
  /** The field's name, such as `R.13` or `OBX-14`. */
  readonly field: string;
  readonly text: string;
}

/** One result as read from an ASTM R record or HL7 OBX segment, before the profile is applied. */
export interface SentResult {
  readonly position: number;
  readonly location: string;
  readonly accession?: string;
  /** The components of the test id field (ASTM R.3, HL7 OBX-3), decoded. */
  readonly testComponents: readonly string[];
  /** The test's name as the analyzer sent it, '' when it sent none. */
  readonly testDisplay: string;
  /** The value as read by the protocol, in the sent unit. */
  readonly value: ResultValue;
  readonly sentValue: string;
  /** The reason the protocol could not read the value, such as an NM value that is not a number. */
  readonly valueProblem?: string;
  readonly unit: string;
  readonly referenceRange: string;
  readonly flags: readonly string[];
  readonly status: string;
  readonly times: readonly TimeCandidate[];
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}

/** Default test code positions when no profile is given: E1394 puts the local code in R.3's fourth component, HL7 in OBX-3.1. */
const DEFAULT_POSITIONS: Record<LabProtocol, readonly number[]> = { astm: [4], hl7: [1] };

/** Result status defaults of the protocol, for messages mapped without a profile. */
const PROTOCOL_ONLY: Record<LabProtocol, Pick<AnalyzerProfile, 'protocol' | 'resultStatus'>> = {
  astm: { protocol: { name: 'astm-e1381', acceptOversizedFrames: true, testCodeComponents: [4], accession: { field: 'O.3', component: 1 }, encoding: 'latin1' }, resultStatus: {} },
  hl7: { protocol: { name: 'hl7-mllp', version: '2.5.1', testCodeComponents: [1] }, resultStatus: {} },
};

/** Applies the profile to one sent result: test mapping, unit, flags, status, time and review reasons. */
export function draftResult(sent: SentResult, protocol: LabProtocol, context: MappingContext, messageHash: string): LabResultDraft {
  const profile = context.profile;
  const key = testCodeKey(sent.testComponents, profile?.protocol.testCodeComponents ?? DEFAULT_POSITIONS[protocol]);
  const match: TestCodeMatch = profile ? matchTestCode(profile, key) : { kind: 'unmapped', key };
  const mapping = match.kind === 'mapped' ? match.mapping : undefined;

  const resolution = resolveUnit(sent.unit, mapping, sent.value);
  const status = resolveResultStatus(profile ?? PROTOCOL_ONLY[protocol], sent.status);
  const interpretation = readInterpretation(sent.flags, context.criticalFlags);
  const warnings = [...sent.warnings];
  const effectiveDateTime = readEffectiveTime(sent.times, context.timeZone, warnings);
  const referenceRange = convertRange(readReferenceRange(sent.referenceRange), resolution.unit);

  const review: ReviewReason[] = [];
  if (match.kind !== 'ignored') {
    if (sent.accession === undefined) {
      review.push({ code: 'no-accession', message: `${sent.location} names no specimen accession: match it to a specimen by hand` });
    }
    if (match.kind === 'unmapped') {
      const why = profile ? `profile "${profile.id}" does not map test code ${JSON.stringify(key)}` : 'no analyzer profile was used';
      review.push({ code: 'unmapped-test', message: `${sent.location}: ${why}, so the result has no LOINC code`, key });
    }
    if (resolution.mismatch) review.push(resolution.mismatch);
    const valueProblem = sent.valueProblem ?? quantitativeProblem(sent.value, mapping?.unit);
    if (valueProblem) review.push({ code: 'unparseable-value', message: `${sent.location}: ${valueProblem}; kept as text` });
    review.push(...flagReasons(interpretation));
    if (status.review) review.push(statusReason(sent.status, status));
  }

  return {
    id: observationId(messageHash, context.part ?? 0, sent.position),
    position: sent.position,
    location: sent.location,
    ...(sent.accession === undefined ? {} : { accession: sent.accession }),
    testCode: { key, display: sent.testDisplay },
    match,
    value: convertValue(sent.value, resolution.unit),
    sentValue: sent.sentValue,
    unit: resolution.unit,
    ...(referenceRange === undefined ? {} : { referenceRange }),
    interpretation,
    status: { sent: sent.status, fhir: status.status },
    ...(effectiveDateTime === undefined ? {} : { effectiveDateTime }),
    notes: sent.notes,
    review,
    warnings,
  };
}

/** Returns the first candidate that reads as a timestamp; unreadable ones add a warning. */
export function readEffectiveTime(candidates: readonly TimeCandidate[], timeZone: string, warnings: string[]): string | undefined {
  for (const candidate of candidates) {
    if (candidate.text.trim() === '') continue;
    const reading = readTimestamp(candidate.text, timeZone);
    if (reading.ok) return reading.dateTime;
    warnings.push(`${candidate.field} ${JSON.stringify(candidate.text)} ${reading.reason}; ignored`);
  }
  return undefined;
}

/** Returns the problem with a text value for a test the profile gives a unit (a quantitative test), or undefined. */
function quantitativeProblem(value: ResultValue, unit: string | undefined): string | undefined {
  if (unit === undefined || value.kind !== 'text') return undefined;
  return `the test is quantitative (unit ${JSON.stringify(unit)}) but the value is not a number`;
}

function flagReasons(interpretation: ReturnType<typeof readInterpretation>): ReviewReason[] {
  const reasons: ReviewReason[] = [];
  const critical = interpretation.filter((flag) => flag.critical).map((flag) => flag.sent);
  const unknown = interpretation.filter((flag) => flag.code === undefined).map((flag) => flag.sent);

  if (critical.length > 0) {
    reasons.push({ code: 'critical-flag', message: `Critical flag ${critical.join(', ')}: a person must see this result before it is released`, flags: critical });
  }
  if (unknown.length > 0) {
    reasons.push({ code: 'unknown-flag', message: `Flag ${unknown.map((flag) => JSON.stringify(flag)).join(', ')} is not an HL7 interpretation code; kept as sent`, flags: unknown });
  }
  return reasons;
}

function statusReason(sent: string, status: ResultStatusMapping): ReviewReason {
  const what = sent.trim() === '' ? 'No result status was sent' : `Result status ${JSON.stringify(sent)} (${status.status})`;
  return { code: 'status-needs-review', message: `${what}: results with this status are held for review`, status: sent };
}
