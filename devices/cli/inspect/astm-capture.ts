import type { AstmFrame, AstmMessage } from '../../astm/index.js';
import { AstmParseError, parseAstmMessages } from '../../astm/index.js';
import { replayAstmCapture } from './astm-replay.js';
import { reportAstmRecord } from './fields.js';
import type { FrameReport, IssueList, RecordReport, TransferReport } from './report.js';

/** Link and parser settings an analyzer profile may change. */
export interface AstmCaptureSettings {
  readonly acceptOversizedFrames: boolean;
  readonly encoding: 'latin1' | 'utf8';
}

/** One parsed LIS2-A2 message with what the mapping needs: the raw bytes it is archived as and its index among them. */
export interface ParsedAstmMessage {
  readonly message: AstmMessage;
  readonly raw: Uint8Array;
  readonly part: number;
  /** Capture offset of the H record. */
  readonly offset: number;
  readonly records: readonly RecordReport[];
}

export interface AstmCapture {
  readonly frames?: readonly FrameReport[];
  readonly transfers?: readonly TransferReport[];
  readonly messages: readonly ParsedAstmMessage[];
}

/** Converts an offset in a message text to an offset in the capture. */
type OffsetMap = (textOffset: number) => number;

/** Reads a capture of E1381 frames: replays it through the link, then parses each delivered transfer. */
export function readAstmFrameCapture(bytes: Uint8Array, settings: AstmCaptureSettings, issues: IssueList): AstmCapture {
  const replay = replayAstmCapture(bytes, settings.acceptOversizedFrames, issues);
  const messages: ParsedAstmMessage[] = [];
  const transfers: TransferReport[] = [];

  for (const transfer of replay.transfers) {
    const received = transfer.message;
    if (!received) {
      transfers.push({ offset: transfer.offset, outcome: 'failed', frames: 0, messages: [] });
      continue;
    }
    const first = messages.length;
    const offsetOf = frameOffsetMap(received.text, transfer.acceptedFrames, transfer.offset);
    // Every message of a transfer is archived as the transfer's frames, so `part` distinguishes them.
    const parsed = parseText(received.text, settings.encoding, offsetOf, issues);
    parsed.forEach((message, part) => messages.push({ ...message, raw: received.raw, part }));
    transfers.push({ offset: transfer.offset, outcome: 'delivered', frames: received.frameCount, messages: parsed.map((_, index) => first + index) });
  }

  if (replay.frames.length > 0 && !replay.transfers.some((transfer) => transfer.message)) {
    issues.error({ code: 'no-message', message: 'No transfer in the capture delivered a complete message, so nothing would be stored' });
  }
  return { frames: replay.frames, transfers, messages };
}

/** Reads a capture of LIS2-A2 records as text lines, without E1381 framing. */
export function readAstmRecordCapture(bytes: Uint8Array, settings: AstmCaptureSettings, issues: IssueList): AstmCapture {
  // Files saved by Windows editors may start with a UTF-8 byte order mark, which is not a record.
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const parsed = parseText(Buffer.from(bytes.subarray(bom)), settings.encoding, (offset) => offset + bom, issues);

  // Each message is archived as its own lines: from its H record to the next message's H record.
  const messages = parsed.map((message, index) => {
    const end = parsed[index + 1]?.offset ?? bytes.length;
    return { ...message, raw: bytes.subarray(message.offset, end), part: 0 };
  });
  return { messages };
}

function parseText(text: Buffer, encoding: 'latin1' | 'utf8', offsetOf: OffsetMap, issues: IssueList): Omit<ParsedAstmMessage, 'raw' | 'part'>[] {
  const decoded = text.toString(encoding);
  const byteOffset = (characterOffset: number): number => offsetOf(encoding === 'latin1' ? characterOffset : Buffer.byteLength(decoded.slice(0, characterOffset), 'utf8'));

  let messages: AstmMessage[];
  try {
    messages = parseAstmMessages(decoded);
  } catch (error) {
    if (!(error instanceof AstmParseError)) throw error;
    issues.error({ code: error.code, message: error.message, offset: byteOffset(error.offset ?? 0) });
    return [];
  }

  return messages.map((message) => {
    for (const warning of message.warnings) issues.warning({ code: warning.code, message: warning.message, offset: byteOffset(warning.offset) });
    return {
      message,
      offset: byteOffset(message.offset),
      records: message.records.map((record) => reportAstmRecord(record, byteOffset(record.offset))),
    };
  });
}

/**
 * Maps offsets in a transfer's text to capture offsets through the frames the text was joined
 * from. Falls back to the transfer's offset when the frames do not add up to the text.
 */
function frameOffsetMap(text: Buffer, frames: readonly AstmFrame[], transferOffset: number): OffsetMap {
  const joined = Buffer.concat(frames.map((frame) => frame.text));
  if (!joined.equals(text)) return () => transferOffset;

  const starts: { textStart: number; captureStart: number }[] = [];
  let textStart = 0;
  for (const frame of frames) {
    // The text starts after STX and the frame number.
    starts.push({ textStart, captureStart: frame.offset + 2 });
    textStart += frame.text.length;
  }
  return (textOffset) => {
    const segment = starts.filter((start) => start.textStart <= textOffset).pop();
    return segment ? segment.captureStart + textOffset - segment.textStart : transferOffset;
  };
}
