import { MAX_FRAME_LENGTH } from './control-characters.js';
import { AstmFrameError } from './errors.js';
import type { AstmFrame } from './frame-reader.js';

/** A message received from the analyzer: the text of its frames, delivered once the transfer ended cleanly. */
export interface ReceivedAstmMessage {
  /** Frame texts joined in order: LIS2-A2 records, each ended by CR. Parse with parseAstmMessages. */
  readonly text: Buffer;
  /** The accepted frames exactly as received, STX through LF, for the raw message archive. */
  readonly raw: Buffer;
  readonly frameCount: number;
  /** Stream offset of the ENQ that opened the transfer. */
  readonly offset: number;
}

export type FrameVerdict =
  | { readonly reply: 'ACK'; readonly duplicate: boolean }
  | { readonly reply: 'NAK'; readonly error: AstmFrameError };

interface InboundLimits {
  readonly acceptOversizedFrames: boolean;
  readonly maxMessageBytes: number;
}

/**
 * The receiving side of one transfer, from the ENQ to the EOT: decides ACK or NAK for each frame
 * and collects the accepted text. The transfer ends cleanly when its last accepted frame ended
 * with ETX and no NAKed frame is still waiting for its retransmission.
 */
export class InboundTransfer {
  #frames: AstmFrame[] = [];
  #textBytes = 0;
  #lastAccepted: AstmFrame | undefined;
  #rejectedInARow = 0;

  constructor(
    /** Stream offset of the ENQ. */
    readonly offset: number,
    private readonly limits: InboundLimits,
  ) {}

  /** NAKs since the last accepted frame; the sender should give up after the sixth. */
  get rejectedInARow(): number {
    return this.#rejectedInARow;
  }

  get frameCount(): number {
    return this.#frames.length;
  }

  /** True when ending the transfer now loses nothing: no message is half received. */
  get endsCleanly(): boolean {
    const lastIsFinal = this.#lastAccepted === undefined || this.#lastAccepted.final;
    return lastIsFinal && this.#rejectedInARow === 0;
  }

  /** Counts a frame NAKed before it could be read, such as one longer than the reader keeps. */
  recordRejection(): void {
    this.#rejectedInARow += 1;
  }

  /** Decides the reply to `frame` and keeps its text if accepted. */
  receive(frame: AstmFrame): FrameVerdict {
    const error = this.#check(frame);
    if (error) {
      this.#rejectedInARow += 1;
      return { reply: 'NAK', error };
    }

    this.#rejectedInARow = 0;
    if (this.#isRetransmission(frame)) return { reply: 'ACK', duplicate: true };

    this.#lastAccepted = frame;
    this.#frames.push(frame);
    this.#textBytes += frame.text.length;
    return { reply: 'ACK', duplicate: false };
  }

  /** Returns the received message, or undefined when the transfer carried no frames or did not end cleanly. */
  message(): ReceivedAstmMessage | undefined {
    if (this.#frames.length === 0 || !this.endsCleanly) return undefined;

    return {
      text: Buffer.concat(
        this.#frames.map((frame) => frame.text),
        this.#textBytes,
      ),
      raw: Buffer.concat(this.#frames.map((frame) => frame.raw)),
      frameCount: this.#frames.length,
      offset: this.offset,
    };
  }

  #check(frame: AstmFrame): AstmFrameError | undefined {
    const at = `Frame ${frame.frameNumber ?? '?'} at byte ${frame.offset}`;

    if (frame.length > MAX_FRAME_LENGTH && !this.limits.acceptOversizedFrames) {
      return new AstmFrameError(
        'oversized-frame',
        `${at} is ${frame.length} bytes, more than the ${MAX_FRAME_LENGTH} E1381 allows: set acceptOversizedFrames for this analyzer if it sends long frames`,
        frame.offset,
        frame.frameNumber,
      );
    }
    if (!frame.checksumValid) {
      return new AstmFrameError(
        'checksum-mismatch',
        `${at} has checksum ${JSON.stringify(frame.checksum)} but its content sums to ${frame.expectedChecksum}: the frame was corrupted on the line and is requested again`,
        frame.offset,
        frame.frameNumber,
      );
    }
    if (frame.frameNumber === null) {
      const character = frame.raw.subarray(1, 2).toString('latin1');
      return new AstmFrameError('invalid-frame-number', `${at} has frame number ${JSON.stringify(character)}, not a digit 0 to 7`, frame.offset);
    }
    if (this.#isRetransmission(frame)) return undefined;

    if (frame.frameNumber !== this.#expectedFrameNumber()) {
      return new AstmFrameError(
        'frame-number-mismatch',
        `${at} was expected to be frame ${this.#expectedFrameNumber()}: a frame was lost, or a new frame reused the last number`,
        frame.offset,
        frame.frameNumber,
      );
    }
    if (this.#textBytes + frame.text.length > this.limits.maxMessageBytes) {
      return new AstmFrameError(
        'message-too-large',
        `${at} would make the transfer longer than ${this.limits.maxMessageBytes} bytes: raise maxMessageBytes if the analyzer sends messages this large`,
        frame.offset,
        frame.frameNumber,
      );
    }
    return undefined;
  }

  #expectedFrameNumber(): number {
    return this.#lastAccepted ? ((this.#lastAccepted.frameNumber ?? 0) + 1) % 8 : 1;
  }

  /**
   * A sender whose ACK was lost sends the same frame again; it is ACKed and dropped. The content
   * must match too, because a frame with the last number but other text is a new frame numbered
   * wrongly, and dropping it would lose data the sender believes delivered.
   */
  #isRetransmission(frame: AstmFrame): boolean {
    const last = this.#lastAccepted;
    return last !== undefined && frame.frameNumber === last.frameNumber && frame.final === last.final && frame.text.equals(last.text);
  }
}
