import { readFileSync } from 'node:fs';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { AstmParseError, parseAstmMessages, readAstmFrames } from '../../../../devices/astm/index.js';
import { inspectCapture } from '../../../../devices/cli/inspect/inspect-capture.js';
import type { InspectReport } from '../../../../devices/cli/inspect/report.js';
import { Hl7Error, parseMessage } from '../../../../devices/hl7/index.js';
import type { AnalyzerProfile } from '../../../../devices/profiles/index.js';
import { loadShippedProfiles } from '../../../../devices/profiles/index.js';
import type { LabResultMapping, ReviewReasonCode } from '../../../../devices/results/index.js';
import { buildResultResources, mapAstmMessage, mapHl7Message } from '../../../../devices/results/index.js';

/**
 * Random and mutated captures never crash inspect or the results mapping. Inspect always returns a
 * report whose validity matches its errors and whose offsets lie in the capture. The mapping of
 * anything the parsers accept returns drafts with known review reasons and distinct ids.
 */
const CAPTURE_FILES = [
  'lab-cases/LAB-01.hl7',
  'lab-cases/LAB-06.hl7',
  'lab-cases/LAB-14.hl7',
  'lab-cases/LAB-16.hl7',
  'lab-cases/LAB-19.hl7',
  'lab-cases/LAB-21.hl7',
  'lab-cases/LAB-24.astm',
  'lab-cases/LAB-25.astm',
  'lab-cases/LAB-27.astm',
  'lab-cases/LAB-31.astm',
  'lab-cases/LAB-33.astm',
  'astm/senaite_pentra_xlr.txt',
  'astm/senaite_cobas_c311.txt',
  'astm/senaite_abbott_afinion2.txt',
  'hl7/cdc_Oracle_004_Oracle_ORU_R01.hl7',
  'hl7/msfc_LAB-ORU-1.hl7',
];
const CAPTURES = CAPTURE_FILES.map((file) => readFileSync(new URL(`../../../fixtures/${file}`, import.meta.url)));
const PROFILES = loadShippedProfiles().profiles.map((loaded) => loaded.profile);
const REVIEW_CODES = new Set<ReviewReasonCode>(['no-accession', 'unmapped-test', 'critical-flag', 'unknown-flag', 'status-needs-review', 'unit-mismatch', 'unparseable-value']);

/** Bytes that steer the frame reader, the MLLP decoder and both parsers into their branches. */
const STEERING_BYTES = [0x02, 0x03, 0x04, 0x05, 0x0b, 0x0d, 0x0a, 0x1c, 0x17, 0x00, 0x7c, 0x5e, 0x5c, 0x26, 0x7e, 0x31, 0x48, 0x52, 0x4f];
const MARKERS = ['MSH|^~\\&|', 'OBX|1|NM|', 'SPM|1|', 'OBR|1||', 'H|\\^&|', 'R|1|^^^X|', 'O|1|S|', 'L|1|N'];

const randomCapture = fc.oneof(
  fc.uint8Array({ maxLength: 600 }),
  fc.array(fc.oneof(fc.constantFrom(...STEERING_BYTES), fc.integer({ min: 0, max: 255 })), { maxLength: 600 }).map((values) => Uint8Array.from(values)),
  fc.array(fc.oneof(fc.constantFrom(...MARKERS), fc.string({ maxLength: 12 })), { maxLength: 30 }).map((parts) => Buffer.from(parts.join('\r'), 'latin1')),
);

const edits = fc.array(fc.record({ position: fc.nat(), kind: fc.constantFrom('replace', 'insert', 'delete'), value: fc.constantFrom(...STEERING_BYTES, 0x20, 0x39, 0xff) }), {
  minLength: 1,
  maxLength: 10,
});

function mutate(bytes: Uint8Array, changes: readonly { position: number; kind: string; value: number }[]): Buffer {
  const result = [...bytes];
  for (const change of changes) {
    const position = result.length === 0 ? 0 : change.position % result.length;
    if (change.kind === 'replace' && result.length > 0) result[position] = change.value;
    else if (change.kind === 'insert') result.splice(position, 0, change.value);
    else result.splice(position, 1);
  }
  return Buffer.from(result);
}

function expectSoundReport(bytes: Uint8Array, report: InspectReport): void {
  expect(report.valid).toBe(report.errors.length === 0);
  expect(report.bytes).toBe(bytes.length);
  for (const issue of [...report.errors, ...report.warnings]) {
    expect(typeof issue.code).toBe('string');
    if (issue.offset !== undefined) {
      expect(issue.offset).toBeGreaterThanOrEqual(0);
      expect(issue.offset).toBeLessThanOrEqual(bytes.length);
    }
  }
  for (const frame of report.frames ?? []) expect(frame.offset + frame.length).toBeLessThanOrEqual(bytes.length);
  for (const message of report.messages) expectSoundMapping(message.results);
  expect(() => JSON.stringify(report)).not.toThrow();
}

function expectSoundMapping(mapping: LabResultMapping): void {
  const results = mapping.groups.flatMap((group) => group.results);
  expect(new Set(results.map((result) => result.id)).size).toBe(results.length);
  for (const result of results) {
    for (const reason of result.review) expect(REVIEW_CODES.has(reason.code)).toBe(true);
    if (result.match.kind === 'ignored') expect(result.review).toEqual([]);
  }
  for (const group of mapping.groups) {
    const resources = buildResultResources(mapping, group);
    expect(resources.diagnosticReport.id).toBe(group.id);
  }
}

function profileFor(protocol: AnalyzerProfile['protocol']['name'], index: number): AnalyzerProfile | undefined {
  const candidates = PROFILES.filter((profile) => profile.protocol.name === protocol);
  return index < candidates.length ? candidates[index] : undefined;
}

describe('inspect under random input', () => {
  it('reports on any bytes', () => {
    fc.assert(
      fc.property(randomCapture, (bytes) => {
        expectSoundReport(bytes, inspectCapture(bytes, { file: 'random', timeZone: 'UTC' }));
      }),
      { numRuns: 300 },
    );
  });

  it('reports on mutated captures', () => {
    fc.assert(
      fc.property(fc.nat({ max: CAPTURES.length - 1 }), edits, (index, changes) => {
        const bytes = mutate(CAPTURES[index] as Buffer, changes);
        expectSoundReport(bytes, inspectCapture(bytes, { file: CAPTURE_FILES[index] as string, timeZone: 'Europe/Berlin' }));
      }),
      { numRuns: 300 },
    );
  });
});

describe('results mapping under mutated messages', () => {
  it('maps any ASTM message the parser accepts', () => {
    const texts = CAPTURES.filter((bytes, index) => !(CAPTURE_FILES[index] as string).endsWith('.hl7')).map((bytes) =>
      Buffer.concat(readAstmFrames(bytes).flatMap((token) => (token.kind === 'frame' ? [token.frame.text] : []))),
    );

    fc.assert(
      fc.property(fc.nat({ max: texts.length - 1 }), edits, fc.nat({ max: 12 }), (index, changes, profileIndex) => {
        const text = mutate(texts[index] as Buffer, changes);
        let messages;
        try {
          messages = parseAstmMessages(text);
        } catch (error) {
          expect(error).toBeInstanceOf(AstmParseError);
          return;
        }
        const profile = profileFor('astm-e1381', profileIndex);
        messages.forEach((message, part) => expectSoundMapping(mapAstmMessage(message, { raw: text, part, timeZone: 'UTC', ...(profile ? { profile } : {}) })));
      }),
      { numRuns: 300 },
    );
  });

  it('maps any HL7 message the parser accepts', () => {
    const messages = CAPTURES.filter((_, index) => (CAPTURE_FILES[index] as string).endsWith('.hl7')).map((bytes) => {
      const start = bytes.indexOf('MSH');
      return bytes.subarray(start);
    });

    fc.assert(
      fc.property(fc.nat({ max: messages.length - 1 }), edits, fc.boolean(), (index, changes, withProfile) => {
        const bytes = mutate(messages[index] as Buffer, changes);
        let message;
        try {
          message = parseMessage(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(Hl7Error);
          return;
        }
        const profile = withProfile ? profileFor('hl7-mllp', 0) : undefined;
        expectSoundMapping(mapHl7Message(message, { raw: bytes, timeZone: 'America/New_York', ...(profile ? { profile } : {}) }));
      }),
      { numRuns: 300 },
    );
  });
});
