import type { FhirObservationStatus, TestCodeMatch } from '../profiles/index.js';

/** The protocol a lab message arrived in. */
export type LabProtocol = 'astm' | 'hl7';

/** Comparators that FHIR Quantity.comparator allows. */
export type QuantityComparator = '<' | '<=' | '>=' | '>';

/**
 * A result value as the analyzer meant it. `quantity` values are in the stored unit, after the
 * profile's conversion; `sentValue` on the draft keeps the text as sent.
 */
export type ResultValue =
  | { readonly kind: 'quantity'; readonly value: number; readonly comparator?: QuantityComparator }
  /** A titer or other ratio, such as 1:128 (HL7 SN with separator ":" or "/"). */
  | { readonly kind: 'ratio'; readonly numerator: number; readonly denominator: number; readonly comparator?: QuantityComparator }
  /** A range reported as the value, such as 2-8 cells per high power field (HL7 SN with separator "-"). */
  | { readonly kind: 'range'; readonly low: number; readonly high: number }
  | { readonly kind: 'text'; readonly text: string }
  /** A coded value (HL7 CE, CWE, CNE); `system` is the coding system as sent, such as "SCT". */
  | { readonly kind: 'coded'; readonly code: string; readonly display: string; readonly system: string }
  /** No value: a pending, cancelled or failed test. */
  | { readonly kind: 'empty' };

/** The unit as the analyzer sent it and the UCUM unit the result is stored in. */
export interface ResultUnit {
  /** ASTM R.5 or HL7 OBX-6 (its identifier, else its text), trimmed; '' when none was sent. */
  readonly sent: string;
  /**
   * The UCUM unit the value is stored in: the profile's `unit` when the sent unit is that unit or
   * the profile's `analyzerUnit`. Undefined when the test is unmapped, qualitative, or its unit
   * did not match (then `sent` is kept as the display unit and the result waits for review).
   */
  readonly stored?: string;
  /** The profile's conversion, when it was applied to the value and the reference range. */
  readonly conversion?: { readonly factor: number; readonly offset: number };
}

/** A reference range as sent, with its limits when the text has one of the common forms. */
export interface ReferenceRangeDraft {
  readonly text: string;
  /** In the stored unit, after the profile's conversion. */
  readonly low?: number;
  readonly high?: number;
}

/** One interpretation flag (ASTM R.7, HL7 OBX-8) normalized to HL7 v3 ObservationInterpretation. */
export interface InterpretationFlag {
  /** The flag as sent. */
  readonly sent: string;
  /** The v3 ObservationInterpretation code, or undefined for a flag this table does not know. */
  readonly code?: string;
  readonly display?: string;
  /** LL, HH, AA, and any flag the mapping context declares critical. */
  readonly critical: boolean;
}

/** The reason a result waits in the review queue instead of being released on its own. */
export type ReviewReason =
  /** The result names no specimen accession, so it cannot be matched to a Specimen. */
  | { readonly code: 'no-accession'; readonly message: string }
  /** The profile does not map the test code, or no profile was used. */
  | { readonly code: 'unmapped-test'; readonly message: string; readonly key: string }
  /** A critical flag: LL, HH, AA or one the mapping context declares. */
  | { readonly code: 'critical-flag'; readonly message: string; readonly flags: readonly string[] }
  /** A flag that is not an HL7 v3 ObservationInterpretation code; kept as sent. */
  | { readonly code: 'unknown-flag'; readonly message: string; readonly flags: readonly string[] }
  /** The result status is one the profile or protocol holds for review (such as ASTM W). */
  | { readonly code: 'status-needs-review'; readonly message: string; readonly status: string }
  /** The sent unit is neither the profile's unit nor its analyzerUnit; nothing was converted. */
  | { readonly code: 'unit-mismatch'; readonly message: string; readonly sent: string; readonly expected: readonly string[] }
  /** The value does not have the form its test or value type needs; it is kept as text. */
  | { readonly code: 'unparseable-value'; readonly message: string };

export type ReviewReasonCode = ReviewReason['code'];

/** One result (ASTM R record, HL7 OBX segment) as the workstation would store it. */
export interface LabResultDraft {
  /** Deterministic Observation id: the same raw message always gives the same ids. */
  readonly id: string;
  /** 1-based position of the result among the message's results (R records or OBX segments). */
  readonly position: number;
  /** The result's place in the message, such as `R[3]` or `OBX[5]`. */
  readonly location: string;
  /** The specimen accession the result is matched by; undefined when the message names none. */
  readonly accession?: string;
  /** The analyzer's own code: the key built from the profile's `testCodeComponents`, and the name it sent. */
  readonly testCode: { readonly key: string; readonly display: string };
  /** The profile's mapping: mapped (with LOINC, display and unit), deliberately ignored, or unmapped. */
  readonly match: TestCodeMatch;
  readonly value: ResultValue;
  /** The value field as sent (ASTM R.4, HL7 OBX-5), decoded. */
  readonly sentValue: string;
  readonly unit: ResultUnit;
  readonly referenceRange?: ReferenceRangeDraft;
  readonly interpretation: readonly InterpretationFlag[];
  /** The result status code as sent (ASTM R.9, HL7 OBX-11) and the FHIR Observation.status it maps to. */
  readonly status: { readonly sent: string; readonly fhir: FhirObservationStatus };
  /** FHIR dateTime of the result, from ASTM R.13 or O.7, HL7 OBX-14 or OBR-7; undefined when none is usable. */
  readonly effectiveDateTime?: string;
  /** Comments that follow the result (ASTM C records, HL7 NTE segments). */
  readonly notes: readonly string[];
  /** Empty when the result can be released without review. Always empty for an ignored test. */
  readonly review: readonly ReviewReason[];
  /** Deviations that do not hold the result back, such as a comparator in an HL7 NM value. */
  readonly warnings: readonly string[];
}

/** The results of one specimen and order: one ASTM O record, one HL7 order group. One group becomes one DiagnosticReport. */
export interface LabResultGroup {
  /** Deterministic DiagnosticReport id. */
  readonly id: string;
  /** 1-based position of the group in the message. */
  readonly index: number;
  readonly accession?: string;
  /** The field the accession came from: `O.3` (or `O.4`), `SPM-2.2`, `SPM-2.1`, `OBR-3` or `OBR-2`. */
  readonly accessionSource?: AccessionSource;
  /**
   * ASTM O.4, the analyzer's own sample id (a barcode it read, or rack and position), shown to
   * help match a result by hand. It is the accession only when the profile's
   * `protocol.accession` names O.4.
   */
  readonly instrumentSpecimenId?: string;
  /** Order numbers as sent (HL7 OBR-2 and OBR-3; ASTM has none beyond the specimen id). */
  readonly placerOrderNumber?: string;
  readonly fillerOrderNumber?: string;
  /** The ordered tests: HL7 OBR-4, ASTM O.5 (each repetition's test code key). */
  readonly orderedTests: readonly { readonly code: string; readonly display: string; readonly system: string }[];
  /** FHIR dateTime of the order's observation (ASTM O.7, HL7 OBR-7). */
  readonly effectiveDateTime?: string;
  /** FHIR instant when the results were reported (HL7 OBR-22 or MSH-7, ASTM O.23 or H.14), when the sender gave one to the second or minute. */
  readonly issued?: string;
  /** Comments on the order rather than on one result (ASTM C records after the O record, HL7 NTE after OBR). */
  readonly notes: readonly string[];
  readonly results: readonly LabResultDraft[];
}

export type AccessionSource = 'O.3' | 'O.4' | 'SPM-2.2' | 'SPM-2.1' | 'OBR-3' | 'OBR-2';

/** The results one parsed message would store. */
export interface LabResultMapping {
  readonly protocol: LabProtocol;
  /** SHA-256 of the raw message in hexadecimal, the root of every id. */
  readonly messageHash: string;
  /** ASTM H.3 or HL7 MSH-10; '' when absent. */
  readonly messageControlId: string;
  /**
   * ASTM H.12 or HL7 MSH-11.1 as sent: P production, T training, D debugging, and for ASTM Q
   * quality control. Results of a quality-control run are not patient results, and a notice marks them.
   */
  readonly processingId: string;
  /** The profile used; undefined when the message was mapped without one. */
  readonly profileId?: string;
  readonly groups: readonly LabResultGroup[];
  /** Notes about the message as a whole, such as the reason it yields no results (a query, an order message). */
  readonly notices: readonly string[];
}
