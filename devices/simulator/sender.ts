import type { CaptureMessage } from './capture-types.js';
import type { FailureReason, SimulatorEvent } from './events.js';
import type { PlannedFault } from './faults.js';

/** What a protocol sender needs from the simulator that runs it. */
export interface SenderContext {
  /** Queues bytes for the connection, in order. A failed write shows up as a lost connection. */
  write(bytes: Buffer): void;
  /** Closes the connection; the simulator opens it again before the next message. */
  closeConnection(): Promise<void>;
  emit(event: SimulatorEvent): void;
  /** Waits, or rejects with an AbortError once the simulator is stopped. */
  sleep(milliseconds: number): Promise<void>;
}

/** One attempt to deliver one message. */
export interface OutgoingMessage {
  /** The message's number in the run, from 1. */
  readonly number: number;
  readonly attempt: number;
  readonly message: CaptureMessage;
  /** The fault to inject into this attempt, if any. */
  readonly fault?: PlannedFault;
}

export type SendOutcome =
  | { readonly accepted: true; readonly ackCode?: string }
  | {
      readonly accepted: false;
      readonly reason: FailureReason;
      readonly detail: string;
      readonly ackCode?: string;
      /** False when sending the message again cannot help, as after an HL7 AE or AR. */
      readonly resendable: boolean;
    };

/** How the result of an injected fault is reported. */
export interface FaultVerdict {
  readonly expected: boolean;
  readonly hostAnswer: string;
  readonly detail: string;
}

/** A protocol's sending side: ASTM E1381 through the link layer, or HL7 over MLLP. */
export interface MessageSender {
  /** ASTM frames the message is sent in; undefined for HL7. */
  frameCount(message: CaptureMessage): number | undefined;
  /** Sends one message and resolves once the host accepted it or the attempt failed. Never rejects for a protocol failure. */
  send(outgoing: OutgoingMessage): Promise<SendOutcome>;
  /** Feeds bytes the host sent. */
  receive(chunk: Buffer): void;
  /** The connection was lost or closed: abandon the transfer in flight. */
  connectionLost(): void;
  /** Stops for good; a transfer in flight fails. */
  close(): void;
}
