import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { TransportSettingsInput } from '../../../../devices/transport/index.js';
import { makeTempDirectory } from '../../../support/replica.js';
import { SocatPair, socatAvailable } from '../transport/socat-pair.js';
import { AstmTestHost } from './support/astm-host.js';
import { Hl7TestHost } from './support/hl7-host.js';
import { eventsOf, fastAstm, fixtureCapture, reconnect, Rig } from './support/setup.js';

if (!socatAvailable) {
  console.warn('Skipping the serial simulator tests: socat is not installed (apt-get install socat); CI installs it.');
}

/** Returns serial settings for a pty, which has no modem lines, so neither side raises DTR. */
function serial(path: string): TransportSettingsInput {
  return { kind: 'serial', path, baudRate: 9600, assertDtr: false, reconnect };
}

describe.skipIf(!socatAvailable)('simulator over a socat pty pair', () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let socat: SocatPair;
  let rig: Rig;

  beforeEach(async () => {
    directory = makeTempDirectory('simulator-serial');
    socat = new SocatPair(directory.path);
    rig = new Rig();
    await socat.start();
  });

  afterEach(async () => {
    await rig.close();
    await socat.stop();
    directory.remove();
  });

  async function astmHost(): Promise<AstmTestHost> {
    const transport = rig.transport('test-lis', serial(socat.b));
    await transport.open();
    return new AstmTestHost(transport, fastAstm);
  }

  it('ASTM capture arrives with a checksum fault repaired', async () => {
    const host = await astmHost();
    const capture = fixtureCapture('astm/senaite_sysmex_xn550.txt');
    const { simulator } = rig.simulator({ capture, connection: serial(socat.a), astm: fastAstm, repeat: 2, faults: [{ kind: 'bad-checksum', message: 2, frame: 3 }] });

    const report = await simulator.run();
    await host.messages.waitForCount(2, 'messages at the host');

    expect(report.ok).toBe(true);
    expect(report.faults).toMatchObject([{ message: 2, fault: 'bad-checksum', expected: true }]);
    expect(host.rejections.items.map((error) => error.code)).toEqual(['checksum-mismatch']);
    const text = capture.messages[0]?.payload.toString('latin1');
    expect(host.messages.items).toEqual([text, text]);
  });

  it('ASTM timeout discards the half message', async () => {
    const host = await astmHost();
    const capture = fixtureCapture('astm/senaite_pentra_xlr.txt');
    const { simulator } = rig.simulator({ capture, connection: serial(socat.a), astm: fastAstm, silenceMs: 800, resend: 1, faults: [{ kind: 'timeout', message: 1, frame: 5 }] });

    const report = await simulator.run();
    await host.messages.waitForCount(1, 'the resent message at the host');

    expect(report.ok).toBe(true);
    expect(report.results).toMatchObject([{ accepted: true, attempts: 2 }]);
    expect(host.inboundFailures()).toMatchObject([{ code: 'receive-timeout', discardedFrames: 4 }]);
    expect(host.messages.items).toEqual([capture.messages[0]?.payload.toString('latin1')]);
  });

  it('ASTM closed port: the host times out', async () => {
    const host = await astmHost();
    const capture = fixtureCapture('astm/senaite_pentra_xlr.txt');
    const { simulator, events } = rig.simulator({ capture, connection: serial(socat.a), astm: fastAstm, faults: [{ kind: 'interrupt-close', message: 1, frame: 2 }] });

    const report = await simulator.run();
    // Closing a pty end sends the other end nothing: the host only notices the silence.
    const failures = await host.failures.waitForCount(1, 'the host to give up on the transfer');

    expect(report.results).toMatchObject([{ accepted: false, reason: 'injected-fault' }]);
    expect(eventsOf(events, 'connection').map((event) => event.state)).toContain('closed');
    expect(failures).toMatchObject([{ direction: 'receive', code: 'receive-timeout', discardedFrames: 1 }]);
    expect(host.messages.items).toEqual([]);
  });

  it('HL7 over MLLP with a broken block', async () => {
    const transport = rig.transport('test-lis', serial(socat.b));
    await transport.open();
    const lis = new Hl7TestHost(transport);
    const capture = fixtureCapture('hl7/hapi_example_oml_o21.hl7');
    const { simulator, events } = rig.simulator({ capture: { ...capture, messages: capture.messages.slice(0, 3) }, connection: serial(socat.a), ackTimeoutMs: 500, faults: [{ kind: 'broken-mllp', message: 2 }] });

    const report = await simulator.run();

    expect(report.results.map((result) => result.accepted)).toEqual([true, false, true]);
    expect(eventsOf(events, 'late-ack')).toMatchObject([{ message: 2, ackCode: 'AR' }]);
    expect(lis.cutOffs.items).toHaveLength(1);
    expect(lis.payloads.items).toEqual([capture.messages[0]?.payload, capture.messages[2]?.payload]);
  });
});
