import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Transport, TransportStateChange } from '../../../../devices/transport/index.js';
import { createTransport, waitForTransportState } from '../../../../devices/transport/index.js';
import { makeTempDirectory } from '../../../support/replica.js';
import { captureLogs, LEVEL } from '../../../unit/devices/transport/log-capture.js';
import { collectBytes } from './collect-bytes.js';
import { SocatPair, socatAvailable } from './socat-pair.js';

if (!socatAvailable) {
  console.warn('Skipping the serial transport tests: socat is not installed (apt-get install socat); CI installs it.');
}

/** Fast retries, so a reopen after the port comes back takes milliseconds, not seconds. */
const reconnect = { initialDelayMs: 20, maxDelayMs: 100 };

describe.skipIf(!socatAvailable)('serial transport over a socat pty pair', () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let socat: SocatPair;
  let transports: Transport[];

  beforeEach(async () => {
    directory = makeTempDirectory('serial');
    socat = new SocatPair(directory.path);
    transports = [];
    await socat.start();
  });

  afterEach(async () => {
    for (const transport of transports) await transport.close();
    await socat.stop();
    directory.remove();
  });

  function serial(id: string, path: string, logger = captureLogs().logger): Transport {
    // A pty has no modem lines; leaving DTR alone keeps the pty's ioctl error out of these tests.
    const transport = createTransport({ kind: 'serial', path, baudRate: 9600, assertDtr: false, reconnect }, { id, logger });
    transports.push(transport);
    return transport;
  }

  it('carries bytes both ways', async () => {
    const analyzer = serial('analyzer-side', socat.a);
    const host = serial('host-side', socat.b);
    await analyzer.open();
    await host.open();
    expect(analyzer.state).toBe('open');
    expect(host.state).toBe('open');

    const atHost = collectBytes(host);
    const atAnalyzer = collectBytes(analyzer);
    await analyzer.write(Buffer.from('\x05'));
    await host.write(Buffer.from('\x06'));
    await analyzer.write(Buffer.from('\x021H|\\^&|||c311\r\x0317\r\n'));

    expect(await atHost.waitFor(Buffer.from('\x05\x021H|\\^&|||c311\r\x0317\r\n').length)).toEqual(Buffer.from('\x05\x021H|\\^&|||c311\r\x0317\r\n'));
    expect(await atAnalyzer.waitFor(1)).toEqual(Buffer.from('\x06'));
  });

  it('tolerates DTR failure on a pty', async () => {
    const capture = captureLogs();
    const transport = createTransport({ kind: 'serial', path: socat.a, baudRate: 9600, reconnect }, { id: 'dtr-on-pty', logger: capture.logger });
    transports.push(transport);

    await transport.open();

    expect(transport.state).toBe('open');
    const warning = capture.lines.find((line) => line.level === LEVEL.warn && line.msg.includes('could not raise DTR'));
    expect(warning?.connectionId).toBe('dtr-on-pty');
  });

  it('reopens after the port disappears', async () => {
    const capture = captureLogs();
    const analyzer = serial('c311-bench-2', socat.a, capture.logger);
    const host = serial('peer', socat.b);
    await analyzer.open();
    await host.open();
    const changes: TransportStateChange[] = [];
    analyzer.on('state', (change) => changes.push(change));

    const lost = waitForTransportState(analyzer, 'reconnecting', 10_000);
    const hostLost = waitForTransportState(host, 'reconnecting', 10_000);
    await socat.stop();
    const lostChange = await lost;
    await hostLost;
    expect(lostChange.previous).toBe('open');
    expect(lostChange.retryInMs).toBeGreaterThan(0);
    await expect(analyzer.write(Buffer.from('x'))).rejects.toThrow(/reconnecting, not open/);

    const reopenedAnalyzer = waitForTransportState(analyzer, 'open', 10_000);
    const reopenedHost = waitForTransportState(host, 'open', 10_000);
    await socat.start();
    await reopenedAnalyzer;
    await reopenedHost;

    const atHost = collectBytes(host);
    const atAnalyzer = collectBytes(analyzer);
    await analyzer.write(Buffer.from('after reopen'));
    await host.write(Buffer.from('\x06'));
    expect((await atHost.waitFor(12)).toString('latin1')).toBe('after reopen');
    expect(await atAnalyzer.waitFor(1)).toEqual(Buffer.from('\x06'));

    expect(changes.map((change) => change.state)).toContain('reconnecting');
    expect(changes.at(-1)?.state).toBe('open');
    const stateLines = capture.lines.filter((line) => typeof line.state === 'string');
    expect(stateLines.length).toBeGreaterThanOrEqual(4);
    for (const line of stateLines) expect(line).toMatchObject({ connectionId: 'c311-bench-2', transport: 'serial', endpoint: socat.a });
    expect(stateLines.find((line) => line.state === 'reconnecting' && line.previous === 'open')?.level).toBe(LEVEL.warn);
    expect(capture.text()).not.toContain('after reopen');
  });

  it('resolves a large write after draining', async () => {
    const analyzer = serial('bulk-writer', socat.a);
    const host = serial('slow-reader', socat.b);
    const atHost = collectBytes(host);
    await analyzer.open();
    await host.open();
    const total = 1024 * 1024;

    const receivedAtResolve = analyzer.write(Buffer.alloc(total, 0x41)).then(() => atHost.received());

    // What is still in flight when the write resolves sits in the kernel's and socat's buffers,
    // far less than the megabyte written.
    expect(await receivedAtResolve).toBeGreaterThan(total - 256 * 1024);
    expect((await atHost.waitFor(total)).length).toBe(total);
  });

  it('opens a port that appears later', async () => {
    await socat.stop();
    const analyzer = serial('late-port', socat.a);

    await analyzer.open();
    expect(analyzer.state).toBe('reconnecting');

    const opened = waitForTransportState(analyzer, 'open', 10_000);
    await socat.start();
    const change = await opened;
    expect(change.previous).toBe('reconnecting');
  });
});
