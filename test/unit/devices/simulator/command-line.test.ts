import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import type { SimulatorEvent } from '../../../../devices/simulator/index.js';
import { formatEvent, parseSimulateArguments, runSimulate, UsageError } from '../../../../devices/simulator/index.js';

const PENTRA = fileURLToPath(new URL('../../../fixtures/astm/senaite_pentra_xlr.txt', import.meta.url));
const HAPI = fileURLToPath(new URL('../../../fixtures/hl7/hapi_example_oml_o21.hl7', import.meta.url));
const MINI_VIDAS = fileURLToPath(new URL('../../../fixtures/astm/senaite_mini_vidas.txt', import.meta.url));

/** Runs the command with its output captured; it must stop before opening a connection. */
async function run(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await runSimulate(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { status, stdout, stderr };
}

describe('parseSimulateArguments', () => {
  it('defaults with --connect', () => {
    expect(parseSimulateArguments(['--connect', '127.0.0.1:4001', 'capture.txt'])).toEqual({
      help: false,
      file: 'capture.txt',
      connection: { kind: 'tcp-client', host: '127.0.0.1', port: 4001 },
      repeat: 1,
      delayMs: 0,
      resend: 0,
      openTimeoutMs: 30_000,
      silenceMs: 31_000,
      ackTimeoutMs: 30_000,
      astm: {},
      faults: [],
      json: false,
      verbose: false,
    });
  });

  it('listen forms', () => {
    expect(parseSimulateArguments(['--listen', '0', 'f'])).toMatchObject({ connection: { kind: 'tcp-server', host: '127.0.0.1', port: 0 } });
    expect(parseSimulateArguments(['--listen', '0.0.0.0:5000', 'f'])).toMatchObject({ connection: { kind: 'tcp-server', host: '0.0.0.0', port: 5000 } });
    expect(parseSimulateArguments(['--connect', '[::1]:4001', 'f'])).toMatchObject({ connection: { kind: 'tcp-client', host: '::1', port: 4001 } });
  });

  it('serial line settings', () => {
    expect(parseSimulateArguments(['--serial', '/tmp/a', '--baud', '19200', '--data-bits', '7', '--parity', 'even', '--stop-bits', '2', 'f'])).toMatchObject({
      connection: { kind: 'serial', path: '/tmp/a', baudRate: 19200, dataBits: 7, parity: 'even', stopBits: 2, assertDtr: false },
    });
  });

  it('timings, repeat 0 and faults', () => {
    const parsed = parseSimulateArguments([
      '--connect', 'lis:4001', '--repeat', '0', '--delay-ms', '250', '--resend', '2', '--reply-timeout-ms', '500',
      '--receive-timeout-ms', '600', '--busy-retry-ms', '70', '--contention-retry-ms', '80', '--fault', 'bad-checksum:frame=2',
      '--fault', 'timeout:message=2', '--json', '--verbose', '--protocol', 'astm', 'f',
    ]);

    expect(parsed).toMatchObject({
      repeat: Infinity,
      delayMs: 250,
      resend: 2,
      protocol: 'astm',
      astm: { replyTimeoutMs: 500, receiveTimeoutMs: 600, busyRetryDelayMs: 70, contentionRetryDelayMs: 80 },
      faults: [{ kind: 'bad-checksum', message: 1, frame: 2 }, { kind: 'timeout', message: 2 }],
      json: true,
      verbose: true,
    });
  });

  it('--help needs nothing else', () => {
    expect(parseSimulateArguments(['--help'])).toEqual({ help: true });
  });

  it.each([
    [['--connect', 'h:1'], /Missing the capture FILE/],
    [['--connect', 'h:1', 'a', 'b'], /Expected one capture FILE, got 2 \(a, b\)/],
    [['f'], /Missing the connection: give --serial PATH, --connect HOST:PORT or --listen \[HOST:\]PORT/],
    [['--serial', '/tmp/a', '--listen', '0', 'f'], /--serial and --listen both set the connection/],
    [['--connect', 'h:1', '--baud', '9600', 'f'], /--baud applies to a serial port only/],
    [['--connect', '4001', 'f'], /--connect "4001" is invalid: give HOST:PORT/],
    [['--connect', 'h:70000', 'f'], /--connect port 70000 is out of range: give a port from 1 to 65535/],
    [['--listen', 'h:x', 'f'], /--listen "h:x" is invalid: give \[HOST:\]PORT/],
    [['--serial', '/tmp/a', '--parity', 'weird', 'f'], /--parity "weird" is invalid: give none, even, odd, mark or space/],
    [['--serial', '/tmp/a', '--stop-bits', '3', 'f'], /--stop-bits "3" is invalid: give 1, 1.5 or 2/],
    [['--serial', '/tmp/a', '--data-bits', '9', 'f'], /--data-bits "9" is invalid: give 5, 6, 7 or 8/],
    [['--serial', '/tmp/a', '--baud', '10', 'f'], /--baud "10" is out of range/],
    [['--serial', '', 'f'], /--serial is empty/],
    [['--connect', 'h:1', '--repeat', 'x', 'f'], /--repeat "x" is not a whole number: give the number of times to send the capture, or 0/],
    [['--connect', 'h:1', '--delay-ms=-5', 'f'], /--delay-ms "-5" is not a whole number: give a whole number of milliseconds/],
    [['--connect', 'h:1', '--protocol', 'xml', 'f'], /--protocol "xml" is invalid: give astm or hl7/],
    [['--connect', 'h:1', '--fault', 'nonsense', 'f'], /--fault: Unknown fault "nonsense"/],
    [['--connect', 'h:1', '--bogus', 'f'], /Unknown option '--bogus'.*Run hms-lab simulate --help/],
  ])('rejects %j', (args, message) => {
    expect(() => parseSimulateArguments(args)).toThrow(UsageError);
    expect(() => parseSimulateArguments(args)).toThrow(message);
  });
});

describe('runSimulate before connecting', () => {
  it('--help prints the options, status 0', async () => {
    const { status, stdout } = await run(['--help']);

    expect(status).toBe(0);
    for (const option of ['--serial', '--connect', '--listen', '--repeat', '--delay-ms', '--fault', '--json', 'bad-checksum', 'broken-mllp', 'Exit status']) {
      expect(stdout).toContain(option);
    }
  });

  it('bad argument: status 2, names it', async () => {
    const { status, stderr, stdout } = await run(['--connect', 'h:1', '--repeat', 'many', PENTRA]);

    expect(status).toBe(2);
    expect(stderr).toMatch(/^hms-lab simulate: --repeat "many" is not a whole number/);
    expect(stdout).toBe('');
  });

  it('missing file: status 2', async () => {
    const { status, stderr } = await run(['--connect', 'h:1', '/no/such/capture.txt']);

    expect(status).toBe(2);
    expect(stderr).toContain('Cannot read the capture FILE /no/such/capture.txt: it does not exist');
  });

  it('unreadable capture: status 2', async () => {
    const { status, stderr } = await run(['--connect', 'h:1', MINI_VIDAS]);

    expect(status).toBe(2);
    expect(stderr).toContain(`${MINI_VIDAS}: The capture holds`);
  });

  it('fault for the other protocol: status 2', async () => {
    const { status, stderr } = await run(['--connect', 'h:1', '--fault', 'bad-checksum', HAPI]);

    expect(status).toBe(2);
    expect(stderr).toContain('--fault: Fault bad-checksum:message=1 does not apply to HL7 captures');
  });

  it('fault beyond the run: status 2', async () => {
    const { status, stderr } = await run(['--connect', 'h:1', '--fault', 'timeout:message=3', '--repeat', '2', PENTRA]);

    expect(status).toBe(2);
    expect(stderr).toContain('hits message 3, but the run sends 2');
  });
});

describe('formatEvent', () => {
  const ack: SimulatorEvent = { type: 'frame-replied', message: 1, frame: 2, frames: 3, attempt: 1, reply: 'ACK' };

  it('ACKs only when verbose', () => {
    expect(formatEvent(ack)).toBeUndefined();
    expect(formatEvent(ack, { verbose: true })).toBe('message 1: host answered ACK to frame 2 of 3 (transmission 1)');
    expect(formatEvent({ ...ack, reply: 'NAK' })).toBe('message 1: host answered NAK to frame 2 of 3 (transmission 1)');
  });

  it('marks an unexpected fault answer', () => {
    const line = formatEvent({ type: 'fault-outcome', message: 2, fault: 'bad-checksum', expected: false, hostAnswer: 'ACK to the corrupted frame', detail: 'E1381 requires a NAK' });

    expect(line).toBe("message 2: fault bad-checksum outcome NOT AS EXPECTED; host's answer: ACK to the corrupted frame; E1381 requires a NAK");
  });

  it('summary line', () => {
    expect(formatEvent({ type: 'finished', sent: 3, accepted: 2, failed: 1, faults: 1, unexpectedFaultOutcomes: 0, stopped: false, ok: false })).toBe(
      'finished: 3 sent, 2 accepted, 1 not accepted; 1 fault(s) injected, 0 with an unexpected outcome',
    );
  });
});
