import type { AstmFrame, AstmFrameError, AstmLinkError, AstmLinkWarning, AstmToken, ReceivedAstmMessage } from '../../astm/index.js';
import { AstmLink, readAstmFrames } from '../../astm/index.js';
import { CaptureTimer } from './capture-timer.js';
import type { FrameReport, IssueList } from './report.js';

const ENQ = Buffer.of(0x05);
const EOT = Buffer.of(0x04);

/** A transfer the link received, with the frames it stored, in order. */
export interface ReplayedTransfer {
  /** Capture offset of the ENQ that opened it (0 for a capture without ENQ). */
  readonly offset: number;
  readonly message: ReceivedAstmMessage | undefined;
  readonly acceptedFrames: readonly AstmFrame[];
}

export interface AstmReplay {
  readonly frames: readonly FrameReport[];
  readonly transfers: readonly ReplayedTransfer[];
}

interface LinkEvents {
  readonly messages: ReceivedAstmMessage[];
  readonly rejections: AstmFrameError[];
  readonly warnings: AstmLinkWarning[];
  readonly failures: AstmLinkError[];
}

/**
 * Feeds a capture to the workstation's own E1381 link layer, as if the analyzer had sent it, and
 * reports each frame with the reply the link gave and each transfer with what it delivered. A
 * capture without any ENQ (a file of frames, as many analyzers' logs and test data are) is read as
 * one transfer, with a warning. The link receives the whole capture at once, so no timeout fires
 * before its end. After the end, the line is taken to have gone silent.
 */
export function replayAstmCapture(bytes: Uint8Array, acceptOversizedFrames: boolean, issues: IssueList): AstmReplay {
  const tokens = readAstmFrames(bytes);
  const frames = tokens.flatMap((token) => (token.kind === 'frame' ? [token.frame] : []));
  const wholeFile = !tokens.some((token) => token.kind === 'control' && token.control === 'ENQ');
  const events = runLink(bytes, tokens, acceptOversizedFrames, wholeFile);
  // The link counts the ENQ fed before a capture without one, so its offsets are one byte ahead.
  const shift = wholeFile ? 1 : 0;
  const linkOffset = (offset: number | undefined): number => Math.max(0, (offset ?? 0) - shift);

  if (wholeFile && frames.length > 0) {
    issues.warning({ code: 'no-enq', message: 'The capture has frames but no ENQ or EOT, as a file of frames rather than a line capture; it was read as one transfer', offset: 0 });
  }

  const transfers = new TransferIndex(events, linkOffset);
  const rejected = new Map(events.rejections.map((error) => [linkOffset(error.offset), error]));
  const duplicates = new Set(events.warnings.filter((warning) => warning.code === 'duplicate-frame').map((warning) => linkOffset(warning.offset)));
  const reports = frameReports(tokens, rejected, duplicates, wholeFile);

  const accepted = new Map<number, AstmFrame[]>();
  reports.forEach((report, index) => {
    const transfer = transfers.of(report.offset);
    if (report.reply !== 'ACK' || report.code !== undefined || transfer === undefined) return;
    accepted.set(transfer, [...(accepted.get(transfer) ?? []), frames[index] as AstmFrame]);
  });

  const reportFrameError = (error: AstmFrameError, offset: number, message: string): void => {
    const recovered = transfers.delivered.has(transfers.of(offset) ?? -1) && wasResent(reports, offset, error.frameNumber, transfers);
    const issue = { code: error.code, message: recovered ? `${message}. The analyzer sent it again and the link accepted the retransmission` : message, offset };
    if (recovered) issues.warning(issue);
    else issues.error(issue);
  };
  for (const error of events.rejections) reportFrameError(error, linkOffset(error.offset), shiftByteNumbers(error.message, shift));
  for (const token of tokens) {
    // The frame reader counts from the capture's first byte. Frames too long to keep are not
    // taken here, because the link NAKed them and reported them with the rejections above.
    if (token.kind === 'broken-frame' && token.error.code === 'incomplete-frame') reportFrameError(token.error, token.error.offset ?? 0, token.error.message);
  }
  reportOutsideFrames(tokens, issues);
  reportLinkEvents(events, shift, issues);

  return { frames: reports, transfers: transfers.offsets.map((offset) => ({ offset, message: transfers.delivered.get(offset), acceptedFrames: accepted.get(offset) ?? [] })) };
}

/** The transfers the link reported, by the capture offset of their ENQ. */
class TransferIndex {
  readonly offsets: readonly number[];
  readonly delivered: ReadonlyMap<number, ReceivedAstmMessage>;

  constructor(events: LinkEvents, linkOffset: (offset: number | undefined) => number) {
    const failed = events.failures.filter((failure) => failure.direction === 'receive' && failure.offset !== undefined);
    this.offsets = [...new Set([...events.messages.map((message) => linkOffset(message.offset)), ...failed.map((failure) => linkOffset(failure.offset))])].sort((a, b) => a - b);
    this.delivered = new Map(events.messages.map((message) => [linkOffset(message.offset), message]));
  }

  /** Returns the offset of the transfer that a byte at `offset` belongs to. */
  of(offset: number): number | undefined {
    return this.offsets.filter((start) => start <= offset).pop();
  }
}

/**
 * Tells whether a rejected frame was sent again and accepted: E1381 senders repeat a NAKed frame
 * with the same frame number, so the frames right after it with that number are its retries.
 */
function wasResent(reports: readonly FrameReport[], offset: number, frameNumber: number | null, transfers: TransferIndex): boolean {
  if (frameNumber === null) return false;
  const transfer = transfers.of(offset);

  for (const report of reports) {
    if (report.offset <= offset || transfers.of(report.offset) !== transfer) continue;
    if (report.frameNumber !== frameNumber) return false;
    if (report.reply === 'ACK') return true;
  }
  return false;
}

/** Reports the link's warnings and failed transfers, with offsets in the capture. */
function reportLinkEvents(events: LinkEvents, shift: number, issues: IssueList): void {
  const offsetOf = (offset: number | undefined): { offset?: number } => (offset === undefined ? {} : { offset: Math.max(0, offset - shift) });

  for (const warning of events.warnings) {
    // The frame reader's token for a frame cut short is reported with the frame errors.
    if (warning.code === 'incomplete-frame') continue;
    issues.warning({ code: warning.code, message: shiftByteNumbers(warning.message, shift), ...offsetOf(warning.offset) });
  }
  for (const failure of events.failures) {
    issues.error({ code: failure.code, message: shiftByteNumbers(failure.message, shift), ...offsetOf(failure.offset) });
  }
}

function runLink(bytes: Uint8Array, tokens: readonly AstmToken[], acceptOversizedFrames: boolean, wholeFile: boolean): LinkEvents {
  const timer = new CaptureTimer();
  const link = new AstmLink({ timer, acceptOversizedFrames });
  const events: LinkEvents = { messages: [], rejections: [], warnings: [], failures: [] };
  link.on('message', (message) => events.messages.push(message));
  link.on('frameRejected', (error) => events.rejections.push(error));
  link.on('warning', (warning) => events.warnings.push(warning));
  link.on('transferFailed', (error) => events.failures.push(error));

  if (wholeFile) link.receive(ENQ);
  link.receive(bytes);
  const last = tokens.filter((token) => token.kind === 'control').pop();
  if (wholeFile && !(last?.kind === 'control' && last.control === 'EOT')) link.receive(EOT);
  timer.expireAll();
  link.close();
  return events;
}

/** Reports bytes outside frames, and a capture with no frame at all. */
function reportOutsideFrames(tokens: readonly AstmToken[], issues: IssueList): void {
  for (const token of tokens) {
    if (token.kind === 'noise') {
      issues.warning({ code: 'bytes-outside-frames', message: `${token.length} bytes at byte ${token.offset} are outside any frame and were skipped`, offset: token.offset });
    }
  }
  if (!tokens.some((token) => token.kind === 'frame')) {
    issues.error({ code: 'no-frames', message: 'The capture contains no complete ASTM frame (STX, frame number, text, ETX or ETB, checksum)' });
  }
}

/**
 * Gives each frame the reply the link sent: NAK where it rejected the frame, none for a frame
 * outside a transfer (between EOT and the next ENQ), ACK otherwise.
 */
function frameReports(tokens: readonly AstmToken[], rejected: ReadonlyMap<number, AstmFrameError>, duplicates: ReadonlySet<number>, wholeFile: boolean): FrameReport[] {
  const reports: FrameReport[] = [];
  let inTransfer = wholeFile;

  for (const token of tokens) {
    if (token.kind === 'control') {
      if (token.control === 'ENQ') inTransfer = true;
      if (token.control === 'EOT') inTransfer = wholeFile;
      continue;
    }
    if (token.kind !== 'frame') continue;

    const frame = token.frame;
    const rejection = rejected.get(frame.offset);
    let reply: FrameReport['reply'] = inTransfer ? 'ACK' : 'none';
    if (rejection) reply = 'NAK';
    const code = rejection?.code ?? (reply === 'ACK' && duplicates.has(frame.offset) ? 'duplicate-frame' : undefined);
    reports.push({
      offset: frame.offset,
      length: frame.length,
      frameNumber: frame.frameNumber,
      final: frame.final,
      checksum: frame.checksum,
      expectedChecksum: frame.expectedChecksum,
      checksumValid: frame.checksumValid,
      end: frame.end,
      reply,
      ...(code === undefined ? {} : { code }),
    });
  }
  return reports;
}

/**
 * Corrects the byte numbers in the link's messages ("Frame 1 at byte 12") when the link was fed an
 * ENQ before the capture, which it counted as the stream's first byte.
 */
function shiftByteNumbers(message: string, shift: number): string {
  if (shift === 0) return message;
  return message.replace(/\bbyte (\d+)/g, (_, number: string) => `byte ${Math.max(0, Number(number) - shift)}`);
}
