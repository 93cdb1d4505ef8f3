import { describe, expect, it } from 'vitest';

import { AstmLinkError, encodeFrame, encodeMessageFrames, frameChecksum } from '../../../../devices/astm/index.js';
import { ENQ, EOT, LinkHarness } from './support/link-harness.js';

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');

const HEADER = 'H|\\^&|||ANALYZER^1.0|||||LIS||P|LIS2-A2|20240101120000\r';
const RESULT = 'R|1|^^^GLU|5.4|mmol/L|3.9 to 6.1|N||F\r';
const TERMINATOR = 'L|1|N\r';

function frame(number: number, text: string, final = true): Buffer {
  return encodeFrame(number, latin1(text), final);
}

function withChecksum(frameBytes: Buffer, checksum: string): Buffer {
  const copy = Buffer.from(frameBytes);
  copy.write(checksum, copy.length - 4, 'latin1');
  return copy;
}

describe('link receiving', () => {
  it('ACKs the ENQ and each frame and delivers the message at EOT', () => {
    const harness = new LinkHarness();

    harness.feed(ENQ);
    expect(harness.link.state).toBe('receiving');
    harness.feed(frame(1, HEADER), frame(2, RESULT), frame(3, TERMINATOR));
    expect(harness.messages).toHaveLength(0);
    harness.feed(EOT);

    expect(harness.replies).toEqual(['ACK', 'ACK', 'ACK', 'ACK']);
    expect(harness.messages).toHaveLength(1);
    expect(harness.messages[0]?.text.toString('latin1')).toBe(HEADER + RESULT + TERMINATOR);
    expect(harness.messages[0]?.frameCount).toBe(3);
    expect(harness.messages[0]?.raw.equals(Buffer.concat([frame(1, HEADER), frame(2, RESULT), frame(3, TERMINATOR)]))).toBe(true);
    expect(harness.link.state).toBe('neutral');
    expect(harness.failures).toEqual([]);
    expect(harness.warnings).toEqual([]);
  });

  it('joins intermediate ETB frames into one message', () => {
    const harness = new LinkHarness();
    const text = HEADER + 'C|1|I|' + 'x'.repeat(700) + '|G\r' + TERMINATOR;

    harness.feed(ENQ, ...encodeMessageFrames(latin1(text)), EOT);

    expect(harness.replies).toEqual(['ACK', 'ACK', 'ACK', 'ACK', 'ACK']);
    expect(harness.messages.map((message) => message.text.toString('latin1'))).toEqual([text]);
  });

  it('NAKs a bad checksum and accepts the retransmission', () => {
    const harness = new LinkHarness();
    const good = frame(2, TERMINATOR);

    harness.feed(ENQ, frame(1, HEADER), withChecksum(good, '00'), good, EOT);

    expect(harness.replies).toEqual(['ACK', 'ACK', 'NAK', 'ACK']);
    expect(harness.rejections.map((error) => [error.code, error.frameNumber, error.offset])).toEqual([['checksum-mismatch', 2, 1 + frame(1, HEADER).length]]);
    expect(harness.messages.map((message) => message.text.toString('latin1'))).toEqual([HEADER + TERMINATOR]);
  });

  it('NAKs an unexpected frame number', () => {
    const harness = new LinkHarness();

    harness.feed(ENQ, frame(1, HEADER), frame(3, TERMINATOR));

    expect(harness.replies).toEqual(['ACK', 'ACK', 'NAK']);
    expect(harness.rejections[0]?.code).toBe('frame-number-mismatch');
    expect(harness.rejections[0]?.message).toContain('expected to be frame 2');
  });

  it('NAKs a frame number that is not a digit 0 to 7', () => {
    const harness = new LinkHarness();
    // Frame number '8' with a checksum that matches it, so only the number is wrong.
    const bad = Buffer.from(frame(1, HEADER));
    bad[1] = 0x38;
    bad.write(frameChecksum(bad.subarray(1, bad.length - 4)), bad.length - 4, 'latin1');

    harness.feed(ENQ, bad);

    expect(harness.replies).toEqual(['ACK', 'NAK']);
    expect(harness.rejections[0]?.code).toBe('invalid-frame-number');
  });

  it('ACKs a repeated frame whose ACK was lost and keeps it once', () => {
    const harness = new LinkHarness();

    harness.feed(ENQ, frame(1, HEADER), frame(1, HEADER), frame(2, TERMINATOR), EOT);

    expect(harness.replies).toEqual(['ACK', 'ACK', 'ACK', 'ACK']);
    expect(harness.messages.map((message) => message.text.toString('latin1'))).toEqual([HEADER + TERMINATOR]);
    expect(harness.warnings.map((warning) => warning.code)).toEqual(['duplicate-frame']);
  });

  it('NAKs a frame that reuses the last number with other text', () => {
    const harness = new LinkHarness();

    harness.feed(ENQ, frame(1, HEADER), frame(1, TERMINATOR));

    expect(harness.replies).toEqual(['ACK', 'ACK', 'NAK']);
    expect(harness.rejections[0]?.code).toBe('frame-number-mismatch');
  });

  it('abandons the transfer after six NAKs in a row and stores nothing', () => {
    const harness = new LinkHarness();
    const bad = withChecksum(frame(2, TERMINATOR), '00');

    harness.feed(ENQ, frame(1, HEADER, false));
    for (let attempt = 0; attempt < 6; attempt += 1) harness.feed(bad);

    expect(harness.replies).toEqual(['ACK', 'ACK', 'NAK', 'NAK', 'NAK', 'NAK', 'NAK', 'NAK']);
    expect(harness.link.state).toBe('neutral');
    expect(harness.failures).toHaveLength(1);
    expect(harness.failures[0]).toBeInstanceOf(AstmLinkError);
    expect(harness.failures[0]?.code).toBe('too-many-rejected-frames');
    expect(harness.failures[0]?.direction).toBe('receive');
    expect(harness.failures[0]?.discardedFrames).toBe(1);

    // The sender's seventh try and its EOT arrive outside any transfer and change nothing.
    harness.feed(bad, EOT);
    expect(harness.replies).toHaveLength(8);
    expect(harness.messages).toEqual([]);
    expect(harness.warnings.map((warning) => warning.code)).toContain('frame-outside-transfer');
  });

  it('discards a message that EOT cuts off after an ETB frame', () => {
    const harness = new LinkHarness();

    harness.feed(ENQ, frame(1, HEADER, false), EOT);

    expect(harness.messages).toEqual([]);
    expect(harness.failures.map((error) => [error.code, error.discardedFrames])).toEqual([['interrupted-by-eot', 1]]);
  });

  it('discards the whole transfer when EOT comes while a frame awaits retransmission', () => {
    const harness = new LinkHarness();

    harness.feed(ENQ, frame(1, HEADER + RESULT + TERMINATOR), withChecksum(frame(2, HEADER), '00'), EOT);

    expect(harness.replies).toEqual(['ACK', 'ACK', 'NAK']);
    expect(harness.messages).toEqual([]);
    expect(harness.failures.map((error) => [error.code, error.discardedFrames])).toEqual([['interrupted-by-eot', 1]]);
  });

  it('discards an unfinished message after 30 s', () => {
    const harness = new LinkHarness();

    harness.feed(ENQ, frame(1, HEADER, false));
    harness.timer.advance(29_999);
    expect(harness.failures).toEqual([]);
    harness.timer.advance(1);

    expect(harness.link.state).toBe('neutral');
    expect(harness.messages).toEqual([]);
    expect(harness.failures.map((error) => error.code)).toEqual(['receive-timeout']);
  });

  it('restarts the receive timeout with every chunk', () => {
    const harness = new LinkHarness();
    const pieces = frame(1, HEADER);

    harness.feed(ENQ);
    harness.timer.advance(20_000);
    harness.feed(pieces.subarray(0, 10));
    harness.timer.advance(20_000);
    harness.feed(pieces.subarray(10));

    expect(harness.failures).toEqual([]);
    expect(harness.replies).toEqual(['ACK', 'ACK']);
  });

  it('keeps a complete message whose EOT never came', () => {
    const harness = new LinkHarness();

    harness.feed(ENQ, frame(1, HEADER + TERMINATOR));
    harness.timer.advance(30_000);

    expect(harness.messages.map((message) => message.text.toString('latin1'))).toEqual([HEADER + TERMINATOR]);
    expect(harness.failures).toEqual([]);
    expect(harness.warnings.map((warning) => warning.code)).toEqual(['missing-eot']);
  });

  it('accepts an oversized frame with a warning by default', () => {
    const harness = new LinkHarness();
    const text = HEADER + 'C|1|I|' + 'x'.repeat(300) + '|G\r' + TERMINATOR;

    harness.feed(ENQ, frame(1, text), EOT);

    expect(harness.replies).toEqual(['ACK', 'ACK']);
    expect(harness.messages).toHaveLength(1);
    expect(harness.warnings.map((warning) => warning.code)).toEqual(['oversized-frame']);
  });

  it('NAKs an oversized frame when acceptOversizedFrames is off', () => {
    const harness = new LinkHarness({ acceptOversizedFrames: false });

    harness.feed(ENQ, frame(1, HEADER + 'C|1|I|' + 'x'.repeat(300) + '|G\r'));

    expect(harness.replies).toEqual(['ACK', 'NAK']);
    expect(harness.rejections[0]?.code).toBe('oversized-frame');
  });

  it('NAKs a frame longer than maxFrameBytes', () => {
    const harness = new LinkHarness({ maxFrameBytes: 100 });

    harness.feed(ENQ, frame(1, 'x'.repeat(200)));

    expect(harness.replies).toEqual(['ACK', 'NAK']);
    expect(harness.rejections[0]?.code).toBe('frame-too-long');
  });

  it('NAKs frames that would make the transfer larger than maxMessageBytes', () => {
    const harness = new LinkHarness({ maxMessageBytes: 100 });

    harness.feed(ENQ, frame(1, 'x'.repeat(80), false), frame(2, 'y'.repeat(80)));

    expect(harness.replies).toEqual(['ACK', 'ACK', 'NAK']);
    expect(harness.rejections[0]?.code).toBe('message-too-large');
  });

  it('answers a frame without LF after the LF wait', () => {
    const harness = new LinkHarness();
    const withoutLineFeed = frame(1, HEADER + TERMINATOR).subarray(0, -1);

    harness.feed(ENQ, withoutLineFeed);
    expect(harness.replies).toEqual(['ACK']);
    harness.timer.advance(249);
    expect(harness.replies).toEqual(['ACK']);
    harness.timer.advance(1);
    expect(harness.replies).toEqual(['ACK', 'ACK']);

    harness.feed('\n', EOT);
    expect(harness.replies).toEqual(['ACK', 'ACK']);
    expect(harness.messages).toHaveLength(1);
    expect(harness.warnings.map((warning) => warning.code)).toEqual(['nonstandard-frame-end']);
  });

  it('restarts the transfer when an ENQ arrives mid-message', () => {
    const harness = new LinkHarness();

    harness.feed(ENQ, frame(1, HEADER, false), ENQ, frame(1, HEADER + TERMINATOR), EOT);

    expect(harness.replies).toEqual(['ACK', 'ACK', 'ACK', 'ACK']);
    expect(harness.failures.map((error) => error.code)).toEqual(['interrupted-by-enq']);
    expect(harness.messages.map((message) => message.text.toString('latin1'))).toEqual([HEADER + TERMINATOR]);
    expect(harness.warnings.map((warning) => warning.code)).toEqual(['enq-during-transfer']);
  });

  it('ignores frames and replies that arrive outside a transfer', () => {
    const harness = new LinkHarness();

    harness.feed(frame(1, HEADER), frame(2, TERMINATOR), Buffer.of(0x06, 0x15), EOT, 'noise');

    expect(harness.replies).toEqual([]);
    expect(harness.messages).toEqual([]);
    expect(harness.warnings.map((warning) => warning.code)).toEqual(['frame-outside-transfer']);
  });

  it('does not answer a frame cut short by EOT and reports the transfer', () => {
    const harness = new LinkHarness();

    harness.feed(ENQ, frame(1, HEADER, false), frame(2, RESULT).subarray(0, 12), EOT);

    expect(harness.replies).toEqual(['ACK', 'ACK']);
    expect(harness.warnings.map((warning) => warning.code)).toEqual(['incomplete-frame']);
    expect(harness.failures.map((error) => error.code)).toEqual(['interrupted-by-eot']);
  });

  it('reports the open transfer and returns to neutral on reset', () => {
    const harness = new LinkHarness();

    harness.feed(ENQ, frame(1, HEADER, false));
    harness.link.reset();

    expect(harness.link.state).toBe('neutral');
    expect(harness.failures.map((error) => error.code)).toEqual(['link-reset']);
    harness.feed(ENQ, frame(1, HEADER + TERMINATOR), EOT);
    expect(harness.messages).toHaveLength(1);
    expect(harness.messages[0]?.offset).toBe(0);
  });

  it('rejects invalid option values', () => {
    expect(() => new LinkHarness({ maxFrameAttempts: 0 })).toThrowError(/maxFrameAttempts is 0/);
    expect(() => new LinkHarness({ maxFrameBytes: 2.5 })).toThrowError(/maxFrameBytes is 2.5/);
    expect(() => new LinkHarness({ receiveTimeoutMs: -1 })).toThrowError(/receiveTimeoutMs is -1/);
    expect(() => new LinkHarness({ replyTimeoutMs: Number.NaN })).toThrowError(/replyTimeoutMs is NaN/);
  });

  it('ignores input after close', () => {
    const harness = new LinkHarness();

    harness.link.close();
    harness.feed(ENQ);

    expect(harness.link.state).toBe('closed');
    expect(harness.replies).toEqual([]);
  });
});
