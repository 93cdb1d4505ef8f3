import { frameChecksum } from './checksum.js';
import { CR, ETB, ETX, LF, MAX_FRAME_TEXT_LENGTH, RESTRICTED_TEXT_BYTES, STX } from './control-characters.js';
import { AstmBuildError } from './errors.js';

/** Encodes one frame: STX, frame number, text, ETB or ETX, checksum, CR, LF. */
export function encodeFrame(frameNumber: number, text: Uint8Array, final: boolean): Buffer {
  const frame = Buffer.alloc(text.length + 7);
  frame[0] = STX;
  frame[1] = 0x30 + (frameNumber % 8);
  frame.set(text, 2);
  frame[2 + text.length] = final ? ETX : ETB;
  frame.write(frameChecksum(frame.subarray(1, 3 + text.length)), 3 + text.length, 'latin1');
  frame[5 + text.length] = CR;
  frame[6 + text.length] = LF;
  return frame;
}

/**
 * Splits a message text into frames of at most 240 text bytes (247 bytes with framing), numbered
 * 1 to 7, then 0, 1 and so on. Every frame but the last ends with ETB.
 */
export function encodeMessageFrames(text: Uint8Array): Buffer[] {
  assertSendableText(text);

  const frames: Buffer[] = [];
  for (let start = 0; start < text.length; start += MAX_FRAME_TEXT_LENGTH) {
    const end = Math.min(start + MAX_FRAME_TEXT_LENGTH, text.length);
    frames.push(encodeFrame((frames.length + 1) % 8, text.subarray(start, end), end === text.length));
  }
  return frames;
}

/** Throws AstmBuildError unless `text` is a non-empty message text free of restricted bytes. */
export function assertSendableText(text: Uint8Array): void {
  if (text.length === 0) {
    throw new AstmBuildError('empty-message', 'The message to send is empty: build it from at least an H and an L record');
  }

  const index = text.findIndex((byte) => RESTRICTED_TEXT_BYTES.has(byte));
  if (index >= 0) {
    const byte = (text[index] as number).toString(16).padStart(2, '0');
    throw new AstmBuildError(
      'invalid-character',
      `The message contains the control character 0x${byte} at byte ${index}, which E1381 reserves for framing: remove it or build the message with buildAstmMessage`,
      index,
    );
  }
}
