import { describe, expect, it } from 'vitest';

import { Hl7Error, ackForError, buildAck, escapeValue, frameMllp, parseMessage, readLabMessage, readObservation } from '../../../../devices/hl7/index.js';
import type { Hl7Message, Observation, OrderGroup } from '../../../../devices/hl7/index.js';
import { labCase, labCaseExpectations, present } from './support/fixtures.js';
import type { LabCaseExpectation } from './support/fixtures.js';
import { OUR_APPLICATION, OUR_FACILITY, TestReceiver, unframe } from './support/receiver.js';

/**
 * The HL7 lab cases: each input file meets the outcome that expected.json (copied beside it) sets.
 * Expectations are read from that file, so this test checks the corpus's outcomes, not ours.
 */
const EXPECTED = labCaseExpectations();

function expectation(file: string): LabCaseExpectation {
  return present(EXPECTED[file], `expected.json entry for ${file}`);
}

/** Reads a value named the way expected.json names it: a path, or "<path> repetition count". */
function valueAt(message: Hl7Message, key: string): string | number {
  const count = / repetition count$/.exec(key);
  if (count) return message.getAll(key.slice(0, count.index)).length;
  return message.get(key);
}

function expectValues(message: Hl7Message, values: Record<string, unknown> | undefined): void {
  expect(values, 'expected.json lists values').toBeDefined();
  for (const [key, value] of Object.entries(values ?? {})) {
    expect(valueAt(message, key), key).toEqual(value);
  }
}

function receiveWhole(file: string): ReturnType<TestReceiver['read']> {
  return new TestReceiver().read(labCase(file));
}

describe('HL7 lab cases', () => {
  it('LAB-01: CR LF and empty lines', () => {
    const expected = expectation('LAB-01.hl7');
    const message = parseMessage(labCase('LAB-01.hl7'));

    expect(message.segments.map((segment) => segment.id)).toEqual(expected.segment_ids);
    expectValues(message, expected.values);
    expect(message.warnings).toEqual([]);
  });

  it('LAB-03: LF only with a warning', () => {
    const expected = expectation('LAB-03.hl7');
    const message = parseMessage(labCase('LAB-03.hl7'));

    expect(expected.outcome).toBe('accept_with_warning');
    expect(message.segments.map((segment) => segment.id)).toEqual(expected.segment_ids);
    expectValues(message, expected.values);
    expect(message.warnings.map((warning) => warning.message)).toEqual([expected.warning]);
  });

  it('LAB-03: LF only rejected when strict', () => {
    expect(() => parseMessage(labCase('LAB-03.hl7'), { strict: true })).toThrow(expect.objectContaining({ kind: 'no-cr-terminator' }));
  });

  it('LAB-04: UTF-8 by MSH-18', () => {
    const expected = expectation('LAB-04.hl7');
    const message = parseMessage(labCase('LAB-04.hl7'));

    expectValues(message, expected.values);
    expect(message.encoding).toBe('utf-8');
    expect(message.toString()).not.toContain('\ufffd');
  });

  it('LAB-06: BOM inside the block', () => {
    const expected = expectation('LAB-06.hl7');
    const outcome = receiveWhole('LAB-06.hl7');
    const message = present(outcome.accepted[0], 'accepted message');
    const ack = unframe(present(outcome.replies[0], 'reply'));

    expect(outcome.rejected).toEqual([]);
    expectValues(message, expected.values);
    expect(message.segments[0]?.id).toBe('MSH');
    for (const [path, value] of Object.entries(expected.response ?? {})) expect(ack.get(path), path).toBe(value);
  });

  it('LAB-06: BOM before VT skipped', () => {
    const framed = labCase('LAB-06.hl7');
    const withoutInnerBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0x0b]), framed.subarray(4)]);
    const outcome = new TestReceiver().read(withoutInnerBom);

    expect(outcome.warnings.map((warning) => warning.code)).toEqual(['bytes-outside-block']);
    expect(outcome.accepted.map((message) => message.controlId)).toEqual(['MSG00006']);
    expect(unframe(present(outcome.replies[0], 'reply')).get('MSA-1')).toBe('AA');
  });

  it('LAB-08: three encoding characters', () => {
    const expected = expectation('LAB-08.hl7');
    const message = parseMessage(labCase('LAB-08.hl7'));
    const ackText = buildAck(message, { code: 'AA' }).toString();
    const ack = parseMessage(ackText);

    expectValues(message, expected.values);
    expect(message.delimiters).toMatchObject({ component: '^', repetition: '~', escape: '&', subcomponent: undefined });
    expect(ackText.startsWith('MSH|^~&|')).toBe(true);
    for (const [path, value] of Object.entries(expected.response ?? {})) expect(ack.get(path), path).toBe(value);
  });

  it('LAB-09: escapes and unterminated escapes', () => {
    const expected = expectation('LAB-09.hl7');
    const message = parseMessage(labCase('LAB-09.hl7'));
    const firstObx = present(message.segment('OBX'), 'OBX[1]');
    const [repetition, ...moreRepetitions] = firstObx.repetitions(5);

    expectValues(message, expected.values);
    expect(moreRepetitions).toHaveLength((expected.structure?.['OBX[1]-5 repetitions'] ?? 0) - 1);
    expect(present(repetition, 'OBX[1]-5').split(message.delimiters.component)).toHaveLength(present(expected.structure?.['OBX[1]-5 components'], 'components'));
    expect(escapeValue(message.get('OBX[1]-5'), message.delimiters)).toBe(firstObx.field(5));
    expect(expected.roundtrip).toContain(escapeValue(message.get('OBX[1]-5'), message.delimiters));
  });

  it('LAB-11: hex escapes in UTF-8', () => {
    const expected = expectation('LAB-11.hl7');
    const message = parseMessage(labCase('LAB-11.hl7'));

    expectValues(message, expected.values);
    expect(message.segments.map((segment) => segment.id)).toEqual(['MSH', 'PID', 'OBR', 'OBX', 'OBX']);
  });

  it('LAB-12: repetitions and round trip', () => {
    const expected = expectation('LAB-12.hl7');
    const bytes = labCase('LAB-12.hl7');
    const message = parseMessage(bytes);

    expectValues(message, expected.values);
    expect(message.toBytes().equals(bytes)).toBe(true);
  });

  it('LAB-14: OBX value types', () => {
    const expected = expectation('LAB-14.hl7');
    const message = parseMessage(labCase('LAB-14.hl7'));
    const observations = message.segmentsWithId('OBX').map(readObservation);

    for (const [key, value] of Object.entries(expected.values ?? {})) {
      const index = Number(/^OBX\[(\d+)\]$/.exec(key)?.[1]) - 1;
      expect(describeObservation(present(observations[index], key)), key).toMatchObject(value as object);
    }
    expect(observations.every((observation) => observation.values.length > 0)).toBe(true);
  });

  it('LAB-16: three order groups', () => {
    const expected = expectation('LAB-16.hl7');
    const message = parseMessage(labCase('LAB-16.hl7'));
    const lab = readLabMessage(message);

    expect(lab.orders.map((group) => group.request?.setId)).toEqual(['1', '1', '1']);
    expect(lab.orders.map(describeGroup)).toMatchObject(present(expected.groups, 'groups'));
    expectValues(message, expected.values);
    // ZQC follows the last OBX, so it stays with the last group it follows.
    expect(lab.orders[2]?.otherSegments.map((segment) => segment.id)).toEqual(['ZQC']);
    expect(lab.otherSegments).toEqual([]);
  });

  it('LAB-18: split segment answered AE', () => {
    const expected = expectation('LAB-18.hl7');
    const error = parseError(labCase('LAB-18.hl7'));
    const ack = ackForError(error, { sendingApplication: OUR_APPLICATION });

    expect(expected.outcome).toBe('reject');
    expect(error.kind).toBe(expected.error?.kind.replaceAll(' ', '-'));
    expect(error.location?.sequence).toBe(expected.error?.segment_index);
    expect(error.segmentText?.startsWith(present(expected.error?.segment_text_starts, 'segment text'))).toBe(true);
    expect(ack.get('MSA-1')).toBe(expected.response?.['MSA-1']);
    expect(ack.get('MSA-2')).toBe(expected.response?.['MSA-2']);
    expect(ack.get('ERR-2.2')).toBe(String(expected.error?.segment_index));
    expect(ack.get('ERR-3.1')).toBe('100');
    expect(ack.get('MSH-5')).toBe('LAB');
    expect(ack.get('MSH-9')).toBe('ACK^R01^ACK');
  });

  it('LAB-18: split segment over MLLP', () => {
    const outcome = new TestReceiver().read(frameMllp(labCase('LAB-18.hl7')));

    expect(outcome.accepted).toEqual([]);
    expect(outcome.rejected.map((error) => error.kind)).toEqual(['invalid-segment-id']);
    expect(unframe(present(outcome.replies[0], 'reply')).get('MSA-1')).toBe('AE');
  });

  it('LAB-19: ACK in enhanced mode', () => {
    const expected = present(expectation('LAB-19.hl7').response, 'response');
    const outcome = receiveWhole('LAB-19.hl7');
    const reply = present(outcome.replies[0], 'reply');
    const ack = unframe(reply);

    expect(ack.get('MSA-1')).toBe(expected['MSA-1']);
    expect(ack.get('MSA-2')).toBe(expected['MSA-2']);
    expect(ack.get('MSH-3')).toBe(OUR_APPLICATION);
    expect(ack.get('MSH-4')).toBe(OUR_FACILITY);
    for (const path of ['MSH-5', 'MSH-6', 'MSH-9', 'MSH-11', 'MSH-12']) expect(ack.get(path), path).toBe(expected[path]);
    expect(ack.controlId).not.toBe('');
    expect(ack.controlId).not.toBe(expected['MSA-2']);
    expect(ack.segments).toHaveLength(Number(expected.segment_count));
    expect(reply.subarray(-3).toString('latin1')).toBe('\r\x1c\r');
  });

  it('LAB-21: two blocks in one read', () => {
    const expected = expectation('LAB-21.hl7');
    const outcome = receiveWhole('LAB-21.hl7');

    expect(outcome.accepted.map((message) => message.controlId)).toEqual(expected.messages);
    expect(outcome.replies.map((reply) => ({ 'MSA-1': unframe(reply).get('MSA-1'), 'MSA-2': unframe(reply).get('MSA-2') }))).toEqual(expected.responses_in_order);
    expect(outcome.accepted.every((message) => !message.toString().includes('\0'))).toBe(true);
    expect(outcome.warnings).toEqual([expect.objectContaining({ code: 'bytes-outside-block', message: '2 bytes outside an MLLP block were skipped' })]);
  });

  it('LAB-22: one block over four reads', () => {
    const expected = expectation('LAB-22.hl7');
    const bytes = labCase('LAB-22.hl7');
    const delivery = expected.delivery;
    if (typeof delivery !== 'object') throw new Error('LAB-22 has no chunks');
    const receiver = new TestReceiver();
    const outcomes = delivery.chunks.map(([start, end]) => receiver.read(bytes.subarray(start, end)));
    const deliveredAfter = outcomes.flatMap((outcome, index) => (outcome.accepted.length > 0 ? [index + 1] : []));

    expect(deliveredAfter).toEqual([expected.dispatch_after_chunk]);
    expect(outcomes.flatMap((outcome) => outcome.accepted.map((message) => message.controlId))).toEqual(expected.messages);
    expect(outcomes.flatMap((outcome) => outcome.replies.map((reply) => ({ 'MSA-1': unframe(reply).get('MSA-1'), 'MSA-2': unframe(reply).get('MSA-2') })))).toEqual(expected.responses_in_order);
    expect(outcomes.flatMap((outcome) => [...outcome.warnings, ...outcome.rejected])).toEqual([]);
  });

  it('covers every HL7 case', () => {
    const hl7Cases = Object.keys(EXPECTED).filter((file) => file.endsWith('.hl7'));

    expect(hl7Cases).toEqual(['LAB-01.hl7', 'LAB-03.hl7', 'LAB-04.hl7', 'LAB-06.hl7', 'LAB-08.hl7', 'LAB-09.hl7', 'LAB-11.hl7', 'LAB-12.hl7', 'LAB-14.hl7', 'LAB-16.hl7', 'LAB-18.hl7', 'LAB-19.hl7', 'LAB-21.hl7', 'LAB-22.hl7']);
  });
});

function parseError(bytes: Buffer): Hl7Error {
  try {
    parseMessage(bytes);
  } catch (error) {
    if (error instanceof Hl7Error) return error;
    throw error;
  }
  throw new Error('the message parsed');
}

/** Describes an observation in the vocabulary of expected.json for LAB-14. */
function describeObservation(observation: Observation): Record<string, unknown> {
  const description: Record<string, unknown> = {
    type: observation.valueType,
    flag: observation.abnormalFlags[0],
    unit: observation.units.code,
    range: observation.referenceRange.text,
  };
  if (observation.warnings.length > 0) description.warning = observation.warnings[0];
  const value = observation.values[0];
  if (value === undefined) return description;
  description.raw = value.raw;

  switch (value.kind) {
    case 'number':
      return { ...description, value: value.value, comparator: value.comparator };
    case 'ratio':
      return { ...description, ratio: [value.numerator, value.denominator], separator: value.separator };
    case 'range':
      return { ...description, range: [value.low, value.high], separator: '-' };
    case 'coded':
      return { ...description, code: value.coded.code, text: value.coded.text, system: value.coded.system };
    case 'text':
      return observation.values.length > 1 ? { ...description, repetitions: observation.values.map((repetition) => (repetition.kind === 'text' ? repetition.text : repetition.raw)) } : { ...description, value: value.text };
    case 'other':
      return { ...description, value: value.text };
  }
}

/** Describes an order group in the vocabulary of expected.json for LAB-16. */
function describeGroup(group: OrderGroup): Record<string, unknown> {
  const notes = group.observations.flatMap((observation) => observation.notes.flatMap((note) => note.comments));
  const zSegments = group.otherSegments.filter((segment) => segment.id.startsWith('Z')).map((segment) => segment.id);
  return {
    'ORC-2': group.order?.placerOrderNumber,
    'OBR-4.1': group.request?.service.code,
    'OBX-5': group.observations.flatMap((observation) => observation.values.map((value) => (value.kind === 'text' ? value.text : value.raw))),
    ...(notes.length > 0 ? { 'NTE-3': notes } : {}),
    ...(zSegments.length > 0 ? { z_segments: zSegments } : {}),
  };
}
