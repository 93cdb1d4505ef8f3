import { AstmLink, AstmLinkError, E1381_TIMEOUTS, encodeMessageFrames } from '../astm/index.js';
import type { AstmLinkErrorCode, AstmLinkOptions } from '../astm/index.js';
import type { CaptureMessage } from './capture-types.js';
import { astmFaultVerdict } from './astm-fault-verdict.js';
import { describeHostTransferFailure, describeLinkWarning } from './astm-wording.js';
import type { AstmTransferRecord } from './astm-fault-verdict.js';
import type { FailureReason, FrameReply } from './events.js';
import type { MessageSender, OutgoingMessage, SendOutcome, SenderContext } from './sender.js';

const STX = 0x02;
const EOT = 0x04;
const ACK = 0x06;
const NAK = 0x15;

const REPLY_NAMES: ReadonlyMap<number, FrameReply> = new Map([
  [ACK, 'ACK'],
  [NAK, 'NAK'],
  [EOT, 'EOT'],
]);

/** The E1381 timings and limits a simulator run may shorten; the defaults are the standard's. */
export type AstmTimingOptions = Pick<
  AstmLinkOptions,
  'replyTimeoutMs' | 'receiveTimeoutMs' | 'busyRetryDelayMs' | 'contentionRetryDelayMs' | 'maxFrameAttempts' | 'maxEstablishmentAttempts'
>;

export interface AstmSenderOptions {
  readonly timing: AstmTimingOptions;
  /** How long the `timeout` fault stays silent, in ms. */
  readonly silenceMs: number;
}

/** The transfer of one message attempt, as the sender watches it on the wire. */
interface Transfer extends AstmTransferRecord {
  readonly outgoing: OutgoingMessage;
  readonly frames: readonly Buffer[];
  /** Set while our last frame waits for the host's reply. */
  awaitingReply: boolean;
}

/**
 * The analyzer's side of ASTM E1381: an `AstmLink` in the instrument role, which does the
 * handshake (ENQ, frames of at most 247 bytes, retransmission after NAK, EOT, contention), with
 * faults injected between the link and the connection. A fault rewrites or withholds what the
 * link writes, or withholds a reply from it, so the link itself always behaves as E1381 requires.
 */
export class AstmSender implements MessageSender {
  readonly #link: AstmLink;
  readonly #context: SenderContext;
  readonly #options: AstmSenderOptions;
  #transfer: Transfer | undefined;
  /** Bytes the host sent while the `timeout` fault plays dead; undefined when not silent. */
  #silence: Buffer[] | undefined;

  constructor(context: SenderContext, options: AstmSenderOptions) {
    this.#context = context;
    this.#options = options;
    this.#link = new AstmLink({ ...options.timing, role: 'instrument' });

    this.#link.on('write', (bytes) => this.#onLinkWrite(bytes));
    const delays = {
      busyRetryDelayMs: options.timing.busyRetryDelayMs ?? E1381_TIMEOUTS.busyRetryDelayMs,
      contentionRetryDelayMs: options.timing.contentionRetryDelayMs ?? E1381_TIMEOUTS.instrumentContentionRetryDelayMs,
    };
    this.#link.on('warning', (warning) => context.emit({ type: 'link-warning', code: warning.code, detail: describeLinkWarning(warning, delays) }));
    this.#link.on('message', (message) => context.emit({ type: 'host-message', protocol: 'astm', bytes: message.text.length, frames: message.frameCount }));
    this.#link.on('transferFailed', (error) => {
      // Failures of our own sends come back through send(); these are the host's transfers to us.
      if (error.direction === 'receive') context.emit({ type: 'host-transfer-failed', code: error.code, detail: describeHostTransferFailure(error) });
    });
  }

  frameCount(message: CaptureMessage): number {
    return encodeMessageFrames(message.payload).length;
  }

  async send(outgoing: OutgoingMessage): Promise<SendOutcome> {
    const transfer: Transfer = {
      outgoing,
      frames: encodeMessageFrames(outgoing.message.payload),
      frameIndex: -1,
      frameAttempt: 0,
      awaitingReply: false,
      faultInjected: false,
      faultReplies: [],
      silenceBytes: [],
    };
    this.#transfer = transfer;

    let outcome: SendOutcome;
    try {
      await this.#link.send(outgoing.message.payload);
      outcome = { accepted: true };
    } catch (error) {
      if (!(error instanceof AstmLinkError)) throw error;
      outcome = await this.#afterFailure(transfer, error);
    } finally {
      this.#transfer = undefined;
    }

    if (outgoing.fault) {
      const verdict = astmFaultVerdict(outgoing.fault, transfer, outcome, this.#replyTimeoutMs());
      this.#context.emit({ type: 'fault-outcome', message: outgoing.number, fault: outgoing.fault.kind, ...verdict });
    }
    return outcome;
  }

  receive(chunk: Buffer): void {
    if (this.#silence) {
      this.#silence.push(Buffer.from(chunk));
      return;
    }

    let bytes = chunk;
    const transfer = this.#transfer;
    if (transfer?.awaitingReply && bytes.length > 0) {
      // The first byte after one of our frames is the host's reply to it.
      transfer.awaitingReply = false;
      if (this.#onFrameReply(transfer, bytes[0] as number)) bytes = bytes.subarray(1);
    }
    if (bytes.length > 0) this.#link.receive(bytes);
  }

  connectionLost(): void {
    if (this.#transfer) this.#transfer.awaitingReply = false;
    this.#link.reset();
  }

  close(): void {
    this.#link.close();
  }

  #replyTimeoutMs(): number {
    return this.#options.timing.replyTimeoutMs ?? E1381_TIMEOUTS.replyTimeoutMs;
  }

  #onLinkWrite(bytes: Buffer): void {
    if (this.#silence) return;

    const transfer = this.#transfer;
    if (transfer && bytes[0] === STX) {
      const frame = this.#onFrameWrite(transfer, bytes);
      if (frame) this.#context.write(frame);
      return;
    }
    if (transfer && bytes[0] === EOT) transfer.awaitingReply = false;
    this.#context.write(bytes);
  }

  /** Tracks which frame the link writes and applies a fault aimed at it; returns the bytes to write, if any. */
  #onFrameWrite(transfer: Transfer, frame: Buffer): Buffer | undefined {
    const from = Math.max(transfer.frameIndex, 0);
    const index = transfer.frames.findIndex((candidate, position) => position >= from && candidate.equals(frame));
    if (index === transfer.frameIndex) {
      transfer.frameAttempt += 1;
    } else {
      transfer.frameIndex = index;
      transfer.frameAttempt = 1;
    }
    transfer.awaitingReply = true;

    const fault = transfer.outgoing.fault;
    if (!fault || transfer.faultInjected || transfer.frameAttempt !== 1 || fault.frame !== index + 1) return frame;

    switch (fault.kind) {
      case 'bad-checksum':
        return this.#corruptChecksum(transfer, frame);
      case 'timeout':
      case 'interrupt-eot':
      case 'interrupt-close':
        transfer.awaitingReply = false;
        this.#interrupt(transfer, fault.kind);
        return undefined;
      default:
        return frame;
    }
  }

  #corruptChecksum(transfer: Transfer, frame: Buffer): Buffer {
    const corrupted = Buffer.from(frame);
    const at = frame.length - 4;
    const checksum = frame.toString('latin1', at, at + 2);
    // Inverting every bit always gives another value, so the checksum is wrong whatever it was.
    const wrong = (Number.parseInt(checksum, 16) ^ 0xff).toString(16).toUpperCase().padStart(2, '0');
    corrupted.write(wrong, at, 'latin1');

    transfer.faultInjected = true;
    this.#context.emit({
      type: 'fault-injected',
      message: transfer.outgoing.number,
      fault: 'bad-checksum',
      frame: transfer.frameIndex + 1,
      detail: `frame ${transfer.frameIndex + 1} of ${transfer.frames.length} sent with checksum ${wrong} instead of ${checksum}`,
    });
    return corrupted;
  }

  #interrupt(transfer: Transfer, kind: 'timeout' | 'interrupt-eot' | 'interrupt-close'): void {
    const frame = transfer.frameIndex + 1;
    const where = `before frame ${frame} of ${transfer.frames.length}`;
    transfer.faultInjected = true;
    transfer.interruption = kind;

    let detail: string;
    if (kind === 'timeout') {
      this.#silence = [];
      detail = `stopped ${where} and stays silent for ${this.#options.silenceMs} ms`;
    } else if (kind === 'interrupt-eot') {
      this.#context.write(Buffer.of(EOT));
      detail = `sent EOT ${where}`;
    } else {
      detail = `closes the connection ${where}`;
    }
    this.#context.emit({ type: 'fault-injected', message: transfer.outgoing.number, fault: kind, frame, detail });

    // Reset after the link's write event returns, so that the link finishes the step it is in.
    queueMicrotask(() => this.#link.reset());
  }

  /** Reports the host's reply to our frame; returns true when the lost-ack fault swallows it. */
  #onFrameReply(transfer: Transfer, byte: number): boolean {
    const reply = REPLY_NAMES.get(byte) ?? 'other';
    const frame = transfer.frameIndex + 1;
    const fault = transfer.outgoing.fault;

    if (fault?.kind === 'lost-ack' && fault.frame === frame && reply === 'ACK' && !transfer.faultInjected) {
      transfer.faultInjected = true;
      transfer.faultReplies.push(reply);
      this.#context.emit({
        type: 'fault-injected',
        message: transfer.outgoing.number,
        fault: 'lost-ack',
        frame,
        detail: `ignored the host's ACK of frame ${frame} of ${transfer.frames.length}; the reply timeout of ${this.#replyTimeoutMs()} ms runs`,
      });
      return true;
    }

    if (fault?.kind === 'bad-checksum' && transfer.faultInjected && fault.frame === frame && transfer.frameAttempt <= 2) {
      transfer.faultReplies.push(reply);
    }
    this.#context.emit({ type: 'frame-replied', message: transfer.outgoing.number, frame, frames: transfer.frames.length, attempt: transfer.frameAttempt, reply });
    return false;
  }

  async #afterFailure(transfer: Transfer, error: AstmLinkError): Promise<SendOutcome> {
    const frame = transfer.frameIndex + 1;
    const of = `of ${transfer.frames.length}`;

    switch (transfer.interruption) {
      case 'timeout':
        try {
          await this.#context.sleep(this.#options.silenceMs);
        } finally {
          transfer.silenceBytes = this.#silence ?? [];
          this.#silence = undefined;
        }
        return { accepted: false, reason: 'injected-fault', detail: `the simulator stopped before frame ${frame} ${of} and stayed silent for ${this.#options.silenceMs} ms`, resendable: true };
      case 'interrupt-eot':
        return { accepted: false, reason: 'injected-fault', detail: `the simulator sent EOT before frame ${frame} ${of}`, resendable: true };
      case 'interrupt-close':
        await this.#context.closeConnection();
        return { accepted: false, reason: 'injected-fault', detail: `the simulator closed the connection before frame ${frame} ${of}`, resendable: true };
      default: {
        const reason = sendFailureReason(error.code);
        return { accepted: false, reason, detail: this.#describeFailure(reason, frame, transfer), resendable: reason !== 'link-closed' };
      }
    }
  }

  /** Words the link's failure from the analyzer's side: AstmLink's own messages call the other end the analyzer. */
  #describeFailure(reason: FailureReason, frame: number, transfer: Transfer): string {
    const timing = this.#options.timing;
    switch (reason) {
      case 'establishment-failed':
        return `the host did not accept our ENQ after ${timing.maxEstablishmentAttempts ?? 6} tries (NAK or no reply within ${this.#replyTimeoutMs()} ms)`;
      case 'reply-timeout':
        return `the host did not reply to frame ${frame} of ${transfer.frames.length} within ${this.#replyTimeoutMs()} ms; the simulator ended the transfer with EOT`;
      case 'too-many-rejected-frames':
        return `the host rejected frame ${frame} of ${transfer.frames.length} ${transfer.frameAttempt} times; the simulator ended the transfer with EOT`;
      case 'link-closed':
        return 'the simulator was stopped during the transfer';
      default:
        return frame === 0 ? 'the connection was lost before the host accepted our ENQ' : `the connection was lost during the transfer, at frame ${frame} of ${transfer.frames.length}`;
    }
  }
}

function sendFailureReason(code: AstmLinkErrorCode): FailureReason {
  switch (code) {
    case 'establishment-failed':
    case 'reply-timeout':
    case 'too-many-rejected-frames':
    case 'link-reset':
    case 'link-closed':
      return code;
    default:
      // The receive-side codes never reach a send; report them as a reset rather than guess.
      return 'link-reset';
  }
}
