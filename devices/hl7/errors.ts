import type { Hl7Message } from './message.js';

/**
 * Error conditions of HL7 table 0357 (Message error condition codes) that this layer reports in
 * ERR-3, or in the code part of ERR-1 for versions before 2.5.
 */
export const HL7_ERROR_CONDITIONS = {
  100: 'Segment sequence error',
  101: 'Required field missing',
  102: 'Data type error',
  103: 'Table value not found',
  200: 'Unsupported message type',
  201: 'Unsupported event code',
  202: 'Unsupported processing id',
  203: 'Unsupported version id',
  207: 'Application internal error',
} as const;

export type Hl7ErrorCondition = keyof typeof HL7_ERROR_CONDITIONS;

export type Hl7ErrorKind =
  /** The input is empty or holds only line breaks. */
  | 'empty-message'
  /** The first segment is not MSH. */
  | 'missing-header'
  /** MSH-1 or MSH-2 cannot be used as delimiters. */
  | 'invalid-delimiters'
  /** MSH-18 names a character set this parser cannot decode. */
  | 'unsupported-charset'
  /** The bytes are not valid in the declared character set. */
  | 'invalid-encoding'
  /** A segment does not start with a segment ID followed by the field separator. */
  | 'invalid-segment-id'
  /** `parseMessage` was given more than one MSH segment. */
  | 'multiple-messages'
  /** Strict mode only: the message uses LF where HL7 requires CR. */
  | 'no-cr-terminator'
  /** An MLLP block grew past the decoder's size limit. */
  | 'message-too-large'
  /** An MLLP block was cut off by a new start byte or by the end of the stream. */
  | 'incomplete-block'
  /** A field path such as `PID-3[2].4` is malformed. */
  | 'invalid-path'
  /** A value to serialize contains a delimiter but the message has no escape character. */
  | 'unencodable-value';

/** Where in a message an error sits, in HL7's terms (ERL data type). All numbers are 1-based. */
export interface Hl7ErrorLocation {
  /** Segment ID, or '' when the segment has no valid ID. */
  segmentId: string;
  /** Occurrence of that segment ID in the message; for a segment without a valid ID, its position. */
  sequence: number;
  field?: number;
  repetition?: number;
  component?: number;
  subcomponent?: number;
}

export interface Hl7ErrorDetails {
  /** Byte offset in the input given to the parser or decoder. */
  offset?: number;
  location?: Hl7ErrorLocation;
  condition?: Hl7ErrorCondition;
  /** The MSH of the rejected message when it could be read, so that an ACK can name MSH-10. */
  header?: Hl7Message;
  /** The first characters of the offending segment, for tests and the inspect tool, never for logs. */
  segmentText?: string;
}

/**
 * Every rejection by the HL7 parser, serializer and MLLP decoder. Messages name positions, ids and
 * what to do, never field contents, so they can be logged and sent back in an ERR segment.
 */
export class Hl7Error extends Error {
  override readonly name = 'Hl7Error';
  readonly kind: Hl7ErrorKind;
  readonly offset: number | undefined;
  readonly location: Hl7ErrorLocation | undefined;
  readonly condition: Hl7ErrorCondition;
  readonly header: Hl7Message | undefined;
  readonly segmentText: string | undefined;

  constructor(kind: Hl7ErrorKind, message: string, details: Hl7ErrorDetails = {}) {
    super(message);
    this.kind = kind;
    this.offset = details.offset;
    this.location = details.location;
    this.condition = details.condition ?? defaultCondition(kind);
    this.header = details.header;
    this.segmentText = details.segmentText;
  }

  /**
   * The acknowledgment code a receiver answers with: AR when the message cannot be read or
   * processed at all (character set, framing), AE when its content is wrong.
   */
  get ackCode(): 'AE' | 'AR' {
    return REJECTING_KINDS.has(this.kind) ? 'AR' : 'AE';
  }
}

const REJECTING_KINDS: ReadonlySet<Hl7ErrorKind> = new Set([
  'unsupported-charset',
  'message-too-large',
  'incomplete-block',
  'empty-message',
  'missing-header',
  'invalid-delimiters',
]);

function defaultCondition(kind: Hl7ErrorKind): Hl7ErrorCondition {
  switch (kind) {
    case 'unsupported-charset':
      return 103;
    case 'invalid-encoding':
    case 'invalid-delimiters':
      return 102;
    case 'message-too-large':
    case 'incomplete-block':
    case 'invalid-path':
    case 'unencodable-value':
      return 207;
    default:
      return 100;
  }
}

export type Hl7WarningCode =
  /** The message has no CR, so LF was used as the segment terminator. */
  | 'lf-terminator'
  /** The bytes did not match the declared or assumed character set; another one was used. */
  | 'charset-fallback'
  /** MSH-18 names a character set by a name that does not say its encoding form. */
  | 'charset-assumed'
  /** A byte order mark disagrees with MSH-18. */
  | 'bom-charset-mismatch'
  /** Batch envelope segments (FHS, BHS, BTS, FTS) were set aside. */
  | 'batch-envelope'
  /** Bytes outside an MLLP block were skipped. */
  | 'bytes-outside-block'
  /** An MLLP end byte (FS) was not followed by CR. */
  | 'missing-final-cr';

export interface Hl7Warning {
  code: Hl7WarningCode;
  message: string;
  /** Byte offset in the input, when the warning concerns one place. */
  offset?: number;
}
