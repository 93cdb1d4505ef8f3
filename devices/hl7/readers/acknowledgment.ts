import type { Hl7Message } from '../message.js';
import type { Hl7Segment } from '../segment.js';

/** One ERR segment of a received acknowledgment, read from ERR-2..8 (v2.5 on) or ERR-1 (before). */
export interface AcknowledgmentError {
  segmentId: string;
  /** ERL sequence (or ELD sequence), '' when absent. */
  sequence: string;
  field: string;
  /** HL7 table 0357 code, e.g. 102. */
  condition: string;
  conditionText: string;
  /** ERR-4: E, W or I; '' before v2.5. */
  severity: string;
  /** ERR-8, else ERR-7. */
  message: string;
  segment: Hl7Segment;
}

/** MSA and ERR of a received acknowledgment. Values are decoded; '' when absent. */
export interface Acknowledgment {
  /** MSA-1: AA, AE, AR, CA, CE or CR. */
  code: string;
  /** MSA-2, the MSH-10 of the message acknowledged. */
  controlId: string;
  /** MSA-3, the text message of versions before 2.7. */
  text: string;
  errors: AcknowledgmentError[];
}

/** Reads the MSA and ERR segments; undefined when the message has no MSA. */
export function readAcknowledgment(message: Hl7Message): Acknowledgment | undefined {
  const msa = message.segment('MSA');
  if (msa === undefined) return undefined;
  return {
    code: msa.value(1),
    controlId: msa.value(2),
    text: msa.value(3),
    errors: message.segmentsWithId('ERR').map(readError),
  };
}

function readError(err: Hl7Segment): AcknowledgmentError {
  const modern = err.field(2) !== '' || err.field(3) !== '';
  if (modern) {
    return {
      segmentId: err.value(2, 1, 1),
      sequence: err.value(2, 1, 2),
      field: err.value(2, 1, 3),
      condition: err.value(3, 1, 1),
      conditionText: err.value(3, 1, 2),
      severity: err.value(4),
      message: err.value(8) || err.value(7),
      segment: err,
    };
  }
  return {
    segmentId: err.value(1, 1, 1),
    sequence: err.value(1, 1, 2),
    field: err.value(1, 1, 3),
    condition: err.value(1, 1, 4, 1),
    conditionText: err.value(1, 1, 4, 2),
    severity: '',
    message: '',
    segment: err,
  };
}
