import type { Hl7Message, Hl7Warning } from '../../hl7/index.js';
import { Hl7Error, MllpDecoder, parseMessage, parseMessages } from '../../hl7/index.js';
import { reportHl7Segment } from './fields.js';
import type { BlockReport, InspectIssue, IssueList, RecordReport } from './report.js';

/** One parsed HL7 message with the raw bytes it is archived as. */
export interface ParsedHl7Message {
  readonly message: Hl7Message;
  readonly raw: Uint8Array;
  /** Capture offset of the MSH segment. */
  readonly offset: number;
  readonly segments: readonly RecordReport[];
}

export interface Hl7Capture {
  readonly blocks?: readonly BlockReport[];
  readonly messages: readonly ParsedHl7Message[];
}

/** Reads an HL7 capture framed with MLLP: each block is one message, archived as its payload. */
export function readMllpCapture(bytes: Uint8Array, issues: IssueList): Hl7Capture {
  const decoder = new MllpDecoder();
  const events = [...decoder.push(bytes), ...decoder.end()];
  const blocks: BlockReport[] = [];
  const messages: ParsedHl7Message[] = [];

  for (const event of events) {
    if (event.type === 'warning') {
      issues.warning(fromWarning(event.warning));
    } else if (event.type === 'error') {
      issues.error(fromError(event.error));
    } else {
      const message = parseBlock(event.payload, event.offset, issues);
      if (message) messages.push({ message, raw: event.payload, offset: message.header.byteOffset, segments: segmentsOf(message) });
      blocks.push({ offset: event.offset - 1, payloadOffset: event.offset, payloadLength: event.payload.length, message: message ? messages.length - 1 : null });
    }
  }

  if (blocks.length === 0) issues.error({ code: 'no-blocks', message: 'The capture contains no complete MLLP block (VT, message, FS, CR)' });
  return { blocks, messages };
}

/** Reads HL7 messages stored one after another without MLLP, as files and interface engine exports hold them. */
export function readHl7TextCapture(bytes: Uint8Array, issues: IssueList): Hl7Capture {
  const parsed = parseMessages(bytes);
  for (const warning of parsed.warnings) issues.warning(fromWarning(warning));
  for (const error of parsed.errors) issues.error(fromError(error));
  for (const message of parsed.messages) {
    for (const warning of message.warnings) issues.warning(fromWarning(warning));
  }

  // Each message is archived as its bytes up to where the next message or failed message starts.
  const starts = [...parsed.messages.map((message) => message.header.byteOffset), ...parsed.errors.flatMap((error) => (error.offset === undefined ? [] : [error.offset]))].sort((a, b) => a - b);
  const messages = parsed.messages.map((message) => {
    const offset = message.header.byteOffset;
    const end = starts.find((start) => start > offset) ?? bytes.length;
    return { message, raw: bytes.subarray(offset, end), offset, segments: segmentsOf(message) };
  });

  if (messages.length === 0 && parsed.errors.length === 0) issues.error({ code: 'no-messages', message: 'The capture contains no HL7 message (a line starting with MSH)' });
  return { messages };
}

function parseBlock(payload: Buffer, offset: number, issues: IssueList): Hl7Message | undefined {
  try {
    const message = parseMessage(payload, { offset });
    for (const warning of message.warnings) issues.warning(fromWarning(warning));
    return message;
  } catch (error) {
    if (!(error instanceof Hl7Error)) throw error;
    issues.error(fromError(error));
    return undefined;
  }
}

function segmentsOf(message: Hl7Message): RecordReport[] {
  return message.segments.map((segment) => reportHl7Segment(segment, message.delimiters));
}

function fromWarning(warning: Hl7Warning): InspectIssue {
  return { code: warning.code, message: warning.message, ...(warning.offset === undefined ? {} : { offset: warning.offset }) };
}

function fromError(error: Hl7Error): InspectIssue {
  const location = error.location;
  return {
    code: error.kind,
    message: error.message,
    ...(error.offset === undefined ? {} : { offset: error.offset }),
    ...(location ? { location: { segmentId: location.segmentId, sequence: location.sequence, ...(location.field === undefined ? {} : { field: location.field }) } } : {}),
    ...(error.segmentText === undefined ? {} : { segmentText: error.segmentText }),
  };
}
