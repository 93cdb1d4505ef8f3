import { EventEmitter } from 'node:events';

import { ACK, ENQ, EOT, MAX_FRAME_LENGTH, NAK } from './control-characters.js';
import type { AstmFrameError, AstmLinkErrorCode } from './errors.js';
import { AstmBuildError, AstmLinkError } from './errors.js';
import type { AstmFrame, AstmToken } from './frame-reader.js';
import { AstmFrameReader } from './frame-reader.js';
import type { ReceivedAstmMessage } from './inbound-transfer.js';
import { InboundTransfer } from './inbound-transfer.js';
import type { AstmLinkOptions, ResolvedLinkOptions } from './link-options.js';
import { resolveLinkOptions, TimerSlot } from './link-options.js';
import { OutboundMessage } from './outbound-message.js';

/**
 * E1381 link states. `establishing`: our ENQ waits for its reply. `sending`: our frame waits
 * for its reply. `receiving`: we ACKed the analyzer's ENQ or frame and wait for the next frame
 * or EOT. The termination phase has no state of its own: the EOT is written and the link is
 * neutral again.
 */
export type AstmLinkState = 'neutral' | 'establishing' | 'sending' | 'receiving' | 'closed';

/** Deviations the link tolerated or recovered from; nothing was lost. */
export type AstmLinkWarningCode =
  | 'oversized-frame'
  | 'nonstandard-frame-end'
  | 'duplicate-frame'
  | 'frame-outside-transfer'
  | 'incomplete-frame'
  | 'enq-during-transfer'
  | 'contention'
  | 'receiver-busy'
  | 'receiver-interrupt'
  | 'missing-eot';

export interface AstmLinkWarning {
  readonly code: AstmLinkWarningCode;
  readonly message: string;
  readonly offset?: number;
}

export interface AstmLinkEvents {
  /** Bytes to write to the analyzer, in order. */
  write: [bytes: Buffer];
  /** A message the analyzer sent, complete and closed by its EOT. */
  message: [message: ReceivedAstmMessage];
  /** A frame was NAKed; the sender is expected to send it again. */
  frameRejected: [error: AstmFrameError];
  warning: [warning: AstmLinkWarning];
  /** An inbound message was discarded or an outbound one was not delivered. */
  transferFailed: [error: AstmLinkError];
  state: [state: AstmLinkState, previous: AstmLinkState];
}

/**
 * The ASTM E1381 (CLSI LIS01-A2) link layer as a state machine, independent of the transport:
 * feed it the bytes the analyzer sends with `receive`, write what it emits as `write`, and queue
 * outbound messages with `send`. Timeouts run on the injected timer.
 */
export class AstmLink extends EventEmitter<AstmLinkEvents> {
  readonly #options: ResolvedLinkOptions;
  readonly #reader: AstmFrameReader;
  readonly #replyTimer: TimerSlot;
  readonly #receiveTimer: TimerSlot;
  readonly #retryTimer: TimerSlot;
  readonly #lineFeedTimer: TimerSlot;

  #state: AstmLinkState = 'neutral';
  #inbound: InboundTransfer | undefined;
  #inboundWarnings = new Set<AstmLinkWarningCode>();
  #warnedOutsideTransfer = false;
  /** Outbound messages; the first is the one being sent while establishing or sending. */
  #queue: OutboundMessage[] = [];
  /** Bytes to write, emitted once each state change is complete, so a listener always finds the link in a settled state. */
  #output: Buffer[] = [];

  constructor(options: AstmLinkOptions = {}) {
    super();
    this.#options = resolveLinkOptions(options);
    this.#reader = new AstmFrameReader({ maxFrameBytes: this.#options.maxFrameBytes });
    this.#replyTimer = new TimerSlot(this.#options.timer);
    this.#receiveTimer = new TimerSlot(this.#options.timer);
    this.#retryTimer = new TimerSlot(this.#options.timer);
    this.#lineFeedTimer = new TimerSlot(this.#options.timer);
  }

  get state(): AstmLinkState {
    return this.#state;
  }

  /** Messages waiting to be sent, including the one being sent. */
  get pendingSends(): number {
    return this.#queue.length;
  }

  /** Reads bytes from the analyzer; chunks may be split anywhere. */
  receive(chunk: Uint8Array): void {
    if (this.#state === 'closed') return;

    this.#handleTokens(this.#reader.push(chunk));
    if (this.#state === 'receiving') this.#startReceiveTimer();
    this.#watchFrameEnd();
    this.#startSendingIfIdle();
    this.#flushOutput();
  }

  /**
   * Queues a message (LIS2-A2 records, each ended by CR) and sends it in its own transfer, split
   * into frames of at most 247 bytes. Strings must be Latin-1. Resolves when the receiver has
   * ACKed every frame and the EOT is written; rejects with AstmLinkError when the transfer fails.
   * Throws AstmBuildError at once for an empty message or one containing framing characters.
   */
  send(message: string | Uint8Array): Promise<void> {
    if (this.#state === 'closed') {
      return Promise.reject(new AstmLinkError('link-closed', 'send', 'The ASTM link is closed: create a new link for the reopened connection'));
    }

    const outbound = new OutboundMessage(typeof message === 'string' ? encodeLatin1(message) : message);
    this.#queue.push(outbound);
    this.#startSendingIfIdle();
    this.#flushOutput();
    return outbound.delivered;
  }

  /**
   * Returns the link to neutral after the connection was lost: a partial inbound message is
   * discarded and reported, and every queued outbound message fails with `link-reset`.
   */
  reset(): void {
    if (this.#state === 'closed') return;
    this.#abortAll('link-reset');
  }

  /** Stops the link for good; queued messages fail with `link-closed`. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#abortAll('link-closed');
    this.#setState('closed');
  }

  #handleTokens(tokens: AstmToken[]): void {
    for (const token of tokens) {
      switch (this.#state) {
        case 'neutral':
          this.#onNeutral(token);
          break;
        case 'establishing':
          this.#onEstablishing(token);
          break;
        case 'sending':
          this.#onSending(token);
          break;
        case 'receiving':
          this.#onReceiving(token);
          break;
        case 'closed':
          return;
      }
    }
  }

  // Receiving side.

  #onNeutral(token: AstmToken): void {
    if (token.kind === 'control' && token.control === 'ENQ') {
      this.#beginInbound(token.offset);
      return;
    }

    if (token.kind !== 'frame' && token.kind !== 'broken-frame') return;
    if (!this.#warnedOutsideTransfer) {
      const offset = token.kind === 'frame' ? token.frame.offset : token.error.offset;
      this.#warnedOutsideTransfer = true;
      this.#warn('frame-outside-transfer', `Frame at byte ${offset} arrived without an ENQ first and was ignored: the analyzer or the line lost the start of the transfer`, offset);
    }
  }

  #beginInbound(offset: number): void {
    this.#inbound = new InboundTransfer(offset, this.#options);
    this.#inboundWarnings.clear();
    this.#warnedOutsideTransfer = false;
    this.#setState('receiving');
    this.#output.push(Buffer.of(ACK));
    this.#startReceiveTimer();
  }

  #onReceiving(token: AstmToken): void {
    switch (token.kind) {
      case 'frame':
        this.#onInboundFrame(token.frame);
        return;

      case 'broken-frame':
        if (token.error.code === 'incomplete-frame') {
          this.#warn('incomplete-frame', token.error.message, token.error.offset);
          return;
        }
        this.#inbound?.recordRejection();
        this.#rejectFrame(token.error);
        return;

      case 'control':
        if (token.control === 'EOT') {
          this.#endInbound('eot');
        } else if (token.control === 'ENQ') {
          this.#warn('enq-during-transfer', `ENQ at byte ${token.offset} arrived before the EOT of the open transfer: the analyzer started over`, token.offset);
          this.#endInbound('interrupted-by-enq');
          this.#beginInbound(token.offset);
        }
        return;

      case 'noise':
        return;
    }
  }

  #onInboundFrame(frame: AstmFrame): void {
    const inbound = this.#inbound as InboundTransfer;
    const verdict = inbound.receive(frame);

    if (verdict.reply === 'NAK') {
      this.#rejectFrame(verdict.error);
      return;
    }

    this.#noteTolerated(frame, verdict.duplicate);
    this.#output.push(Buffer.of(ACK));
  }

  #rejectFrame(error: AstmFrameError): void {
    this.emit('frameRejected', error);
    this.#output.push(Buffer.of(NAK));

    const inbound = this.#inbound as InboundTransfer;
    if (inbound.rejectedInARow >= this.#options.maxFrameAttempts) this.#endInbound('too-many-rejected-frames');
  }

  #noteTolerated(frame: AstmFrame, duplicate: boolean): void {
    const at = `Frame ${frame.frameNumber} at byte ${frame.offset}`;

    if (duplicate) {
      this.#warn('duplicate-frame', `${at} repeats the frame already accepted (its ACK was probably lost) and was ACKed again without storing it twice`, frame.offset);
    }
    if (frame.length > MAX_FRAME_LENGTH) {
      this.#warnOncePerTransfer('oversized-frame', `${at} is ${frame.length} bytes, longer than the ${MAX_FRAME_LENGTH} E1381 allows; accepted because acceptOversizedFrames is on`, frame.offset);
    }
    if (frame.end !== 'cr-lf') {
      this.#warnOncePerTransfer('nonstandard-frame-end', `${at} ends with ${describeFrameEnd(frame.end)} after its checksum instead of CR LF; accepted`, frame.offset);
    }
  }

  /**
   * Closes the inbound transfer. Its message is delivered only when the transfer ended cleanly:
   * the last accepted frame ended with ETX and no NAKed frame is outstanding. Otherwise every
   * frame it carried is discarded and reported, so nothing half-received reaches the caller.
   * A clean transfer whose EOT never came (timeout, new ENQ, lost connection) is still delivered
   * with a `missing-eot` warning, because the analyzer got every frame ACKed and will not send
   * it again.
   */
  #endInbound(reason: 'eot' | AstmLinkErrorCode): void {
    const inbound = this.#inbound;
    if (!inbound) return;

    this.#inbound = undefined;
    this.#receiveTimer.stop();
    this.#setState('neutral');

    if (inbound.endsCleanly) {
      const stoppedByUs = reason === 'link-reset' || reason === 'link-closed';
      if (reason !== 'eot' && !(stoppedByUs && inbound.frameCount === 0)) {
        const outcome = inbound.frameCount > 0 ? `after its last message was complete; its ${inbound.frameCount} frame(s) were kept` : 'before any frame arrived';
        this.#warn('missing-eot', `The transfer opened at byte ${inbound.offset} ended without EOT (${describeEnding(reason)}) ${outcome}`, inbound.offset);
      }
      const message = inbound.message();
      if (message) this.emit('message', message);
      return;
    }

    const code: AstmLinkErrorCode = reason === 'eot' ? 'interrupted-by-eot' : reason;
    this.emit('transferFailed', new AstmLinkError(code, 'receive', describeInboundFailure(code, inbound), inbound.offset, inbound.frameCount));
  }

  #startReceiveTimer(): void {
    this.#receiveTimer.start(this.#options.receiveTimeoutMs, () => {
      this.#endInbound('receive-timeout');
      this.#startSendingIfIdle();
      this.#flushOutput();
    });
  }

  #watchFrameEnd(): void {
    if (!this.#reader.awaitingFrameEnd) {
      this.#lineFeedTimer.stop();
      return;
    }
    this.#lineFeedTimer.start(this.#options.lineFeedWaitMs, () => {
      this.#handleTokens(this.#reader.finishFrame());
      this.#startSendingIfIdle();
      this.#flushOutput();
    });
  }

  // Sending side.

  #startSendingIfIdle(): void {
    if (this.#state !== 'neutral' || this.#retryTimer.active || this.#queue.length === 0) return;

    this.#setState('establishing');
    this.#output.push(Buffer.of(ENQ));
    this.#replyTimer.start(this.#options.replyTimeoutMs, () => this.#onEstablishmentTimeout());
  }

  #onEstablishing(token: AstmToken): void {
    if (token.kind !== 'control') return;
    const current = this.#queue[0] as OutboundMessage;

    switch (token.control) {
      case 'ACK':
        this.#replyTimer.stop();
        this.#setState('sending');
        this.#transmitFrame(current);
        return;

      case 'NAK':
        this.#replyTimer.stop();
        current.failedEstablishments += 1;
        this.#warn('receiver-busy', `The analyzer answered our ENQ with NAK (busy); next ENQ in ${this.#options.busyRetryDelayMs} ms`, token.offset);
        this.#setState('neutral');
        this.#retryEstablishment(current);
        return;

      case 'ENQ':
        // Link contention: the instrument has priority. The host leaves this ENQ unanswered and
        // ACKs the instrument's next one; an instrument ignores the host's ENQ and sends again.
        this.#replyTimer.stop();
        this.#warn('contention', `Both sides sent ENQ; the ${this.#options.role === 'host' ? 'instrument sends first' : 'instrument (this side) sends again'}, our next ENQ in ${this.#options.contentionRetryDelayMs} ms`, token.offset);
        this.#setState('neutral');
        this.#retryTimer.start(this.#options.contentionRetryDelayMs, () => this.#onRetryDue());
        return;

      case 'EOT':
        return;
    }
  }

  #onEstablishmentTimeout(): void {
    const current = this.#queue[0] as OutboundMessage;
    current.failedEstablishments += 1;
    this.#output.push(Buffer.of(EOT));
    this.#setState('neutral');
    this.#retryEstablishment(current);
    this.#flushOutput();
  }

  #retryEstablishment(current: OutboundMessage): void {
    if (current.failedEstablishments >= this.#options.maxEstablishmentAttempts) {
      this.#failCurrent('establishment-failed', `The analyzer did not accept our ENQ after ${current.failedEstablishments} attempts (NAK or no reply within ${this.#options.replyTimeoutMs} ms): check that it is online and not busy`);
      return;
    }
    this.#retryTimer.start(this.#options.busyRetryDelayMs, () => this.#onRetryDue());
  }

  #onRetryDue(): void {
    this.#startSendingIfIdle();
    this.#flushOutput();
  }

  #onSending(token: AstmToken): void {
    const current = this.#queue[0] as OutboundMessage;

    if (token.kind === 'control' && token.control === 'ACK') {
      this.#frameAcknowledged(current);
      return;
    }
    if (token.kind === 'control' && token.control === 'EOT') {
      // A receiver interrupt request acknowledges the frame; E1381 lets the sender go on.
      this.#warn('receiver-interrupt', `The analyzer answered frame ${current.frameIndex + 1} with EOT (receiver interrupt); treated as ACK`, token.offset);
      this.#frameAcknowledged(current);
      return;
    }

    // E1381: any reply other than ACK or EOT counts as a NAK.
    this.#replyTimer.stop();
    if (current.frameAttempts >= this.#options.maxFrameAttempts) {
      this.#output.push(Buffer.of(EOT));
      this.#failCurrent('too-many-rejected-frames', `The analyzer rejected frame ${current.frameIndex + 1} of ${current.frames.length} ${current.frameAttempts} times; the transfer was aborted with EOT`);
      return;
    }
    this.#transmitFrame(current);
  }

  #transmitFrame(current: OutboundMessage): void {
    current.frameAttempts += 1;
    this.#output.push(current.currentFrame);
    this.#replyTimer.start(this.#options.replyTimeoutMs, () => this.#onReplyTimeout());
  }

  #frameAcknowledged(current: OutboundMessage): void {
    this.#replyTimer.stop();

    if (!current.isLastFrame) {
      current.frameIndex += 1;
      current.frameAttempts = 0;
      this.#transmitFrame(current);
      return;
    }

    this.#output.push(Buffer.of(EOT));
    this.#queue.shift();
    this.#setState('neutral');
    current.succeed();
    this.#startSendingIfIdle();
  }

  #onReplyTimeout(): void {
    const current = this.#queue[0] as OutboundMessage;
    this.#output.push(Buffer.of(EOT));
    this.#failCurrent('reply-timeout', `The analyzer did not reply to frame ${current.frameIndex + 1} of ${current.frames.length} within ${this.#options.replyTimeoutMs} ms; the transfer was aborted with EOT`);
    this.#flushOutput();
  }

  #failCurrent(code: AstmLinkErrorCode, message: string): void {
    const current = this.#queue.shift() as OutboundMessage;
    this.#setState('neutral');

    const error = new AstmLinkError(code, 'send', message);
    this.emit('transferFailed', error);
    current.fail(error);
    this.#startSendingIfIdle();
  }

  // Shared.

  #abortAll(code: 'link-reset' | 'link-closed'): void {
    for (const timer of [this.#replyTimer, this.#receiveTimer, this.#retryTimer, this.#lineFeedTimer]) timer.stop();
    this.#endInbound(code);

    const words = code === 'link-reset' ? 'was reset (connection lost)' : 'was closed';
    for (const outbound of this.#queue.splice(0)) {
      const error = new AstmLinkError(code, 'send', `The ASTM link ${words} before the message was delivered: send it again once the connection is back`);
      this.emit('transferFailed', error);
      outbound.fail(error);
    }

    this.#reader.reset();
    this.#output = [];
    this.#setState('neutral');
  }

  #setState(state: AstmLinkState): void {
    const previous = this.#state;
    if (previous === state) return;
    this.#state = state;
    this.emit('state', state, previous);
  }

  #warn(code: AstmLinkWarningCode, message: string, offset?: number): void {
    this.emit('warning', offset === undefined ? { code, message } : { code, message, offset });
  }

  #warnOncePerTransfer(code: AstmLinkWarningCode, message: string, offset: number): void {
    if (this.#inboundWarnings.has(code)) return;
    this.#inboundWarnings.add(code);
    this.#warn(code, message, offset);
  }

  #flushOutput(): void {
    while (this.#output.length > 0) {
      this.emit('write', this.#output.shift() as Buffer);
    }
  }
}

function encodeLatin1(text: string): Buffer {
  for (let index = 0; index < text.length; index += 1) {
    if (text.charCodeAt(index) > 0xff) {
      throw new AstmBuildError(
        'invalid-character',
        `The message has the character ${JSON.stringify(text[index])} at position ${index}, outside Latin-1: pass the message as bytes in the analyzer's encoding`,
        index,
      );
    }
  }
  return Buffer.from(text, 'latin1');
}

function describeFrameEnd(end: AstmFrame['end']): string {
  if (end === 'cr') return 'CR only';
  if (end === 'lf') return 'LF only';
  return 'neither CR nor LF';
}

function describeEnding(reason: AstmLinkErrorCode): string {
  if (reason === 'receive-timeout') return 'no byte arrived for the receive timeout';
  if (reason === 'interrupted-by-enq') return 'a new ENQ came first';
  return 'the link stopped';
}

function describeInboundFailure(code: AstmLinkErrorCode, inbound: InboundTransfer): string {
  const discarded = `its ${inbound.frameCount} accepted frame(s) were discarded, so no part of the message was stored`;

  switch (code) {
    case 'interrupted-by-eot':
      return `The analyzer ended the transfer with EOT before its message was complete: ${discarded}. The analyzer should send the message again`;
    case 'interrupted-by-enq':
      return `The analyzer started a new transfer before its message was complete: ${discarded}`;
    case 'receive-timeout':
      return `No frame or EOT arrived for the receive timeout while a message was incomplete: ${discarded}`;
    case 'too-many-rejected-frames':
      return `The analyzer's frame was rejected ${inbound.rejectedInARow} times in a row and the transfer was abandoned: ${discarded}. Check the cable, baud rate and parity`;
    default:
      return `The link stopped while a message was incomplete: ${discarded}`;
  }
}
