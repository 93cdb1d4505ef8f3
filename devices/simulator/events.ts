import type { TransportKind, TransportState } from '../transport/index.js';
import type { CaptureFormat, CaptureProtocol } from './capture-types.js';
import type { FaultKind } from './faults.js';

/**
 * Why a message was not accepted:
 * - ASTM link failures: `establishment-failed` (the host never ACKed our ENQ), `reply-timeout`,
 *   `too-many-rejected-frames`, `link-reset` (the connection was lost), `link-closed` (stopped);
 * - `injected-fault`: a timeout or interrupt fault ended the transfer on purpose;
 * - HL7: `ack-timeout` (no ACK in time), `rejected` (AE, AR, CE or CR), `connection-lost`,
 *   `stopped`.
 */
export type FailureReason =
  | 'establishment-failed'
  | 'reply-timeout'
  | 'too-many-rejected-frames'
  | 'link-reset'
  | 'link-closed'
  | 'injected-fault'
  | 'ack-timeout'
  | 'rejected'
  | 'connection-lost'
  | 'stopped';

/** A reply of the host to one of our ASTM frames; `other` is any other byte, which E1381 reads as NAK. */
export type FrameReply = 'ACK' | 'NAK' | 'EOT' | 'other';

/**
 * What the simulator did and what the host answered, in order. Messages are numbered from 1 over
 * the whole run; `captureMessage` is the message's position in the capture. No event carries
 * message content: only ids, counts, codes and the host's ACK text (MSA-3, ERR-8).
 */
export type SimulatorEvent =
  | { type: 'capture'; protocol: CaptureProtocol; format: CaptureFormat; escapedLog: boolean; messages: number; totalMessages: number; notes: readonly string[] }
  | { type: 'connecting'; transport: TransportKind; endpoint: string }
  | { type: 'listening'; address: string; port: number }
  | { type: 'connection'; state: TransportState; reason: string }
  | { type: 'message-started'; message: number; attempt: number; captureMessage: number; bytes: number; frames?: number; controlId?: string }
  | { type: 'frame-replied'; message: number; frame: number; frames: number; attempt: number; reply: FrameReply }
  | { type: 'fault-injected'; message: number; fault: FaultKind; frame?: number; detail: string }
  | { type: 'fault-outcome'; message: number; fault: FaultKind; expected: boolean; hostAnswer: string; detail: string }
  | { type: 'link-warning'; code: string; detail: string }
  | { type: 'message-accepted'; message: number; attempt: number; ackCode?: string }
  | { type: 'message-failed'; message: number; attempt: number; reason: FailureReason; detail: string; ackCode?: string; willResend: boolean }
  | { type: 'host-message'; protocol: CaptureProtocol; bytes: number; frames?: number; messageType?: string; controlId?: string; answered?: string }
  | { type: 'host-transfer-failed'; code: string; detail: string }
  | { type: 'late-ack'; message: number; ackCode: string; detail: string }
  | { type: 'unmatched-ack'; ackCode: string; controlId: string }
  | { type: 'connection-failed'; detail: string }
  | { type: 'finished'; sent: number; accepted: number; failed: number; faults: number; unexpectedFaultOutcomes: number; stopped: boolean; ok: boolean };

export type SimulatorEventType = SimulatorEvent['type'];
