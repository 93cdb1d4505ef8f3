import type { FrameReply } from './events.js';
import type { PlannedFault } from './faults.js';
import type { FaultVerdict, SendOutcome } from './sender.js';

/** The ASTM sender's record of one transfer, enough to judge the fault injected into it. */
export interface AstmTransferRecord {
  readonly frames: readonly Buffer[];
  /** Index of the frame written last; -1 before the first. */
  frameIndex: number;
  /** Transmissions of that frame so far. */
  frameAttempt: number;
  faultInjected: boolean;
  /** The host's replies to the frame the fault hit: the corrupted frame and its retransmission, or the ignored ACK. */
  faultReplies: FrameReply[];
  interruption?: 'timeout' | 'interrupt-eot' | 'interrupt-close';
  /** Bytes the host sent while the `timeout` fault kept silent. */
  silenceBytes: readonly Buffer[];
}

const CONTROL_NAMES: ReadonlyMap<number, string> = new Map([
  [0x02, 'STX'],
  [0x04, 'EOT'],
  [0x05, 'ENQ'],
  [0x06, 'ACK'],
  [0x15, 'NAK'],
]);

/**
 * Judges the host's replies to an ASTM fault by E1381's rules: a frame with a bad checksum
 * must be NAKed and its retransmission ACKed, and a host must send neither ACK nor NAK while the
 * sender is silent. Timeouts and interrupts need no answer; the host must discard the frames of
 * the unfinished message, which only the host side can show.
 */
export function astmFaultVerdict(fault: PlannedFault, transfer: AstmTransferRecord, outcome: SendOutcome, replyTimeoutMs: number): FaultVerdict {
  const frame = fault.frame ?? 1;
  const frames = transfer.frames.length;
  if (!transfer.faultInjected) {
    return {
      expected: false,
      hostAnswer: 'none',
      detail: `the fault was not injected: the transfer ended before frame ${frame} of ${frames}${outcome.accepted ? '' : ` (${outcome.detail})`}`,
    };
  }

  switch (fault.kind) {
    case 'bad-checksum':
      return badChecksumVerdict(transfer.faultReplies);
    case 'lost-ack':
      return lostAckVerdict(frame, frames, outcome, replyTimeoutMs);
    case 'timeout':
      return timeoutVerdict(frame, transfer.silenceBytes);
    default:
      return {
        expected: true,
        hostAnswer: 'none expected',
        detail: `the host must discard ${describeAcked(frame)}; the message was not delivered`,
      };
  }
}

function badChecksumVerdict(replies: readonly FrameReply[]): FaultVerdict {
  const [first, second] = replies;
  const hostAnswer = `${first ?? 'no reply'} to the corrupted frame${second === undefined ? '' : `, ${second} to the retransmission`}`;

  if (first === 'NAK' && second === 'ACK') {
    return { expected: true, hostAnswer, detail: 'the host rejected the bad frame and accepted its retransmission' };
  }
  if (first === 'ACK') {
    return { expected: false, hostAnswer, detail: 'the host accepted a frame whose checksum is wrong: E1381 requires a NAK, and a host that accepts it stores whatever the line corrupted' };
  }
  if (first === 'NAK') {
    return { expected: false, hostAnswer, detail: 'the host rejected the bad frame but did not accept the correct retransmission' };
  }
  return { expected: false, hostAnswer, detail: 'the host did not NAK the bad frame: E1381 requires a NAK' };
}

function lostAckVerdict(frame: number, frames: number, outcome: SendOutcome, replyTimeoutMs: number): FaultVerdict {
  const hostAnswer = 'ACK (ignored by the simulator)';
  if (outcome.accepted || outcome.reason !== 'reply-timeout') {
    return { expected: false, hostAnswer, detail: `the link did not end the transfer after its ${replyTimeoutMs} ms reply timeout` };
  }
  if (frame === frames) {
    return {
      expected: true,
      hostAnswer,
      detail: `after ${replyTimeoutMs} ms the simulator ended the transfer with EOT; the host had ACKed every frame, so it keeps the message and a resend stores it twice`,
    };
  }
  return { expected: true, hostAnswer, detail: `after ${replyTimeoutMs} ms the simulator ended the transfer with EOT; the host must discard ${describeAcked(frame + 1)}` };
}

function timeoutVerdict(frame: number, silenceBytes: readonly Buffer[]): FaultVerdict {
  const received = Buffer.concat(silenceBytes);
  const names = [...new Set([...received].map((byte) => CONTROL_NAMES.get(byte)).filter((name) => name !== undefined))];
  const hostAnswer = received.length === 0 ? 'nothing during the silence' : `${received.length} byte(s) during the silence${names.length > 0 ? ` (${names.join(', ')})` : ''}`;
  const repliedToNothing = received.includes(0x06) || received.includes(0x15);

  return {
    expected: !repliedToNothing,
    hostAnswer,
    detail: repliedToNothing
      ? 'the host sent ACK or NAK although no frame came: its link layer is out of step'
      : `the host must discard ${describeAcked(frame)} when its receive timeout runs out (E1381: 30 s)`,
  };
}

/** Describes the frames the host ACKed before the fault hit frame `frame`. */
function describeAcked(frame: number): string {
  return frame <= 1 ? 'the empty transfer (no frame was sent)' : `the ${frame - 1} frame(s) it ACKed`;
}
