import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import type { Capture } from '../../../../devices/simulator/index.js';
import { FaultError, parseFault, planFaults, readCapture } from '../../../../devices/simulator/index.js';

function capture(path: string): Capture {
  return readCapture(readFileSync(new URL(`../../../fixtures/${path}`, import.meta.url)));
}

/** Frames of 240 text bytes at most, as E1381 senders split a message. */
function frameCount(capture: Capture, index = 0): number {
  return Math.ceil((capture.messages[index]?.payload.length ?? 0) / 240);
}

describe('parseFault', () => {
  it('kind alone hits message 1', () => {
    expect(parseFault('lost-ack')).toEqual({ kind: 'lost-ack', message: 1 });
  });

  it('reads message, frame and part', () => {
    expect(parseFault('bad-checksum:frame=2,message=3')).toEqual({ kind: 'bad-checksum', message: 3, frame: 2 });
    expect(parseFault('broken-mllp:part=start')).toEqual({ kind: 'broken-mllp', message: 1, part: 'start' });
  });

  it.each([
    ['bogus', /Unknown fault "bogus" in "bogus": use one of bad-checksum, lost-ack, timeout, interrupt-eot, interrupt-close, broken-mllp/],
    ['lost-ack:frame=0', /Invalid frame="0" in fault "lost-ack:frame=0": give a whole number from 1/],
    ['timeout:message=two', /Invalid message="two"/],
    ['broken-mllp:part=middle', /Invalid part "middle".*part=end .*part=start/],
    ['timeout:part=end', /part= applies to broken-mllp only/],
    ['lost-ack:colour=red', /Unknown setting "colour" in fault "lost-ack:colour=red"/],
  ])('rejects %s', (spec, message) => {
    expect(() => parseFault(spec)).toThrow(FaultError);
    expect(() => parseFault(spec)).toThrow(message);
  });
});

describe('planFaults', () => {
  const pentra = capture('astm/senaite_pentra_xlr.txt');
  const hapi = capture('hl7/hapi_example_oml_o21.hl7');

  it('ASTM frame defaults', () => {
    const planned = planFaults([parseFault('bad-checksum'), parseFault('lost-ack:message=2'), parseFault('timeout:message=3'), parseFault('interrupt-eot:message=4'), parseFault('interrupt-close:message=5')], pentra, 5);
    const frames = frameCount(pentra);

    expect(frames).toBeGreaterThan(1);
    expect([...planned.values()].map((fault) => [fault.kind, fault.frame, fault.frames])).toEqual([
      ['bad-checksum', 1, frames],
      ['lost-ack', 1, frames],
      ['timeout', frames, frames],
      ['interrupt-eot', frames, frames],
      ['interrupt-close', frames, frames],
    ]);
  });

  it('counts repeats when it picks the message', () => {
    const afinion = capture('astm/senaite_abbott_afinion2.txt');
    const two: Capture = { ...pentra, messages: [...pentra.messages, ...afinion.messages] };

    // With two messages in the capture, message 3 is the first again and message 4 the second.
    expect(planFaults([parseFault('timeout:message=3')], two, 4).get(3)?.frame).toBe(frameCount(pentra));
    expect(planFaults([parseFault('timeout:message=4')], two, 4).get(4)?.frame).toBe(frameCount(afinion));
  });

  it('HL7 broken block defaults to its end', () => {
    expect(planFaults([parseFault('broken-mllp:message=2')], hapi, 13).get(2)).toEqual({ kind: 'broken-mllp', message: 2, part: 'end' });
  });

  it.each([
    ['bad-checksum', 'hl7', /does not apply to HL7 captures: use lost-ack, timeout, interrupt-close or broken-mllp/],
    ['interrupt-eot', 'hl7', /does not apply to HL7 captures/],
    ['broken-mllp', 'astm', /does not apply to ASTM captures: use bad-checksum, lost-ack, timeout, interrupt-eot or interrupt-close/],
    ['lost-ack:frame=2', 'hl7', /frame= applies to ASTM only/],
    ['bad-checksum:frame=99', 'astm', /hits frame 99, but message 1 has \d+ frame\(s\): choose a frame from 1 to \d+/],
    ['timeout:message=20', 'astm', /hits message 20, but the run sends 2: choose a message from 1 to 2 or raise the repeat count/],
  ])('rejects %s on %s', (spec, protocol, message) => {
    const target = protocol === 'hl7' ? hapi : pentra;
    expect(() => planFaults([parseFault(spec)], target, protocol === 'hl7' ? 13 : 2)).toThrow(message);
  });

  it('rejects two faults on one message', () => {
    expect(() => planFaults([parseFault('bad-checksum'), parseFault('lost-ack')], pentra, 1)).toThrow('Message 1 has two faults: inject one fault per message');
  });
});
