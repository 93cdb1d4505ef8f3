import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { AnalyzerSimulator } from '../../../../devices/simulator/index.js';
import { AstmTestHost } from './support/astm-host.js';
import { clientOf, eventsOf, fastAstm, fixtureCapture, hostConnected, reconnect, Rig } from './support/setup.js';

/** The capture's message texts, which the host must receive unchanged. */
function texts(path: string): string[] {
  return fixtureCapture(path).messages.map((message) => message.payload.toString('latin1'));
}

describe('ASTM simulator over TCP on 127.0.0.1', () => {
  let rig: Rig;

  beforeEach(() => {
    rig = new Rig();
  });

  afterEach(async () => {
    await rig.close();
  });

  async function hostAndCapture(path: string): Promise<{ host: AstmTestHost; port: number; capture: ReturnType<typeof fixtureCapture> }> {
    const { transport, port } = await rig.listeningHost();
    return { host: new AstmTestHost(transport, fastAstm), port, capture: fixtureCapture(path) };
  }

  it('delivers every message of a capture', async () => {
    const { host, port, capture } = await hostAndCapture('astm/senaite_pentra_xlr.txt');
    const { simulator, events } = rig.simulator({ capture, connection: clientOf(port), repeat: 2, astm: fastAstm });

    const report = await simulator.run();
    await host.messages.waitForCount(2, 'messages at the host');

    expect(report.ok).toBe(true);
    expect(report.accepted).toBe(2);
    expect(host.messages.items).toEqual([...texts('astm/senaite_pentra_xlr.txt'), ...texts('astm/senaite_pentra_xlr.txt')]);
    expect(host.rejections.items).toEqual([]);
    expect(host.warnings.items).toEqual([]);
    expect(eventsOf(events, 'message-accepted').map((event) => event.message)).toEqual([1, 2]);
  });

  it('stop ends an endless run', async () => {
    const { host, port, capture } = await hostAndCapture('astm/senaite_abbott_afinion2.txt');
    const { simulator, events } = rig.simulator({ capture, connection: clientOf(port), astm: fastAstm, repeat: Infinity, delayMs: 100 });
    simulator.on('event', (event) => {
      if (event.type === 'message-accepted' && event.message === 3) void simulator.stop();
    });

    const report = await simulator.run();
    await host.messages.waitForCount(3, 'messages at the host');

    expect(report.stopped).toBe(true);
    expect(report.sent).toBe(3);
    expect(report.ok).toBe(true);
    expect(eventsOf(events, 'finished')).toMatchObject([{ sent: 3, accepted: 3, stopped: true, ok: true }]);
    expect(host.warnings.items).toEqual([]);
  });

  it('splits a 26 KB message into E1381 frames', async () => {
    const { host, port, capture } = await hostAndCapture('astm/senaite_yumizen_h500.txt');
    const { simulator, events } = rig.simulator({ capture, connection: clientOf(port), astm: fastAstm });

    const report = await simulator.run();
    await host.messages.waitForCount(1, 'the message at the host');

    expect(report.ok).toBe(true);
    expect(host.messages.items).toEqual(texts('astm/senaite_yumizen_h500.txt'));
    expect(host.warnings.items.map((warning) => warning.code)).not.toContain('oversized-frame');
    const started = eventsOf(events, 'message-started')[0];
    expect(started?.frames).toBe(Math.ceil((started?.bytes ?? 0) / 240));
  });

  it('replays the messages of a real analyzer log', async () => {
    const { host, port, capture } = await hostAndCapture('astm/astmio_mindray_bs240_log.decoded');
    const { simulator } = rig.simulator({ capture, connection: clientOf(port), astm: fastAstm });

    const report = await simulator.run();
    await host.messages.waitForCount(157, 'messages at the host');

    expect(report.ok).toBe(true);
    expect(report.sent).toBe(157);
    expect(host.messages.items).toEqual(texts('astm/astmio_mindray_bs240_log.decoded'));
  });

  it('bad checksum is NAKed, retransmission accepted', async () => {
    const { host, port, capture } = await hostAndCapture('astm/senaite_pentra_xlr.txt');
    const { simulator, events } = rig.simulator({ capture, connection: clientOf(port), astm: fastAstm, faults: [{ kind: 'bad-checksum', message: 1, frame: 2 }] });

    const report = await simulator.run();
    await host.messages.waitForCount(1, 'the message at the host');

    expect(report.ok).toBe(true);
    expect(host.messages.items).toEqual(texts('astm/senaite_pentra_xlr.txt'));
    expect(host.rejections.items.map((error) => error.code)).toEqual(['checksum-mismatch']);
    expect(eventsOf(events, 'fault-injected')).toMatchObject([{ fault: 'bad-checksum', frame: 2 }]);
    expect(report.faults).toMatchObject([{ fault: 'bad-checksum', expected: true, hostAnswer: 'NAK to the corrupted frame, ACK to the retransmission' }]);
    expect(eventsOf(events, 'frame-replied').filter((event) => event.reply === 'NAK')).toMatchObject([{ frame: 2, attempt: 1 }]);
  });

  it('lost ACK runs the reply timeout; resend delivers once', async () => {
    const { host, port, capture } = await hostAndCapture('astm/senaite_pentra_xlr.txt');
    const { simulator, events } = rig.simulator({ capture, connection: clientOf(port), astm: fastAstm, resend: 1, faults: [{ kind: 'lost-ack', message: 1, frame: 1 }] });

    const report = await simulator.run();
    await host.messages.waitForCount(1, 'the resent message at the host');

    expect(report.ok).toBe(true);
    expect(report.results).toMatchObject([{ message: 1, attempts: 2, accepted: true }]);
    expect(eventsOf(events, 'message-failed')).toMatchObject([{ message: 1, attempt: 1, reason: 'reply-timeout', willResend: true }]);
    expect(report.faults).toMatchObject([{ fault: 'lost-ack', expected: true }]);
    expect(host.inboundFailures().map((failure) => failure.code)).toEqual(['interrupted-by-eot']);
    expect(host.messages.items).toEqual(texts('astm/senaite_pentra_xlr.txt'));
  });

  it('lost ACK of the last frame is reported as kept by the host', async () => {
    const { host, port, capture } = await hostAndCapture('astm/senaite_abbott_afinion2.txt');
    const { simulator } = rig.simulator({ capture, connection: clientOf(port), astm: fastAstm, faults: [{ kind: 'lost-ack', message: 1 }] });

    const report = await simulator.run();
    await host.messages.waitForCount(1, 'the message at the host');

    expect(report.ok).toBe(false);
    expect(report.results).toMatchObject([{ accepted: false, reason: 'reply-timeout' }]);
    expect(report.faults[0]?.detail).toContain('keeps the message');
    expect(host.messages.items).toEqual(texts('astm/senaite_abbott_afinion2.txt'));
  });

  it('timeout leaves no half message at the host', async () => {
    const { host, port, capture } = await hostAndCapture('astm/senaite_pentra_xlr.txt');
    const { simulator, events } = rig.simulator({ capture, connection: clientOf(port), astm: fastAstm, silenceMs: 800, faults: [{ kind: 'timeout', message: 1, frame: 3 }] });

    const report = await simulator.run();

    expect(report.ok).toBe(false);
    expect(report.results).toMatchObject([{ accepted: false, reason: 'injected-fault' }]);
    expect(eventsOf(events, 'fault-injected')).toMatchObject([{ fault: 'timeout', frame: 3 }]);
    expect(report.faults).toMatchObject([{ fault: 'timeout', expected: true, hostAnswer: 'nothing during the silence' }]);
    const failure = host.inboundFailures()[0];
    expect(failure?.code).toBe('receive-timeout');
    expect(failure?.discardedFrames).toBe(2);
    expect(host.messages.items).toEqual([]);
  });

  it('timeout then resend delivers the message once', async () => {
    const { host, port, capture } = await hostAndCapture('astm/senaite_pentra_xlr.txt');
    const { simulator } = rig.simulator({ capture, connection: clientOf(port), astm: fastAstm, silenceMs: 800, resend: 1, faults: [{ kind: 'timeout', message: 1 }] });

    const report = await simulator.run();
    await host.messages.waitForCount(1, 'the resent message at the host');

    expect(report.ok).toBe(true);
    expect(report.results).toMatchObject([{ accepted: true, attempts: 2 }]);
    expect(host.inboundFailures().map((failure) => failure.code)).toEqual(['receive-timeout']);
    expect(host.messages.items).toEqual(texts('astm/senaite_pentra_xlr.txt'));
  });

  it('EOT mid-message leaves no half message at the host', async () => {
    const { host, port, capture } = await hostAndCapture('astm/senaite_pentra_xlr.txt');
    const [first] = capture.messages;
    const [next] = fixtureCapture('astm/senaite_cobas_c311.txt').messages;
    if (!first || !next) throw new Error('the fixtures hold no message');
    const { simulator, events } = rig.simulator({
      capture: { ...capture, messages: [first, { ...next, index: 2 }] },
      connection: clientOf(port),
      astm: fastAstm,
      faults: [{ kind: 'interrupt-eot', message: 1, frame: 2 }],
    });

    const report = await simulator.run();
    await host.messages.waitForCount(1, 'the second message at the host');

    expect(report.results).toMatchObject([{ accepted: false, reason: 'injected-fault' }, { accepted: true }]);
    expect(eventsOf(events, 'fault-injected')).toMatchObject([{ fault: 'interrupt-eot', frame: 2 }]);
    const failure = host.inboundFailures()[0];
    expect(failure?.code).toBe('interrupted-by-eot');
    expect(failure?.discardedFrames).toBe(1);
    expect(host.messages.items).toEqual(texts('astm/senaite_cobas_c311.txt'));
  });

  it('closed connection mid-message, then resend', async () => {
    const { host, port, capture } = await hostAndCapture('astm/senaite_pentra_xlr.txt');
    const { simulator, events } = rig.simulator({ capture, connection: clientOf(port), astm: fastAstm, resend: 1, faults: [{ kind: 'interrupt-close', message: 1, frame: 4 }] });

    const report = await simulator.run();
    await host.messages.waitForCount(1, 'the resent message at the host');

    expect(report.ok).toBe(true);
    expect(report.results).toMatchObject([{ accepted: true, attempts: 2 }]);
    expect(eventsOf(events, 'connection').map((event) => event.state)).toContain('closed');
    const failure = host.inboundFailures()[0];
    expect(failure?.code).toBe('link-reset');
    expect(failure?.discardedFrames).toBe(3);
    expect(host.messages.items).toEqual(texts('astm/senaite_pentra_xlr.txt'));
  });

  it('contention: the simulator sends first, then takes the host message', async () => {
    const { transport, port } = await rig.listeningHost();
    const order = 'H|\\^&|||LIS\rO|1|SID0001||^^^GLU\rL|1|N\r';
    const hostSends: Promise<void>[] = [];
    // Registered before the host's link, so the host queues an order the moment the simulator's
    // ENQ arrives, and its link then reads that ENQ while establishing: both sides have sent ENQ.
    transport.on('data', (chunk) => {
      if (hostSends.length > 0 || chunk[0] !== 0x05) return;
      const sent = host.link.send(order);
      sent.catch(() => undefined);
      hostSends.push(sent);
    });
    const host = new AstmTestHost(transport, fastAstm);
    const capture = fixtureCapture('astm/senaite_abbott_afinion2.txt');
    // The pause between the two messages gives the host's transfer room to run.
    const { simulator, events } = rig.simulator({ capture, connection: clientOf(port), astm: fastAstm, repeat: 2, delayMs: 300 });

    const report = await simulator.run();
    await host.messages.waitForCount(2, 'messages at the host');

    expect(report.ok).toBe(true);
    expect(eventsOf(events, 'link-warning').map((event) => event.code)).toContain('contention');
    expect(host.warnings.items.map((warning) => warning.code)).toContain('contention');
    expect(host.messages.items).toEqual([...texts('astm/senaite_abbott_afinion2.txt'), ...texts('astm/senaite_abbott_afinion2.txt')]);
    await expect(hostSends[0]).resolves.toBeUndefined();
    expect(eventsOf(events, 'host-message')).toMatchObject([{ protocol: 'astm', frames: 1, bytes: order.length }]);
  });

  it('listens and serves a host that connects', async () => {
    const capture = fixtureCapture('astm/senaite_cobas_c111.txt');
    const { simulator } = rig.simulator({ capture, connection: { kind: 'tcp-server', host: '127.0.0.1', port: 0, reconnect }, astm: fastAstm });
    const running = simulator.run();
    const host = new AstmTestHost(rig.transport('test-lis', clientOf(await listeningPort(simulator))), fastAstm);
    await host.transport.open();
    await hostConnected(host.transport);

    const report = await running;
    await host.messages.waitForCount(1, 'the message at the host');

    expect(report.ok).toBe(true);
    expect(host.messages.items).toEqual(texts('astm/senaite_cobas_c111.txt'));
  });

  it('listening: reopens on the same port after a close fault', async () => {
    const capture = fixtureCapture('astm/senaite_pentra_xlr.txt');
    const { simulator, events } = rig.simulator({
      capture,
      connection: { kind: 'tcp-server', host: '127.0.0.1', port: 0, reconnect },
      astm: fastAstm,
      resend: 1,
      faults: [{ kind: 'interrupt-close', message: 1, frame: 3 }],
    });
    const running = simulator.run();
    const port = await listeningPort(simulator);
    const host = new AstmTestHost(rig.transport('test-lis', clientOf(port)), fastAstm);
    await host.transport.open();

    const report = await running;
    await host.messages.waitForCount(1, 'the resent message at the host');

    expect(report.ok).toBe(true);
    expect(report.results).toMatchObject([{ accepted: true, attempts: 2 }]);
    expect(eventsOf(events, 'listening').map((event) => event.port)).toEqual([port, port]);
    expect(host.inboundFailures()).toMatchObject([{ code: 'link-reset', discardedFrames: 2 }]);
    expect(host.messages.items).toEqual(texts('astm/senaite_pentra_xlr.txt'));
  });
});

/** Resolves with the port a listening simulator reports in its first `listening` event. */
function listeningPort(simulator: AnalyzerSimulator): Promise<number> {
  return new Promise<number>((resolve) => {
    const port = simulator.listeningPort;
    if (port !== undefined) resolve(port);
    simulator.on('event', (event) => {
      if (event.type === 'listening') resolve(event.port);
    });
  });
}
