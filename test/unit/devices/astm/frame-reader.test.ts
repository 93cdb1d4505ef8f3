import { describe, expect, it } from 'vitest';

import type { AstmFrame, AstmFrameError, AstmToken } from '../../../../devices/astm/index.js';
import { AstmFrameReader, encodeFrame, encodeMessageFrames, frameChecksum, readAstmFrames } from '../../../../devices/astm/index.js';
import { readFixture } from './support/link-harness.js';

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');

/** Frame 7 of LAB-25 ('7L|1|N' CR ETX) sums to 0x0A; without '|N' it sums to 0x40. */
const FRAME_7 = latin1('\x027L|1|N\r\x030A\r\n');

function kinds(tokens: AstmToken[]): string[] {
  return tokens.map((token) => {
    if (token.kind === 'control') return token.control;
    if (token.kind === 'broken-frame') return `broken:${token.error.code}`;
    return token.kind;
  });
}

/** Returns token `index` as a frame, failing the test when it is something else. */
function frameAt(tokens: AstmToken[], index = 0): AstmFrame {
  const token = tokens[index];
  expect(token?.kind).toBe('frame');
  return (token as Extract<AstmToken, { kind: 'frame' }>).frame;
}

/** Returns token `index` as the error of a broken frame, failing the test when it is something else. */
function brokenFrameAt(tokens: AstmToken[], index: number): AstmFrameError {
  const token = tokens[index];
  expect(token?.kind).toBe('broken-frame');
  return (token as Extract<AstmToken, { kind: 'broken-frame' }>).error;
}

describe('frame checksum', () => {
  it('sums from the frame number through ETX modulo 256', () => {
    expect(frameChecksum(latin1('7L|1|N\r\x03'))).toBe('0A');
    expect(frameChecksum(latin1('7L|1\r\x03'))).toBe('40');
  });

  it('writes two uppercase hex digits', () => {
    expect(frameChecksum(latin1('\x01'))).toBe('01');
    expect(frameChecksum(Buffer.from([0xff, 0xfe]))).toBe('FD');
  });
});

describe('frame reader', () => {
  it('reads a standard frame with its verdicts', () => {
    const frame = frameAt(readAstmFrames(FRAME_7));

    expect(frame.frameNumber).toBe(7);
    expect(frame.text.toString('latin1')).toBe('L|1|N\r');
    expect(frame.final).toBe(true);
    expect(frame.checksum).toBe('0A');
    expect(frame.checksumValid).toBe(true);
    expect(frame.end).toBe('cr-lf');
    expect(frame.length).toBe(FRAME_7.length);
    expect(frame.raw.equals(FRAME_7)).toBe(true);
  });

  it('flags a wrong checksum without dropping the frame', () => {
    const frame = frameAt(readAstmFrames(latin1('\x027L|1|N\r\x0340\r\n')));

    expect(frame.checksumValid).toBe(false);
    expect(frame.expectedChecksum).toBe('0A');
  });

  it('accepts lowercase checksum digits', () => {
    const frame = frameAt(readAstmFrames(latin1('\x02Hx\r\x03' + frameChecksum(latin1('Hx\r\x03')).toLowerCase() + '\r\n')));

    // The frame number 'H' is no digit, but the checksum verdict does not depend on it.
    expect(frame.checksumValid).toBe(true);
    expect(frame.frameNumber).toBe(null);
  });

  it('reads the same frames whatever the chunk boundaries', () => {
    const stream = Buffer.concat([Buffer.of(0x05), ...encodeMessageFrames(latin1('H|\\^&\r'.padEnd(600, 'x') + '\rL|1|N\r')), Buffer.of(0x04)]);
    const whole = readAstmFrames(stream);

    for (let split = 1; split < stream.length; split += 7) {
      const reader = new AstmFrameReader();
      const tokens = [...reader.push(stream.subarray(0, split)), ...reader.push(stream.subarray(split)), ...reader.end()];
      expect(tokens).toEqual(whole);
    }
    expect(kinds(whole)).toEqual(['ENQ', 'frame', 'frame', 'frame', 'EOT']);
  });

  it('completes a frame ended by LF alone', () => {
    expect(frameAt(readAstmFrames(latin1('\x027L|1|N\r\x030A\n'))).end).toBe('lf');
  });

  it('waits for the LF after CR until told to finish', () => {
    const reader = new AstmFrameReader();

    expect(reader.push(latin1('\x027L|1|N\r\x030A\r'))).toEqual([]);
    expect(reader.awaitingFrameEnd).toBe(true);

    expect(frameAt(reader.finishFrame()).end).toBe('cr');
    expect(reader.awaitingFrameEnd).toBe(false);
    // The LF that arrives after all is part of that frame, not noise.
    expect(reader.push(latin1('\n'))).toEqual([]);
  });

  it('completes a frame when the next frame follows without CR LF', () => {
    const tokens = readAstmFrames(latin1('\x027L|1|N\r\x030A\x02'));
    expect(kinds(tokens)).toEqual(['frame', 'broken:incomplete-frame']);
    expect(frameAt(tokens, 0).end).toBe('none');
  });

  it('reports a frame cut short by EOT and then the EOT', () => {
    const tokens = readAstmFrames(latin1('\x021H|\\^&\x04'));

    expect(kinds(tokens)).toEqual(['broken:incomplete-frame', 'EOT']);
    expect(brokenFrameAt(tokens, 0).offset).toBe(0);
    expect(tokens[1]).toEqual({ kind: 'control', control: 'EOT', offset: 7 });
  });

  it('reports a frame cut short between its checksum digits', () => {
    expect(kinds(readAstmFrames(latin1('\x027L|1|N\r\x030\x05')))).toEqual(['broken:incomplete-frame', 'ENQ']);
  });

  it('skips a frame longer than its limit and reads the next', () => {
    const long = encodeFrame(1, Buffer.alloc(300, 0x41), true);
    const tokens = readAstmFrames(Buffer.concat([long, FRAME_7]), { maxFrameBytes: 100 });

    expect(kinds(tokens)).toEqual(['broken:frame-too-long', 'frame']);
    expect(brokenFrameAt(tokens, 0).frameNumber).toBe(1);
    expect(frameAt(tokens, 1).offset).toBe(long.length);
  });

  it('reports bytes outside frames as noise with their offset', () => {
    const tokens = readAstmFrames(latin1('ab\x05cd'));

    expect(tokens).toEqual([
      { kind: 'noise', offset: 0, length: 2 },
      { kind: 'control', control: 'ENQ', offset: 2 },
      { kind: 'noise', offset: 3, length: 2 },
    ]);
  });

  it('reads the LAB-24 capture as ENQ, five frames and EOT', () => {
    const tokens = readAstmFrames(readFixture('lab-cases/LAB-24.astm'));

    expect(kinds(tokens)).toEqual(['ENQ', 'frame', 'frame', 'frame', 'frame', 'frame', 'EOT']);
    const checksums = tokens.flatMap((token) => (token.kind === 'frame' ? [token.frame.checksum] : []));
    expect(checksums).toEqual(['a7', '4c', 'b5', 'f5', '08']);
  });
});

describe('frame writer', () => {
  it('splits text into numbered 247-byte frames', () => {
    const text = latin1('x'.repeat(240 * 9 + 5));
    const frames = encodeMessageFrames(text);

    expect(frames).toHaveLength(10);
    expect(frames.map((frame) => frame.length)).toEqual([247, 247, 247, 247, 247, 247, 247, 247, 247, 12]);
    expect(frames.map((frame) => String.fromCharCode(frame[1] as number))).toEqual(['1', '2', '3', '4', '5', '6', '7', '0', '1', '2']);
    expect(frames.map((frame) => frame[frame.length - 5])).toEqual([...Array(9).fill(0x17), 0x03]);
    const reread = readAstmFrames(Buffer.concat(frames));
    expect(reread.every((token) => token.kind === 'frame' && token.frame.checksumValid && token.frame.end === 'cr-lf')).toBe(true);
  });

  it('rejects text with framing characters', () => {
    expect(() => encodeMessageFrames(latin1('H|\\^&\x03\r'))).toThrowError(expect.objectContaining({ code: 'invalid-character', offset: 5 }));
    expect(() => encodeMessageFrames(latin1('H\n'))).toThrowError(expect.objectContaining({ code: 'invalid-character', offset: 1 }));
    expect(() => encodeMessageFrames(Buffer.alloc(0))).toThrowError(expect.objectContaining({ code: 'empty-message' }));
  });
});
