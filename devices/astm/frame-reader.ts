import { checksumMatches, frameChecksum } from './checksum.js';
import type { ControlCharacter } from './control-characters.js';
import { CONTROL_CHARACTER_NAMES, CR, ENQ, EOT, ETB, ETX, LF, STX } from './control-characters.js';
import { AstmFrameError } from './errors.js';

/**
 * The bytes that ended a frame after its checksum: `cr-lf` as E1381 requires, only one of the two
 * (real analyzers send either), or neither when the next frame or a timeout followed.
 */
export type FrameEnd = 'cr-lf' | 'cr' | 'lf' | 'none';

/** One frame read from the byte stream, with the verdicts the link layer needs. */
export interface AstmFrame {
  /** Stream offset of the frame's STX. */
  readonly offset: number;
  /** Bytes from STX through the last end byte. */
  readonly length: number;
  /** The frame number 0 to 7, or null when the byte after STX is not a digit 0 to 7. */
  readonly frameNumber: number | null;
  /** The frame's text: the bytes between the frame number and the ETB or ETX. */
  readonly text: Buffer;
  /** True for ETX (the last frame of a message), false for ETB (an intermediate frame). */
  readonly final: boolean;
  /** The two checksum characters as received. */
  readonly checksum: string;
  /** The checksum computed over the frame number, text and ETB or ETX. */
  readonly expectedChecksum: string;
  readonly checksumValid: boolean;
  readonly end: FrameEnd;
  /** The frame as received, STX through its last end byte. */
  readonly raw: Buffer;
}

/**
 * An item the reader found in the stream, in stream order:
 * - `control`: a single ENQ, EOT, ACK or NAK outside a frame;
 * - `frame`: a complete frame, whatever its checksum;
 * - `broken-frame`: a frame cut short by STX, ENQ or EOT (`incomplete-frame`) or longer than the
 *   reader keeps (`frame-too-long`);
 * - `noise`: other bytes outside frames.
 */
export type AstmToken =
  | { readonly kind: 'control'; readonly control: ControlCharacter; readonly offset: number }
  | { readonly kind: 'frame'; readonly frame: AstmFrame }
  | { readonly kind: 'broken-frame'; readonly error: AstmFrameError }
  | { readonly kind: 'noise'; readonly offset: number; readonly length: number };

export interface AstmFrameReaderOptions {
  /** Frames longer than this many bytes are skipped and reported as `frame-too-long`. */
  maxFrameBytes?: number;
}

/** Default upper bound on one frame; larger than the 26,652-byte frames a Horiba Yumizen H500 sends. */
export const DEFAULT_MAX_FRAME_BYTES = 65_536;

type ReaderState = 'idle' | 'frame-number' | 'text' | 'checksum' | 'after-checksum' | 'after-cr';

/**
 * Splits an E1381 byte stream into frames and control characters. Chunks may be split anywhere,
 * including inside a frame or between CR and LF; the reader keeps the partial frame until the
 * rest arrives. It judges nothing but the checksum: frame numbers, sizes and replies are the link
 * layer's business.
 */
export class AstmFrameReader {
  readonly #maxFrameBytes: number;
  #state: ReaderState = 'idle';
  #streamOffset = 0;

  #frameOffset = 0;
  #frameLength = 0;
  #frameParts: Buffer[] = [];
  #frameTooLong = false;
  #frameNumberByte = 0;
  #textLength = 0;
  #final = false;
  #checksum = '';

  #noiseOffset = 0;
  #noiseLength = 0;
  /** Set after a frame was completed without waiting for its LF, so a late LF is not noise. */
  #lateLineFeedExpected = false;

  constructor(options: AstmFrameReaderOptions = {}) {
    this.#maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** Bytes consumed so far; the offset the next byte will have. */
  get offset(): number {
    return this.#streamOffset;
  }

  /** True when a frame is complete but for its CR or LF, which may never come. */
  get awaitingFrameEnd(): boolean {
    return this.#state === 'after-checksum' || this.#state === 'after-cr';
  }

  /** Reads a chunk and returns what it completed. */
  push(chunk: Uint8Array): AstmToken[] {
    const tokens: AstmToken[] = [];
    let index = 0;

    while (index < chunk.length) {
      const consumed = this.#step(chunk, index, tokens);
      index += consumed;
      this.#streamOffset += consumed;
    }

    this.#flushNoise(tokens);
    return tokens;
  }

  /**
   * Completes a frame that is waiting for its CR or LF, for analyzers that leave them out and then
   * wait for the reply. Returns nothing unless `awaitingFrameEnd` was true.
   */
  finishFrame(): AstmToken[] {
    if (!this.awaitingFrameEnd) return [];

    const end = this.#state === 'after-cr' ? 'cr' : 'none';
    const tokens: AstmToken[] = [this.#completeFrame(end)];
    this.#lateLineFeedExpected = true;
    return tokens;
  }

  /** Ends the stream: finishes a frame waiting for its end bytes and reports a partial one. */
  end(): AstmToken[] {
    const tokens = this.finishFrame();
    if (this.#state !== 'idle') tokens.push(this.#abandonFrame());
    this.#flushNoise(tokens);
    return tokens;
  }

  /** Drops any partial frame and starts counting offsets from zero. */
  reset(): void {
    this.#state = 'idle';
    this.#streamOffset = 0;
    this.#frameParts = [];
    this.#noiseLength = 0;
    this.#lateLineFeedExpected = false;
  }

  /** Consumes bytes from `chunk` at `index` and returns how many; 0 means reprocess the byte. */
  #step(chunk: Uint8Array, index: number, tokens: AstmToken[]): number {
    const byte = chunk[index] as number;

    switch (this.#state) {
      case 'idle':
        this.#readOutsideFrame(byte, tokens);
        return 1;

      case 'frame-number':
        if (endsFrameEarly(byte)) {
          tokens.push(this.#abandonFrame());
          return 0;
        }
        this.#append(chunk.subarray(index, index + 1));
        this.#frameNumberByte = byte;
        this.#state = 'text';
        return 1;

      case 'text':
        return this.#readText(chunk, index, tokens);

      case 'checksum':
        if (endsFrameEarly(byte)) {
          tokens.push(this.#abandonFrame());
          return 0;
        }
        this.#append(chunk.subarray(index, index + 1));
        this.#checksum += String.fromCharCode(byte);
        if (this.#checksum.length === 2) this.#state = 'after-checksum';
        return 1;

      case 'after-checksum':
        if (byte === CR) {
          this.#append(chunk.subarray(index, index + 1));
          this.#state = 'after-cr';
          return 1;
        }
        if (byte === LF) {
          this.#append(chunk.subarray(index, index + 1));
          tokens.push(this.#completeFrame('lf'));
          return 1;
        }
        tokens.push(this.#completeFrame('none'));
        return 0;

      case 'after-cr':
        if (byte === LF) {
          this.#append(chunk.subarray(index, index + 1));
          tokens.push(this.#completeFrame('cr-lf'));
          return 1;
        }
        tokens.push(this.#completeFrame('cr'));
        return 0;
    }
  }

  #readOutsideFrame(byte: number, tokens: AstmToken[]): void {
    const lateLineFeed = this.#lateLineFeedExpected && byte === LF;
    this.#lateLineFeedExpected = false;
    if (lateLineFeed) return;

    if (byte === STX) {
      this.#flushNoise(tokens);
      this.#startFrame();
      return;
    }

    const control = CONTROL_CHARACTER_NAMES.get(byte);
    if (control) {
      this.#flushNoise(tokens);
      tokens.push({ kind: 'control', control, offset: this.#streamOffset });
      return;
    }

    if (this.#noiseLength === 0) this.#noiseOffset = this.#streamOffset;
    this.#noiseLength += 1;
  }

  /** Copies text up to the next framing byte in one slice, because frames can be tens of kilobytes. */
  #readText(chunk: Uint8Array, index: number, tokens: AstmToken[]): number {
    let end = index;
    while (end < chunk.length && !isFramingByte(chunk[end] as number)) end += 1;

    if (end > index) {
      this.#append(chunk.subarray(index, end));
      this.#textLength += end - index;
      return end - index;
    }

    const byte = chunk[index] as number;
    if (byte === ETX || byte === ETB) {
      this.#append(chunk.subarray(index, index + 1));
      this.#final = byte === ETX;
      this.#state = 'checksum';
      return 1;
    }

    tokens.push(this.#abandonFrame());
    return 0;
  }

  #startFrame(): void {
    this.#state = 'frame-number';
    this.#frameOffset = this.#streamOffset;
    this.#frameParts = [Buffer.of(STX)];
    this.#frameLength = 1;
    this.#frameTooLong = false;
    this.#frameNumberByte = 0;
    this.#textLength = 0;
    this.#checksum = '';
  }

  #append(bytes: Uint8Array): void {
    this.#frameLength += bytes.length;
    if (this.#frameTooLong) return;

    if (this.#frameLength > this.#maxFrameBytes) {
      this.#frameTooLong = true;
      this.#frameParts = [];
      return;
    }
    this.#frameParts.push(Buffer.from(bytes));
  }

  #completeFrame(end: FrameEnd): AstmToken {
    this.#state = 'idle';
    const offset = this.#frameOffset;

    if (this.#frameTooLong) {
      return {
        kind: 'broken-frame',
        error: new AstmFrameError(
          'frame-too-long',
          `Frame at byte ${offset} is ${this.#frameLength} bytes, more than the ${this.#maxFrameBytes} this link accepts: raise maxFrameBytes if the analyzer really sends frames this long`,
          offset,
          frameNumberOf(this.#frameNumberByte),
        ),
      };
    }

    const raw = Buffer.concat(this.#frameParts, this.#frameLength);
    this.#frameParts = [];
    const expectedChecksum = frameChecksum(raw.subarray(1, 3 + this.#textLength));
    return {
      kind: 'frame',
      frame: {
        offset,
        length: raw.length,
        frameNumber: frameNumberOf(this.#frameNumberByte),
        text: raw.subarray(2, 2 + this.#textLength),
        final: this.#final,
        checksum: this.#checksum,
        expectedChecksum,
        checksumValid: checksumMatches(this.#checksum, expectedChecksum),
        end,
        raw,
      },
    };
  }

  #abandonFrame(): AstmToken {
    const offset = this.#frameOffset;
    const frameNumber = this.#state === 'frame-number' ? null : frameNumberOf(this.#frameNumberByte);
    this.#state = 'idle';
    this.#frameParts = [];
    return {
      kind: 'broken-frame',
      error: new AstmFrameError(
        'incomplete-frame',
        `Frame at byte ${offset} ended after ${this.#frameLength} bytes, before its ETB or ETX and checksum: the sender broke off or the line dropped bytes`,
        offset,
        frameNumber,
      ),
    };
  }

  #flushNoise(tokens: AstmToken[]): void {
    if (this.#noiseLength === 0) return;
    tokens.push({ kind: 'noise', offset: this.#noiseOffset, length: this.#noiseLength });
    this.#noiseLength = 0;
  }
}

/** Reads a whole capture at once, for inspecting files rather than live connections. */
export function readAstmFrames(bytes: Uint8Array, options: AstmFrameReaderOptions = {}): AstmToken[] {
  const reader = new AstmFrameReader(options);
  return [...reader.push(bytes), ...reader.end()];
}

/** STX, ENQ and EOT cannot occur inside a frame, so they mean the frame was cut short. */
function endsFrameEarly(byte: number): boolean {
  return byte === STX || byte === ENQ || byte === EOT;
}

function isFramingByte(byte: number): boolean {
  return byte === STX || byte === ETX || byte === ETB || byte === ENQ || byte === EOT;
}

function frameNumberOf(byte: number): number | null {
  return byte >= 0x30 && byte <= 0x37 ? byte - 0x30 : null;
}
