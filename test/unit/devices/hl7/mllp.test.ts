import { Readable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { MllpDecoder, ackForError, frameMllp, readMllpStream } from '../../../../devices/hl7/index.js';
import type { MllpEvent } from '../../../../devices/hl7/index.js';
import { labCase } from './support/fixtures.js';

function payloads(events: readonly MllpEvent[]): string[] {
  return events.flatMap((event) => (event.type === 'message' ? [event.payload.toString('latin1')] : []));
}

function kinds(events: readonly MllpEvent[]): string[] {
  return events.map((event) => {
    if (event.type === 'message') return 'message';
    if (event.type === 'warning') return event.warning.code;
    return event.error.kind;
  });
}

const FIRST = 'MSH|^~\\&|A|B|||20240101||ORU^R01|ONE|P|2.5\rOBX|1|NM|GLU||5.4\r';
const SECOND = 'MSH|^~\\&|A|B|||20240101||ORU^R01|TWO|P|2.5\r';

describe('MLLP decoder', () => {
  it('finds the same two messages wherever one read is split', () => {
    const bytes = labCase('LAB-21.hl7');
    const whole = payloads(new MllpDecoder().push(bytes));

    expect(whole).toHaveLength(2);
    for (let split = 0; split <= bytes.length; split++) {
      const decoder = new MllpDecoder();
      const events = [...decoder.push(bytes.subarray(0, split)), ...decoder.push(bytes.subarray(split)), ...decoder.end()];
      expect(payloads(events), `split at ${split}`).toEqual(whole);
    }
  });

  it('decodes a stream fed one byte at a time', () => {
    const bytes = Buffer.concat([frameMllp(Buffer.from(FIRST)), frameMllp(Buffer.from(SECOND))]);
    const decoder = new MllpDecoder();
    const events = [...bytes].flatMap((byte) => decoder.push(Buffer.from([byte])));

    expect(payloads(events)).toEqual([FIRST, SECOND]);
    expect(events.filter((event) => event.type === 'message').map((event) => event.type === 'message' && event.offset)).toEqual([1, FIRST.length + 4]);
  });

  it('reports bytes outside blocks once per gap', () => {
    const bytes = Buffer.concat([Buffer.from('noise\r\n'), frameMllp(Buffer.from(FIRST)), Buffer.from([0, 0]), frameMllp(Buffer.from(SECOND))]);
    const events = new MllpDecoder().push(bytes);

    expect(kinds(events)).toEqual(['bytes-outside-block', 'message', 'bytes-outside-block', 'message']);
    expect(events[0]).toMatchObject({ warning: { offset: 0, message: '7 bytes outside an MLLP block were skipped' } });
  });

  it('drops an oversize block and keeps its head', () => {
    const big = 'MSH|^~\\&|A|B|||20240101||ORU^R01|BIG|P|2.5\rNTE|1||' + 'x'.repeat(5000) + '\r';
    const decoder = new MllpDecoder({ maxMessageBytes: 1000 });
    const bytes = Buffer.concat([frameMllp(Buffer.from(big)), frameMllp(Buffer.from(SECOND))]);
    const events = [...decoder.push(bytes.subarray(0, 700)), ...decoder.push(bytes.subarray(700))];

    expect(kinds(events)).toEqual(['message-too-large', 'message']);
    expect(payloads(events)).toEqual([SECOND]);
    const error = events[0];
    if (error?.type !== 'error') throw new Error('the first event is not an error');
    expect(error.head.toString('latin1')).toBe(big.slice(0, 1024));
    expect(error.error.ackCode).toBe('AR');
    expect(ackForError(error.error).get('MSA-2')).toBe('BIG');
  });

  it('reports a block cut off by a new start byte', () => {
    const bytes = Buffer.concat([Buffer.from([0x0b]), Buffer.from(FIRST.slice(0, 20)), frameMllp(Buffer.from(SECOND))]);
    const events = new MllpDecoder().push(bytes);

    expect(kinds(events)).toEqual(['incomplete-block', 'message']);
    expect(payloads(events)).toEqual([SECOND]);
  });

  it('reports a block left open when the stream ends', () => {
    const decoder = new MllpDecoder();
    const events = [...decoder.push(Buffer.concat([Buffer.from([0x0b]), Buffer.from(FIRST)])), ...decoder.end()];

    expect(kinds(events)).toEqual(['incomplete-block']);
  });

  it('accepts FS without CR late', () => {
    const decoder = new MllpDecoder();
    const withoutCr = Buffer.concat([Buffer.from([0x0b]), Buffer.from(FIRST), Buffer.from([0x1c])]);

    expect(decoder.push(withoutCr)).toEqual([]);
    const events = decoder.push(frameMllp(Buffer.from(SECOND)));
    expect(kinds(events)).toEqual(['missing-final-cr', 'message', 'message']);
    expect(payloads(events)).toEqual([FIRST, SECOND]);
  });

  it('keeps a payload intact when the caller reuses its read buffer', () => {
    const decoder = new MllpDecoder();
    const read = Buffer.from(frameMllp(Buffer.from(FIRST)).subarray(0, 10));
    decoder.push(read);
    read.fill(0x41);
    const events = decoder.push(frameMllp(Buffer.from(FIRST)).subarray(10));

    expect(payloads(events)).toEqual([FIRST]);
  });

  it('reads blocks from a Node stream', async () => {
    const framed = Buffer.concat([frameMllp(Buffer.from(FIRST)), frameMllp(Buffer.from(SECOND))]);
    const stream = Readable.from([framed.subarray(0, 13), framed.subarray(13, 40), framed.subarray(40)]);
    const events: MllpEvent[] = [];
    for await (const event of readMllpStream(stream)) events.push(event);

    expect(payloads(events)).toEqual([FIRST, SECOND]);
  });

  it('frames a payload with VT, FS and CR', () => {
    expect([...frameMllp(Buffer.from('AB'))]).toEqual([0x0b, 0x41, 0x42, 0x1c, 0x0d]);
  });
});
