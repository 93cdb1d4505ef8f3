import { readFileSync } from 'node:fs';

import { beforeAll, describe, expect, it } from 'vitest';

import type { InspectReport, RecordReport } from '../../../../devices/cli/inspect/report.js';
import type { LabResultDraft } from '../../../../devices/results/index.js';
import { fieldOf, inBatches, inspectFixture, recordOf, recordsOf, repetitionsOf } from './support/run-inspect.js';

/**
 * Every lab case in test/fixtures/lab-cases meets the outcome expected.json sets, as
 * `hms-lab inspect` reports it. The ASTM and HL7 tests also run the link-layer and MLLP cases over
 * live connections. Here the check is what inspect reports: frames, checksum verdicts, replies,
 * records and errors with their offsets.
 */
interface Expectation {
  readonly case: string;
  readonly protocol: 'hl7v2' | 'astm';
  readonly outcome: string;
  readonly bytes: number;
  readonly segment_ids?: readonly string[];
  readonly records?: readonly string[];
  readonly values?: Record<string, unknown>;
  readonly warning?: string;
  readonly error?: { readonly kind: string; readonly segment_index: number; readonly segment_text_starts: string };
  readonly structure?: Record<string, number>;
  readonly groups?: readonly Record<string, unknown>[];
  readonly messages?: readonly string[];
  readonly responses?: readonly string[];
  readonly frame_checksums_sent?: readonly string[];
  readonly checksum_of_frame_7?: { readonly correct: string; readonly sent_first: string };
  readonly frame_numbers?: readonly number[];
  readonly frame_text_length?: number;
  readonly delimiters?: Record<string, string>;
  readonly query?: Record<string, string>;
}

const EXPECTED = JSON.parse(readFileSync(new URL('../../../fixtures/lab-cases/expected.json', import.meta.url), 'utf8')) as Record<string, Expectation>;
const FILES = Object.keys(EXPECTED).sort();
const runs = new Map<string, { code: number | null; report: InspectReport }>();

beforeAll(async () => {
  const results = await inBatches(FILES, 2, (file) => inspectFixture(`lab-cases/${file}`));
  results.forEach((result, index) => runs.set(FILES[index] as string, result));
}, 120_000);

function run(file: string): { code: number | null; report: InspectReport; expected: Expectation } {
  const result = runs.get(file);
  if (!result) throw new Error(`inspect did not run on ${file}`);
  return { ...result, expected: EXPECTED[file] as Expectation };
}

/** Reads an HL7 value by the path expected.json uses: `OBX[2]-5`, `PID-3[2].4`, `PID-5.1`, or `<path> repetition count`. */
function hl7ValueAt(report: InspectReport, key: string): string | number {
  const count = / repetition count$/.exec(key);
  const path = count ? key.slice(0, count.index) : key;
  const match = /^([A-Z0-9]{3})(?:\[(\d+)\])?-(\d+)(?:\[(\d+)\])?(?:\.(\d+))?$/.exec(path);
  if (!match) throw new Error(`unreadable path ${key}`);
  const [, segment, occurrence, field, repetition, component] = match;
  const repetitions = repetitionsOf(fieldOf(recordOf(report, segment as string, Number(occurrence ?? 1)), `${segment}-${field}`));
  if (count) return repetitions.length;

  const components = repetitions[Number(repetition ?? 1) - 1] ?? [];
  if (component !== undefined) return components[Number(component) - 1] ?? '';
  const delimiter = fieldOf(recordOf(report, 'MSH'), 'MSH-2')?.value?.[0] ?? '^';
  return components.join(delimiter);
}

/** Reads an ASTM value by the path expected.json uses: `R[3].4`, `O.3`, `R[1].3.5`. */
function astmValueAt(report: InspectReport, key: string): string {
  const match = /^([A-Z])(?:\[(\d+)\])?\.(\d+)(?:\.(\d+))?$/.exec(key);
  if (!match) throw new Error(`unreadable path ${key}`);
  const [, type, occurrence, field, component] = match;
  const repetitions = repetitionsOf(fieldOf(recordOf(report, type as string, Number(occurrence ?? 1)), `${type}.${field}`));
  const components = repetitions[0] ?? [''];
  return component === undefined ? components.join('^') : (components[Number(component) - 1] ?? '');
}

function resultAt(report: InspectReport, location: string): LabResultDraft {
  const result = report.messages.flatMap((message) => message.results.groups.flatMap((group) => group.results)).find((draft) => draft.location === location);
  if (!result) throw new Error(`no result at ${location}`);
  return result;
}

function expectOutcome(file: string, code: number | null, report: InspectReport, expected: Expectation): void {
  const accepted = expected.outcome !== 'reject';
  expect(code, `${file}: exit status`).toBe(accepted ? 0 : 1);
  expect(report.valid, `${file}: valid`).toBe(accepted);
  expect(report.bytes, `${file}: bytes`).toBe(expected.bytes);
  expect(report.protocol, `${file}: protocol`).toBe(expected.protocol === 'astm' ? 'astm' : 'hl7');
}

function types(records: readonly RecordReport[]): string[] {
  return records.map((record) => record.type);
}

describe('HL7 lab cases through hms-lab inspect', () => {
  const hl7Files = FILES.filter((file) => EXPECTED[file]?.protocol === 'hl7v2');

  it.each(hl7Files)('%s meets its outcome', (file) => {
    const { code, report, expected } = run(file);
    expectOutcome(file, code, report, expected);

    if (expected.segment_ids) expect(types(recordsOf(report)), `${file}: segments`).toEqual(expected.segment_ids);
    for (const [key, value] of Object.entries(expected.values ?? {})) {
      if (typeof value === 'object') continue; // LAB-14 lists results, checked below
      expect(hl7ValueAt(report, key), `${file}: ${key}`).toEqual(value);
    }
  });

  it('LAB-03: warns that LF ended the segments', () => {
    const { report, expected } = run('LAB-03.hl7');
    const warning = report.warnings.find((entry) => entry.code === 'lf-terminator');

    expect(warning?.message).toBe(expected.warning);
    expect(warning?.offset).toBe(0);
  });

  it('LAB-06: one MLLP block with a BOM inside', () => {
    const { report } = run('LAB-06.hl7');

    expect(report.framing).toBe('mllp');
    expect(report.blocks).toEqual([{ offset: 0, payloadOffset: 1, payloadLength: 185, message: 0 }]);
    // The MSH starts after VT and the three bytes of the byte order mark.
    expect(report.messages[0]?.offset).toBe(4);
  });

  it('LAB-09: delimiter escapes stay one value', () => {
    const { report, expected } = run('LAB-09.hl7');
    const field = fieldOf(recordOf(report, 'OBX', 1), 'OBX-5');

    expect(field?.repetitions).toBeUndefined();
    expect(repetitionsOf(field)).toHaveLength(expected.structure?.['OBX[1]-5 repetitions'] ?? -1);
    expect(repetitionsOf(field)[0]).toHaveLength(expected.structure?.['OBX[1]-5 components'] ?? -1);
    expect(resultAt(report, 'OBX[1]').value).toEqual({ kind: 'text', text: expected.values?.['OBX[1]-5'] });
  });

  it('LAB-14: results keep comparators, ratios, ranges, codes and lines', () => {
    const { report, expected } = run('LAB-14.hl7');

    for (const [location, values] of Object.entries(expected.values ?? {})) {
      const result = resultAt(report, location);
      const want = values as Record<string, unknown>;
      const value = result.value as Record<string, unknown>;
      const where = `LAB-14 ${location}`;
      const position = Number(/\d+/.exec(location)?.[0]);

      expect(fieldOf(recordOf(report, 'OBX', position), 'OBX-2')?.value, `${where} type`).toBe(want.type);
      if (typeof want.value === 'number') expect(value.value, `${where} value`).toBe(want.value);
      if (typeof want.value === 'string') expect(value.text, `${where} value`).toBe(want.value);
      if (want.comparator !== undefined) expect(value.comparator, `${where} comparator`).toBe(want.comparator);
      if (want.raw !== undefined) expect(result.sentValue, `${where} raw`).toBe(want.raw);
      if (want.warning !== undefined) expect(result.warnings, `${where} warning`).toContain(want.warning);
      if (want.flag !== undefined) expect(result.interpretation.map((flag) => flag.sent), `${where} flag`).toEqual([want.flag]);
      if (want.unit !== undefined) expect(result.unit.sent, `${where} unit`).toBe(want.unit);
      if (typeof want.range === 'string') expect(result.referenceRange?.text, `${where} range`).toBe(want.range);
      if (Array.isArray(want.range)) expect([value.low, value.high], `${where} range value`).toEqual(want.range);
      if (Array.isArray(want.ratio)) expect([value.numerator, value.denominator], `${where} ratio`).toEqual(want.ratio);
      if (want.separator !== undefined) expect(result.sentValue, `${where} separator`).toContain(want.separator);
      if (want.code !== undefined) expect([value.code, value.system, value.display], `${where} coded`).toEqual([want.code, want.system, want.text]);
      if (Array.isArray(want.repetitions)) expect(String(value.text).split('\n'), `${where} lines`).toEqual(want.repetitions);
      expect(value.kind, `${where} is not blank`).not.toBe('empty');
    }
  });

  it('LAB-16: three order groups in segment order', () => {
    const { report, expected } = run('LAB-16.hl7');
    const groups = report.messages[0]?.results.groups ?? [];
    const segments = types(recordsOf(report));

    expect(groups).toHaveLength(expected.groups?.length ?? -1);
    expected.groups?.forEach((group, index) => {
      const actual = groups[index];
      expect(actual?.placerOrderNumber, `group ${index + 1} order`).toBe(group['ORC-2']);
      expect(hl7ValueAt(report, `ORC[${index + 1}]-2`), `group ${index + 1} ORC-2`).toBe(group['ORC-2']);
      expect(actual?.orderedTests[0]?.code, `group ${index + 1} test`).toBe(group['OBR-4.1']);
      expect(actual?.results.map((result) => result.sentValue), `group ${index + 1} values`).toEqual(group['OBX-5']);
      if (group['NTE-3']) expect(actual?.results[0]?.notes, `group ${index + 1} notes`).toEqual(group['NTE-3']);
    });
    expect(segments.indexOf('ZRS')).toBeGreaterThan(segments.indexOf('OBX'));
    expect(segments.indexOf('ZRS')).toBeLessThan(segments.lastIndexOf('ORC') - 3);
    expect(segments.at(-1)).toBe('ZQC');
  });

  it('LAB-18: rejects the broken segment with its offset', () => {
    const { report, expected } = run('LAB-18.hl7');
    const [error] = report.errors;

    expect(report.messages).toEqual([]);
    expect(error?.code).toBe('invalid-segment-id');
    expect(error?.location?.sequence).toBe(expected.error?.segment_index);
    expect(error?.segmentText?.startsWith(expected.error?.segment_text_starts ?? '?')).toBe(true);
    expect(error?.offset).toBe(readFileSync(new URL('../../../fixtures/lab-cases/LAB-18.hl7', import.meta.url)).indexOf('SUITE 100'));
  });

  it('LAB-19: the specimen of an OUL^R22 is the accession', () => {
    const { report } = run('LAB-19.hl7');

    expect(report.messages[0]?.messageType).toBe('OUL^R22^OUL_R22');
    expect(report.messages[0]?.controlId).toBe('6100000-7500000');
    expect(report.messages[0]?.results.groups[0]?.accession).toBe('SPC019');
    expect(report.messages[0]?.results.groups[0]?.accessionSource).toBe('SPM-2.1');
  });

  it('LAB-21: two blocks in order, NULs skipped with a warning', () => {
    const { report, expected } = run('LAB-21.hl7');
    const bytes = readFileSync(new URL('../../../fixtures/lab-cases/LAB-21.hl7', import.meta.url));

    expect(report.messages.map((message) => message.controlId)).toEqual(expected.messages);
    expect(report.blocks?.map((block) => block.offset)).toEqual([0, bytes.indexOf(0x0b, 1)]);
    expect(report.warnings.find((warning) => warning.code === 'bytes-outside-block')?.offset).toBe(bytes.indexOf(0x00));
  });

  it('LAB-22: one block', () => {
    const { report, expected } = run('LAB-22.hl7');
    expect(report.blocks).toHaveLength(1);
    expect(report.messages.map((message) => message.controlId)).toEqual(expected.messages);
  });
});

describe('ASTM lab cases through hms-lab inspect', () => {
  const astmFiles = FILES.filter((file) => EXPECTED[file]?.protocol === 'astm');

  it.each(astmFiles)('%s meets its outcome', (file) => {
    const { code, report, expected } = run(file);
    expectOutcome(file, code, report, expected);
    expect(report.framing).toBe('astm-frames');

    if (expected.records) expect(types(recordsOf(report)), `${file}: records`).toEqual(expected.records);
    // `responses` lists the reply to the ENQ first and ends with none for the EOT.
    if (expected.responses) {
      const frameReplies = expected.responses.slice(1, -1).map((reply) => reply.split(' ')[0]);
      expect(report.frames?.map((frame) => frame.reply), `${file}: replies`).toEqual(frameReplies);
    }
    for (const [key, value] of Object.entries(expected.values ?? {})) {
      if (/^R\[\d+\]\.\d+$|^[A-Z]\.\d+$/.test(key)) expect(astmValueAt(report, key), `${file}: ${key}`).toBe(value);
    }
  });

  it('LAB-24: lowercase checksums are valid', () => {
    const { report, expected } = run('LAB-24.astm');

    expect(report.frames?.map((frame) => frame.checksum)).toEqual(expected.frame_checksums_sent);
    expect(report.frames?.every((frame) => frame.checksumValid)).toBe(true);
    expect(report.warnings.filter((warning) => warning.code !== 'no-profile-fits')).toEqual([]);
  });

  it('LAB-25: the bad frame 7 is NAKed and its resend stored once', () => {
    const { report, expected } = run('LAB-25.astm');
    const bytes = readFileSync(new URL('../../../fixtures/lab-cases/LAB-25.astm', import.meta.url));
    const bad = report.frames?.[6];

    expect(bad?.frameNumber).toBe(7);
    expect(bad?.checksum).toBe(expected.checksum_of_frame_7?.sent_first);
    expect(bad?.expectedChecksum).toBe(expected.checksum_of_frame_7?.correct);
    expect(bad?.checksumValid).toBe(false);
    expect(bad?.code).toBe('checksum-mismatch');
    expect(bad?.offset).toBe(bytes.indexOf('\x027L|1|N'));
    expect(report.warnings.find((warning) => warning.code === 'checksum-mismatch')?.offset).toBe(bad?.offset);
    expect(report.transfers).toEqual([{ offset: 0, outcome: 'delivered', frames: 7, messages: [0] }]);
    expect(astmValueAt(report, 'C.4')).toBe(expected.values?.['C.4']);
    expect(repetitionsOf(fieldOf(recordOf(report, 'O'), 'O.5')).map((components) => components.join('^'))).toEqual(expected.values?.['O.5 repeats']);
  });

  it('LAB-27: frame numbers wrap 7, 0, 1', () => {
    const { report, expected } = run('LAB-27.astm');

    expect(report.frames?.map((frame) => frame.frameNumber)).toEqual(expected.frame_numbers);
    expect(report.frames?.map((frame) => frame.final)).toEqual([false, false, false, false, false, false, false, false, true]);
    expect(repetitionsOf(fieldOf(recordOf(report, 'O'), 'O.5'))).toHaveLength(expected.values?.['O.5 repeats'] as number);
    expect(resultAt(report, 'R[3]').interpretation[0]?.code).toBe('H');
  });

  it('LAB-28: one oversized frame, accepted with a warning', () => {
    const { report, expected } = run('LAB-28.astm');
    const [frame] = report.frames ?? [];

    expect(report.frames).toHaveLength(1);
    // STX, frame number, text, ETX, two checksum characters, CR, LF.
    expect(frame?.length).toBe((expected.frame_text_length ?? 0) + 7);
    expect(frame?.reply).toBe('ACK');
    expect(report.warnings.find((warning) => warning.code === 'oversized-frame')?.offset).toBe(1);
    expect(repetitionsOf(fieldOf(recordOf(report, 'O'), 'O.5'))).toHaveLength(expected.values?.['O.5 repeats'] as number);
    expect(report.profile).toBeNull();
    expect(report.warnings.find((warning) => warning.code === 'ambiguous-profile')?.message).toMatch(/horiba-pentra-xlr and horiba-yumizen-h500|horiba-yumizen-h500 and horiba-pentra-xlr/);
  });

  it('LAB-31: delimiters from H, escapes and an extra field', () => {
    const { report, expected } = run('LAB-31.astm');
    const values = expected.values ?? {};
    const secondFlags = fieldOf(recordOf(report, 'R', 2), 'R.7');
    const third = recordOf(report, 'R', 3);

    expect(fieldOf(recordOf(report, 'H'), 'H.2')?.value).toBe(values['H.2 (delimiter definition, not data)']);
    expect(astmValueAt(report, 'R[1].11')).toBe(values['R[1].11']);
    expect(astmValueAt(report, 'R[1].3.5')).toBe(values['R[1].3.5']);
    expect(astmValueAt(report, 'R[1].3.7')).toBe(values['R[1].3.7']);
    expect(secondFlags?.value).toBe(values['R[2].7']);
    expect(repetitionsOf(secondFlags)).toHaveLength(values['R[2].7 repeat count'] as number);
    expect(third?.fields.at(-1)?.field).toBe(`R.${String(values['R[3] field count'])}`);
    expect(astmValueAt(report, 'R[3].15')).toBe(values['R[3].15']);
    expect(astmValueAt(report, 'R[3].4.1')).toBe(values['R[3].4.1']);
    expect(astmValueAt(report, 'R[3].4.2')).toBe(values['R[3].4.2']);
  });

  it('LAB-33: a host query carries no results', () => {
    const { report, expected } = run('LAB-33.astm');

    expect(astmValueAt(report, 'Q.3.2')).toBe(expected.query?.['Q.3.2 specimen id']);
    expect(astmValueAt(report, 'Q.5')).toBe(expected.query?.['Q.5']);
    expect(astmValueAt(report, 'Q.13')).toBe(expected.query?.['Q.13']);
    expect(astmValueAt(report, 'L.3')).toBe(expected.query?.['L.3']);
    expect(report.messages[0]?.results.groups).toEqual([]);
    expect(report.messages[0]?.results.notices).toEqual(['The message carries no results (R records); its records are H, Q, L']);
  });
});
