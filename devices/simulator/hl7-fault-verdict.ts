import { MllpDecoder, parseMessage, readAcknowledgment } from '../hl7/index.js';
import type { PlannedFault } from './faults.js';
import type { FaultVerdict } from './sender.js';

/** MSA-1, MSA-2 and the error text of an ACK the host sent. */
export interface ReceivedAck {
  readonly code: string;
  readonly controlId: string;
  /** ERR-8 of the first ERR that has one, else MSA-3; '' when neither. */
  readonly text: string;
}

/** The end of the wait for one message's ACK. */
export type AckResult =
  | { readonly kind: 'ack'; readonly ack: ReceivedAck }
  /** No ACK in time; `ignored` is MSA-1 of the ACK the lost-ack fault ignored. */
  | { readonly kind: 'timeout'; readonly ignored?: string }
  /** The timeout fault sent half the block; `received` is what the host sent meanwhile. */
  | { readonly kind: 'silent'; readonly received: Buffer }
  /** The interrupt-close fault closed the connection in the middle of the block. */
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'connection-lost' }
  | { readonly kind: 'stopped' };

/** AA (application accept) and CA (commit accept, enhanced mode) accept a message. */
export function acceptsMessage(code: string): boolean {
  return code === 'AA' || code === 'CA';
}

/**
 * Judges the host's reply to an HL7 fault: a broken or unfinished block must never be accepted
 * (AA or CA), while silence, AE or AR is correct. A lost ACK needs nothing of the host: the
 * verdict states that the resend repeats the message's MSH-10, so the host must recognize it.
 */
export function hl7FaultVerdict(fault: PlannedFault, result: AckResult, options: { ackTimeoutMs: number; silenceMs: number }): FaultVerdict {
  switch (fault.kind) {
    case 'lost-ack':
      return lostAckVerdict(result, options.ackTimeoutMs);
    case 'broken-mllp':
      return brokenBlockVerdict(result, fault.part ?? 'end');
    case 'timeout':
      return silenceVerdict(result);
    default:
      return { expected: true, hostAnswer: 'none expected', detail: 'the host must drop the half block when the connection closes; the message was not delivered' };
  }
}

function lostAckVerdict(result: AckResult, ackTimeoutMs: number): FaultVerdict {
  if (result.kind === 'timeout' && result.ignored !== undefined) {
    return {
      expected: true,
      hostAnswer: `${result.ignored} (ignored by the simulator)`,
      detail: `no ACK counted within ${ackTimeoutMs} ms; the host has the message, so a resend repeats its MSH-10 and the host must recognize the duplicate`,
    };
  }
  if (result.kind === 'ack') {
    return { expected: true, hostAnswer: `${result.ack.code} twice`, detail: 'the host sent a second ACK after the ignored one' };
  }
  return { expected: false, hostAnswer: 'no ACK', detail: 'the host sent no ACK to ignore, so the fault was not injected' };
}

function brokenBlockVerdict(result: AckResult, part: 'start' | 'end'): FaultVerdict {
  const hold = part === 'end' ? '; it holds the unfinished block until the next VT' : '';
  if (result.kind === 'ack' && acceptsMessage(result.ack.code)) {
    return { expected: false, hostAnswer: result.ack.code, detail: `the host accepted a block sent without its ${part === 'end' ? 'end (FS CR)' : 'start (VT)'}: MLLP does not deliver such a block` };
  }
  if (result.kind === 'ack') {
    return { expected: true, hostAnswer: result.ack.code, detail: 'the host rejected the broken block' };
  }
  if (result.kind === 'timeout') {
    return { expected: true, hostAnswer: 'no ACK', detail: `the host did not acknowledge the broken block${hold}` };
  }
  return { expected: true, hostAnswer: 'no ACK', detail: `the wait ended early (${result.kind})` };
}

function silenceVerdict(result: AckResult): FaultVerdict {
  if (result.kind !== 'silent') return { expected: true, hostAnswer: 'no ACK', detail: `the wait ended early (${result.kind})` };

  const codes = acknowledgmentCodes(result.received);
  if (codes.some(acceptsMessage)) {
    return { expected: false, hostAnswer: codes.join(', '), detail: 'the host accepted a message whose block never ended' };
  }
  const hostAnswer = result.received.length === 0 ? 'nothing during the silence' : `${result.received.length} byte(s) during the silence${codes.length > 0 ? ` (${codes.join(', ')})` : ''}`;
  return { expected: true, hostAnswer, detail: 'the host must not deliver the half block; it holds it until the next VT or drops it on its own timeout' };
}

/** MSA-1 of every ACK in bytes the simulator ignored while silent. */
function acknowledgmentCodes(received: Buffer): string[] {
  const codes: string[] = [];
  for (const event of new MllpDecoder().push(received)) {
    if (event.type !== 'message') continue;
    try {
      const code = readAcknowledgment(parseMessage(event.payload))?.code;
      if (code) codes.push(code.toUpperCase());
    } catch {
      // An unreadable reply accepts nothing; the byte count already reports it.
    }
  }
  return codes;
}
