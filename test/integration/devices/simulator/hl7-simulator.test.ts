import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { AckCode } from '../../../../devices/hl7/index.js';
import type { Capture } from '../../../../devices/simulator/index.js';
import type { AckPolicy } from './support/hl7-host.js';
import { Hl7TestHost } from './support/hl7-host.js';
import { clientOf, eventsOf, fixtureCapture, Rig } from './support/setup.js';

/** Returns the first `count` messages of the hapi lab workflow file (13 messages, MSH-10 msgOP123 first). */
function hapiCapture(count = 13): Capture {
  const capture = fixtureCapture('hl7/hapi_example_oml_o21.hl7');
  return { ...capture, messages: capture.messages.slice(0, count) };
}

function payloads(capture: Capture): Buffer[] {
  return capture.messages.map((message) => message.payload);
}

describe('HL7 simulator over TCP on 127.0.0.1', () => {
  let rig: Rig;

  beforeEach(() => {
    rig = new Rig();
  });

  afterEach(async () => {
    await rig.close();
  });

  async function host(policy?: AckPolicy): Promise<{ host: Hl7TestHost; port: number }> {
    const { transport, port } = await rig.listeningHost();
    return { host: new Hl7TestHost(transport, policy), port };
  }

  it('delivers every message and reads each AA', async () => {
    const { host: lis, port } = await host();
    const capture = hapiCapture();
    const { simulator, events } = rig.simulator({ capture, connection: clientOf(port), ackTimeoutMs: 2_000 });

    const report = await simulator.run();

    expect(report.ok).toBe(true);
    expect(report.accepted).toBe(13);
    expect(lis.payloads.items).toEqual(payloads(capture));
    expect(eventsOf(events, 'message-accepted').map((event) => event.ackCode)).toEqual(Array(13).fill('AA'));
  });

  it('replays the blocks of an escaped analyzer log', async () => {
    const { host: lis, port } = await host();
    const capture = fixtureCapture('hl7/astmio_erba_elite580_log.txt');
    const { simulator } = rig.simulator({ capture, connection: clientOf(port), ackTimeoutMs: 2_000 });

    const report = await simulator.run();

    expect(report.sent).toBe(95);
    expect(lis.blocks.items).toEqual(payloads(capture));
    // The logger spliced the host's ACKs into some blocks, and the host rejects with AE those it cannot parse.
    const unparsed = capture.messages.filter((message) => lis.unparsed.items.some((payload) => payload.equals(message.payload)));
    expect(unparsed.length).toBeGreaterThan(0);
    expect(report.accepted).toBe(95 - unparsed.length);
    expect(report.results.filter((result) => !result.accepted)).toMatchObject(unparsed.map((message) => ({ captureMessage: message.index, reason: 'rejected', ackCode: 'AE' })));
  });

  it('AE and AR are reported and not resent', async () => {
    const codes: Record<number, AckCode> = { 2: 'AE', 3: 'AR' };
    const { host: lis, port } = await host((_message, index) => codes[index] ?? 'AA');
    const { simulator, events } = rig.simulator({ capture: hapiCapture(3), connection: clientOf(port), ackTimeoutMs: 2_000, resend: 2 });

    const report = await simulator.run();

    expect(report.ok).toBe(false);
    expect(report.results).toMatchObject([
      { message: 1, accepted: true, ackCode: 'AA' },
      { message: 2, accepted: false, reason: 'rejected', ackCode: 'AE', attempts: 1 },
      { message: 3, accepted: false, reason: 'rejected', ackCode: 'AR', attempts: 1 },
    ]);
    expect(eventsOf(events, 'message-failed').map((event) => event.willResend)).toEqual([false, false]);
    expect(lis.payloads.items).toHaveLength(3);
  });

  it('no ACK: ack timeout, then resend', async () => {
    const { host: lis, port } = await host((_message, index) => (index === 1 ? undefined : 'AA'));
    const { simulator, events } = rig.simulator({ capture: hapiCapture(1), connection: clientOf(port), ackTimeoutMs: 300, resend: 1 });

    const report = await simulator.run();

    expect(report.ok).toBe(true);
    expect(eventsOf(events, 'message-failed')).toMatchObject([{ reason: 'ack-timeout', willResend: true }]);
    expect(report.results).toMatchObject([{ accepted: true, attempts: 2 }]);
    expect(lis.controlIds()).toEqual(['msgOP123', 'msgOP123']);
  });

  it('lost ACK: duplicate control id at the host', async () => {
    const { host: lis, port } = await host();
    const { simulator, events } = rig.simulator({ capture: hapiCapture(1), connection: clientOf(port), ackTimeoutMs: 300, resend: 1, faults: [{ kind: 'lost-ack', message: 1 }] });

    const report = await simulator.run();

    expect(report.ok).toBe(true);
    expect(eventsOf(events, 'fault-injected')).toMatchObject([{ message: 1, fault: 'lost-ack' }]);
    expect(report.faults).toMatchObject([{ fault: 'lost-ack', expected: true, hostAnswer: 'AA (ignored by the simulator)' }]);
    expect(report.results).toMatchObject([{ accepted: true, attempts: 2 }]);
    // The host got the message twice under one MSH-10: the duplicate a lost ACK always causes.
    expect(lis.controlIds()).toEqual(['msgOP123', 'msgOP123']);
  });

  it('block without FS CR is never delivered', async () => {
    const { host: lis, port } = await host();
    const capture = hapiCapture(2);
    const { simulator, events } = rig.simulator({ capture, connection: clientOf(port), ackTimeoutMs: 300, faults: [{ kind: 'broken-mllp', message: 1 }] });

    const report = await simulator.run();
    await lis.cutOffs.waitForCount(1, 'cut-off blocks at the host');

    expect(report.results).toMatchObject([{ accepted: false, reason: 'injected-fault' }, { accepted: true, ackCode: 'AA' }]);
    expect(eventsOf(events, 'fault-injected')).toMatchObject([{ fault: 'broken-mllp', detail: 'sent the block without its end (FS CR)' }]);
    expect(report.faults).toMatchObject([{ fault: 'broken-mllp', expected: true, hostAnswer: 'no ACK' }]);
    expect(lis.cutOffs.items.map((error) => error.condition)).toHaveLength(1);
    expect(lis.payloads.items).toEqual([capture.messages[1]?.payload]);
    // The host rejects the cut-off block with AR once the next VT arrives, and the simulator tells that AR apart from the next ACK.
    expect(eventsOf(events, 'late-ack')).toMatchObject([{ message: 1, ackCode: 'AR' }]);
  });

  it('block without VT is skipped, resend accepted', async () => {
    const { host: lis, port } = await host();
    const capture = hapiCapture(1);
    const { simulator } = rig.simulator({ capture, connection: clientOf(port), ackTimeoutMs: 300, resend: 1, faults: [{ kind: 'broken-mllp', message: 1, part: 'start' }] });

    const report = await simulator.run();

    expect(report.ok).toBe(true);
    expect(report.results).toMatchObject([{ accepted: true, attempts: 2 }]);
    expect(lis.warnings.items.map((warning) => warning.code)).toContain('bytes-outside-block');
    expect(lis.payloads.items).toEqual(payloads(capture));
  });

  it('timeout: half block, silence, nothing delivered', async () => {
    const { host: lis, port } = await host();
    const capture = hapiCapture(2);
    const { simulator, events } = rig.simulator({ capture, connection: clientOf(port), ackTimeoutMs: 1_000, silenceMs: 400, faults: [{ kind: 'timeout', message: 1 }] });

    const report = await simulator.run();
    await lis.cutOffs.waitForCount(1, 'the cut-off block at the host');

    expect(report.results).toMatchObject([{ accepted: false, reason: 'injected-fault' }, { accepted: true }]);
    expect(eventsOf(events, 'fault-injected')[0]?.detail).toMatch(/^stopped after \d+ of \d+ message bytes and stays silent for 400 ms$/);
    expect(report.faults).toMatchObject([{ fault: 'timeout', expected: true, hostAnswer: 'nothing during the silence' }]);
    expect(lis.payloads.items).toEqual([capture.messages[1]?.payload]);
  });

  it('closed connection mid-block, then resend', async () => {
    const { host: lis, port } = await host();
    const capture = hapiCapture(1);
    const { simulator } = rig.simulator({ capture, connection: clientOf(port), ackTimeoutMs: 1_000, resend: 1, faults: [{ kind: 'interrupt-close', message: 1 }] });

    const report = await simulator.run();
    await lis.cutOffs.waitForCount(1, 'the cut-off block at the host');

    expect(report.ok).toBe(true);
    expect(report.results).toMatchObject([{ accepted: true, attempts: 2 }]);
    expect(report.faults).toMatchObject([{ fault: 'interrupt-close', expected: true }]);
    expect(lis.payloads.items).toEqual(payloads(capture));
  });

  it('answers a message the host sends with AA', async () => {
    const { transport, port } = await rig.listeningHost();
    const lis = new Hl7TestHost(transport);
    const { simulator, events } = rig.simulator({ capture: hapiCapture(2), connection: clientOf(port), ackTimeoutMs: 2_000, delayMs: 300 });
    const order = fixtureCapture('hl7/cdc_Epic_001_Epic_ORM_O01.hl7').messages[0];
    if (!order) throw new Error('the fixture holds no message');
    transport.once('state', (change) => {
      if (change.state === 'open') void transport.write(Buffer.concat([Buffer.of(0x0b), order.payload, Buffer.of(0x1c, 0x0d)]));
    });

    const report = await simulator.run();

    expect(report.ok).toBe(true);
    expect(eventsOf(events, 'host-message')).toMatchObject([{ protocol: 'hl7', messageType: 'ORM^O01', controlId: '550162', answered: 'AA' }]);
    expect(eventsOf(events, 'unmatched-ack')).toEqual([]);
    expect(lis.acks.items).toMatchObject([{ code: 'AA', controlId: '550162' }]);
    expect(lis.payloads.items).toHaveLength(2);
  });
});
