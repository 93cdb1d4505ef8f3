import type { LabResultMapping } from '../../results/index.js';

/** The framing the capture's bytes were read with. */
export type CaptureFraming = 'astm-frames' | 'astm-records' | 'mllp' | 'hl7-text' | 'unknown';

/** An error or warning with the byte offset in the capture it concerns. */
export interface InspectIssue {
  readonly code: string;
  readonly message: string;
  /** Byte offset in the capture file; absent when the issue concerns the capture as a whole. */
  readonly offset?: number;
  /** The place of an HL7 error: segment ID (or '' for a broken segment) and its sequence. */
  readonly location?: { readonly segmentId: string; readonly sequence: number; readonly field?: number };
  /** The first characters of the segment that caused an HL7 error. */
  readonly segmentText?: string;
}

/** One ASTM frame and what the workstation's link layer replied to it. */
export interface FrameReport {
  readonly offset: number;
  readonly length: number;
  /** 0 to 7, or null when the byte after STX is not a frame number. */
  readonly frameNumber: number | null;
  /** True for ETX (last frame of a message), false for ETB. */
  readonly final: boolean;
  readonly checksum: string;
  readonly expectedChecksum: string;
  readonly checksumValid: boolean;
  /** The bytes after the checksum: `cr-lf` as E1381 requires, or `cr`, `lf`, `none`. */
  readonly end: string;
  /** ACK, NAK, or none for a frame outside a transfer (no ENQ before it), which the link ignores. */
  readonly reply: 'ACK' | 'NAK' | 'none';
  /** The reason the frame was NAKed, or `duplicate-frame` for a retransmission that was ACKed again but stored once. */
  readonly code?: string;
}

/** One ASTM transfer: ENQ, frames, EOT. */
export interface TransferReport {
  /** Offset of the ENQ that opened it. */
  readonly offset: number;
  readonly outcome: 'delivered' | 'failed';
  /** Frames stored from it: accepted, duplicates left out. */
  readonly frames: number;
  /** Indexes in `messages` of the messages it carried. */
  readonly messages: readonly number[];
}

/** One MLLP block (VT payload FS CR). */
export interface BlockReport {
  /** Offset of the VT. */
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadLength: number;
  /** Index in `messages` of the message it carried, or null when its payload did not parse. */
  readonly message: number | null;
}

/** A field that has a value: `value` for a plain one, `repetitions` (of decoded components) for one with structure. */
export interface FieldReport {
  /** LIS2-A2 (`R.4`) or HL7 (`OBX-5`) field name. */
  readonly field: string;
  /** The LIS2-A2 field name, such as `dataOrMeasurementValue`. */
  readonly name?: string;
  readonly value?: string;
  readonly repetitions?: readonly (readonly string[])[];
}

export interface RecordReport {
  /** ASTM record type or HL7 segment ID. */
  readonly type: string;
  readonly offset: number;
  readonly fields: readonly FieldReport[];
}

export interface MessageReport {
  readonly index: number;
  readonly offset: number;
  /** ASTM H.3 or HL7 MSH-10. */
  readonly controlId: string;
  /** HL7 MSH-9, such as `ORU^R01`; absent for ASTM. */
  readonly messageType?: string;
  readonly records: readonly RecordReport[];
  /** The results the workstation would store from this message. */
  readonly results: LabResultMapping;
}

export interface InspectReport {
  readonly file: string;
  readonly bytes: number;
  readonly protocol: 'astm' | 'hl7' | 'unknown';
  readonly framing: CaptureFraming;
  readonly profile: { readonly id: string; readonly chosenBy: 'argument' | 'test-codes' } | null;
  readonly timeZone: string;
  /** True when the capture has no errors; warnings are allowed. */
  readonly valid: boolean;
  readonly frames?: readonly FrameReport[];
  readonly transfers?: readonly TransferReport[];
  readonly blocks?: readonly BlockReport[];
  readonly messages: readonly MessageReport[];
  readonly errors: readonly InspectIssue[];
  readonly warnings: readonly InspectIssue[];
}

/** Errors and warnings collected while inspecting, kept in capture order when reported. */
export class IssueList {
  readonly errors: InspectIssue[] = [];
  readonly warnings: InspectIssue[] = [];

  error(issue: InspectIssue): void {
    this.errors.push(issue);
  }

  warning(issue: InspectIssue): void {
    this.warnings.push(issue);
  }

  /** Both lists sorted by offset; issues about the whole capture come last. */
  sorted(): { errors: InspectIssue[]; warnings: InspectIssue[] } {
    const byOffset = (a: InspectIssue, b: InspectIssue): number => (a.offset ?? Number.MAX_SAFE_INTEGER) - (b.offset ?? Number.MAX_SAFE_INTEGER);
    return { errors: [...this.errors].sort(byOffset), warnings: [...this.warnings].sort(byOffset) };
  }
}
