export type CaptureProtocol = 'astm' | 'hl7';

/**
 * The shape a capture file had:
 * - `astm-frames`: E1381 frames (STX … ETX or ETB, checksum), with or without ENQ and EOT;
 * - `astm-records`: LIS2-A2 records as text, one per line;
 * - `hl7-mllp`: MLLP blocks (VT … FS CR);
 * - `hl7-segments`: HL7 messages as text, one segment per line.
 */
export type CaptureFormat = 'astm-frames' | 'astm-records' | 'hl7-mllp' | 'hl7-segments';

/** One message to replay. */
export interface CaptureMessage {
  /** Position in the capture, from 1. */
  readonly index: number;
  /**
   * What the simulator sends: for ASTM the message text (records, each ended by CR), which the link
   * layer frames; for HL7 the message (segments, each ended by CR), which is wrapped in MLLP.
   */
  readonly payload: Buffer;
  /** Byte offset in the capture (after decoding an escaped log) where the message starts. */
  readonly offset: number;
  /** ASTM records or HL7 segments in the message. */
  readonly units: number;
  /** MSH-10 of an HL7 message; undefined for ASTM and for HL7 whose header cannot be read. */
  readonly controlId?: string;
}

export interface Capture {
  readonly protocol: CaptureProtocol;
  readonly format: CaptureFormat;
  /** True when the file was a log with control characters written as `[STX]`, `[CR]` and so on. */
  readonly escapedLog: boolean;
  readonly messages: readonly CaptureMessage[];
  /** What the reader skipped or repaired, for the operator. Never message content. */
  readonly notes: readonly string[];
}

/** A capture file the simulator cannot replay; the message names the problem and the fix. */
export class CaptureError extends Error {
  override readonly name = 'CaptureError';
}
