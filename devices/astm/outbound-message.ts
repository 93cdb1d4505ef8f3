import type { AstmLinkError } from './errors.js';
import { encodeMessageFrames } from './frame-writer.js';

/** A message queued for sending, with its frames and the attempts made so far. */
export class OutboundMessage {
  readonly frames: Buffer[];
  readonly delivered: Promise<void>;
  /** Index of the frame being sent. */
  frameIndex = 0;
  /** Transmissions of the current frame. */
  frameAttempts = 0;
  /** ENQs sent for this message that got a NAK or no reply. */
  failedEstablishments = 0;

  #resolve!: () => void;
  #reject!: (error: AstmLinkError) => void;

  constructor(text: Uint8Array) {
    this.frames = encodeMessageFrames(text);
    this.delivered = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  get currentFrame(): Buffer {
    return this.frames[this.frameIndex] as Buffer;
  }

  get isLastFrame(): boolean {
    return this.frameIndex === this.frames.length - 1;
  }

  succeed(): void {
    this.#resolve();
  }

  fail(error: AstmLinkError): void {
    this.#reject(error);
  }
}
