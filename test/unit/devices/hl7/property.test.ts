import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  DEFAULT_DELIMITERS,
  Hl7Error,
  MllpDecoder,
  buildMessage,
  escapeValue,
  frameMllp,
  parseMessage,
  parseMessages,
  readLabMessage,
  unescapeValue,
} from '../../../../devices/hl7/index.js';
import type { Hl7Message } from '../../../../devices/hl7/index.js';
import { hl7Fixture, labCase } from './support/fixtures.js';

/** Valid messages to mutate: lab cases and corpus files of each terminator style and charset. */
const SEEDS = [
  labCase('LAB-04.hl7'),
  labCase('LAB-09.hl7'),
  labCase('LAB-11.hl7'),
  labCase('LAB-12.hl7'),
  labCase('LAB-14.hl7'),
  labCase('LAB-16.hl7'),
  labCase('LAB-08.hl7'),
  hl7Fixture('msfc_LAB-ORU-1.hl7'),
  hl7Fixture('cdc_Oracle_001_Oracle_ORM_O01.hl7'),
];

const PATHS = ['MSH-9', 'MSH-10', 'MSH-18', 'PID-3[2].4', 'PID-5.1.1', 'OBX[2]-5', 'OBX-5[3]', 'OBX-6.2', 'ZZZ-1', 'NTE-3'];

/** Interesting bytes for HL7: delimiters, escapes, line breaks, MLLP bytes and UTF-8 lead bytes. */
const HL7_BYTE = fc.oneof(
  fc.integer({ min: 0, max: 255 }),
  fc.constantFrom(0x7c, 0x5e, 0x7e, 0x5c, 0x26, 0x0d, 0x0a, 0x0b, 0x1c, 0x00, 0xc3, 0xef, 0xbb, 0xbf, 0x58),
);

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), byte: HL7_BYTE }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.array(HL7_BYTE, { maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(seed: Buffer, mutations: readonly Mutation[]): Buffer {
  let bytes = Buffer.from(seed);
  for (const change of mutations) {
    const at = bytes.length === 0 ? 0 : change.at % bytes.length;
    if (change.kind === 'replace' && bytes.length > 0) bytes[at] = change.byte;
    if (change.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(change.bytes), bytes.subarray(at)]);
    if (change.kind === 'delete') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + change.length)]);
  }
  return bytes;
}

/** Parses and reads everything a receiver reads; returns the error if the parser rejected it. */
function exercise(bytes: Uint8Array): Hl7Message | Hl7Error {
  let message: Hl7Message;
  try {
    message = parseMessage(bytes);
  } catch (error) {
    if (error instanceof Hl7Error) return error;
    throw error;
  }
  for (const path of PATHS) message.get(path);
  readLabMessage(message);
  message.toString();
  return message;
}

describe('HL7 parser and MLLP decoder under random input', () => {
  it('rejects random bytes only with Hl7Error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        exercise(bytes);
        exercise(Buffer.concat([Buffer.from('MSH|^~\\&|'), bytes]));
      }),
      { numRuns: 500 },
    );
  });

  it('rejects mutated lab messages only with Hl7Error', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 6 }), (seed, mutations) => {
        const outcome = exercise(mutate(seed, mutations));
        if (outcome instanceof Hl7Error) {
          expect(outcome.message.length).toBeGreaterThan(0);
          expect(outcome.condition).toBeGreaterThanOrEqual(100);
        }
      }),
      { numRuns: 800 },
    );
  });

  it('splits random files into messages without throwing', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...SEEDS), { maxLength: 4 }), fc.array(mutation, { maxLength: 6 }), (seeds, mutations) => {
        const parsed = parseMessages(mutate(Buffer.concat(seeds), mutations));
        expect(parsed.errors.every((error) => error instanceof Hl7Error)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes any bytes in any chunking into typed events', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 12 }), fc.integer({ min: 1, max: 200 }), (chunks, limit) => {
        const decoder = new MllpDecoder({ maxMessageBytes: limit });
        const events = [...chunks.flatMap((chunk) => decoder.push(chunk)), ...decoder.end()];
        for (const event of events) {
          if (event.type === 'error') expect(event.error).toBeInstanceOf(Hl7Error);
          if (event.type === 'message') expect(event.payload.length).toBeLessThanOrEqual(limit);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('recovers framed payloads whatever the read boundaries', () => {
    const payload = fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.from(bytes.filter((byte) => byte !== 0x0b && byte !== 0x1c)));
    fc.assert(
      fc.property(fc.array(payload, { maxLength: 5 }), fc.array(fc.nat(), { maxLength: 8 }), (payloads, cuts) => {
        const stream = Buffer.concat(payloads.map((bytes) => frameMllp(bytes)));
        const boundaries = [...new Set(cuts.map((cut) => (stream.length === 0 ? 0 : cut % stream.length)))].sort((a, b) => a - b);
        const decoder = new MllpDecoder();
        const events = [0, ...boundaries].flatMap((start, index) => decoder.push(stream.subarray(start, [...boundaries, stream.length][index])));

        expect(events.map((event) => (event.type === 'message' ? event.payload.toString('hex') : event.type))).toEqual(payloads.map((bytes) => bytes.toString('hex')));
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips any text through escape and unescape', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => {
        expect(unescapeValue(escapeValue(text, DEFAULT_DELIMITERS), DEFAULT_DELIMITERS, 'utf-8')).toBe(text.replaceAll('\0', ''));
      }),
      { numRuns: 500 },
    );
  });

  it('reads back any field value it built', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 30 }), { minLength: 1, maxLength: 5 }), (values) => {
        const fields = Object.fromEntries(values.map((value, index) => [index + 1, value]));
        const message = buildMessage([{ id: 'MSH', fields: { 9: ['ORU', 'R01'], 10: 'C1', 12: '2.5.1' } }, { id: 'ZPT', fields }]);
        const reparsed = parseMessage(message.toBytes());

        values.forEach((value, index) => expect(reparsed.get(`ZPT-${index + 1}`)).toBe(value.replaceAll('\0', '')));
      }),
      { numRuns: 300 },
    );
  });

  it('parses a large adversarial message in linear time', () => {
    const value = '\\X'.repeat(100_000) + '\\' + '^&~'.repeat(50_000);
    const text = `MSH|^~\\&|A||||||ORU^R01|M|P|2.5\rOBX|1|ST|X||${value}\r`.repeat(4);
    const started = performance.now();
    const outcome = exercise(Buffer.from(text));

    expect(outcome).toBeInstanceOf(Hl7Error);
    expect(performance.now() - started).toBeLessThan(5000);
    const single = exercise(Buffer.from(text.slice(0, text.length / 4)));
    expect(single).not.toBeInstanceOf(Hl7Error);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
