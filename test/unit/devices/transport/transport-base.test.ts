import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { TransportStateChange } from '../../../../devices/transport/index.js';
import { TransportNotOpenError } from '../../../../devices/transport/index.js';
import type { AttemptOutcome, ErrorVerdict, TransportOptions } from '../../../../devices/transport/transport-base.js';
import { TransportBase } from '../../../../devices/transport/transport-base.js';
import { captureLogs, LEVEL } from './log-capture.js';

type Step = { outcome: AttemptOutcome } | { error: Error } | { pending: Promise<AttemptOutcome> };

/** A transport whose attempts follow a script, so that the state machine can be driven step by step. */
class ScriptedTransport extends TransportBase {
  readonly steps: Step[] = [];
  attempts = 0;
  releases = 0;
  sent: Buffer[] = [];

  constructor(options: TransportOptions) {
    super(options, 'tcp-client', '127.0.0.1:9', { initialDelayMs: 100, maxDelayMs: 1_000 });
  }

  protected async attempt(): Promise<AttemptOutcome> {
    this.attempts += 1;
    const step = this.steps.shift() ?? { error: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) };
    if ('error' in step) throw step.error;
    if ('pending' in step) return step.pending;
    return step.outcome;
  }

  protected async release(): Promise<void> {
    this.releases += 1;
  }

  protected async send(chunk: Buffer): Promise<void> {
    this.sent.push(chunk);
  }

  protected judgeError(error: Error): ErrorVerdict {
    return { reason: error.message, permanent: error.message.includes('permission') };
  }

  lose(error: Error): void {
    this.connectionLost(error);
  }

  deliver(chunk: Buffer): void {
    this.receive(chunk);
  }
}

const opened: Step = { outcome: { open: true, reason: 'connected' } };

describe('transport state machine', () => {
  let capture: ReturnType<typeof captureLogs>;
  let transport: ScriptedTransport;
  let changes: TransportStateChange[];

  beforeEach(() => {
    vi.useFakeTimers();
    capture = captureLogs();
    transport = new ScriptedTransport({ id: 'cobas-c311', logger: capture.logger });
    changes = [];
    transport.on('state', (change) => changes.push(change));
  });

  afterEach(async () => {
    await transport.close();
    vi.useRealTimers();
  });

  it('opens on the first attempt', async () => {
    transport.steps.push(opened);

    await transport.open();

    expect(transport.state).toBe('open');
    expect(changes.map((change) => [change.previous, change.state])).toEqual([
      ['closed', 'opening'],
      ['opening', 'open'],
    ]);
  });

  it('retries with growing delays', async () => {
    await transport.open();
    expect(transport.state).toBe('reconnecting');
    expect(transport.attempts).toBe(1);

    await vi.advanceTimersByTimeAsync(changes.at(-1)?.retryInMs ?? 0);
    expect(transport.attempts).toBe(2);
    await vi.advanceTimersByTimeAsync(changes.at(-1)?.retryInMs ?? 0);
    expect(transport.attempts).toBe(3);

    const delays = changes.filter((change) => change.state === 'reconnecting').map((change) => change.retryInMs ?? 0);
    expect(delays).toHaveLength(3);
    // Each wait lies in the upper half of its cap: 100, 200, 400 ms.
    expect(delays[0]).toBeGreaterThanOrEqual(50);
    expect(delays[0]).toBeLessThanOrEqual(100);
    expect(delays[1]).toBeGreaterThanOrEqual(100);
    expect(delays[1]).toBeLessThanOrEqual(200);
    expect(delays[2]).toBeGreaterThanOrEqual(200);
    expect(delays[2]).toBeLessThanOrEqual(400);
    expect(changes.at(-1)?.attempt).toBe(3);
  });

  it('caps the delay at maxDelayMs', async () => {
    await transport.open();
    for (let i = 0; i < 10; i += 1) await vi.advanceTimersByTimeAsync(changes.at(-1)?.retryInMs ?? 0);

    for (const change of changes) expect(change.retryInMs ?? 0).toBeLessThanOrEqual(1_000);
  });

  it('opens after failed attempts and resets the count', async () => {
    transport.steps.push({ error: new Error('connect ECONNREFUSED') }, opened);
    await transport.open();

    await vi.advanceTimersByTimeAsync(changes.at(-1)?.retryInMs ?? 0);

    expect(transport.state).toBe('open');
    expect(changes.at(-1)).toMatchObject({ state: 'open', previous: 'reconnecting', attempt: 0 });
  });

  it('fails on a permanent error', async () => {
    transport.steps.push({ error: new Error('permission denied on /dev/ttyS0') });

    await expect(transport.open()).rejects.toThrow(/cobas-c311 failed: permission denied/);

    expect(transport.state).toBe('failed');
    expect(vi.getTimerCount()).toBe(0);
    expect(capture.lines.at(-1)).toMatchObject({ level: LEVEL.error, state: 'failed', connectionId: 'cobas-c311' });
  });

  it('opens again after failing', async () => {
    transport.steps.push({ error: new Error('permission denied') }, opened);
    await expect(transport.open()).rejects.toThrow();

    await transport.open();

    expect(transport.state).toBe('open');
  });

  it('reconnects after a lost connection', async () => {
    transport.steps.push(opened, opened);
    await transport.open();

    transport.lose(new Error('read ECONNRESET'));
    transport.lose(new Error('socket closed'));
    await vi.advanceTimersByTimeAsync(0);

    expect(transport.state).toBe('reconnecting');
    expect(changes.filter((change) => change.state === 'reconnecting')).toHaveLength(1);
    expect(changes.at(-1)).toMatchObject({ previous: 'open', reason: 'read ECONNRESET', attempt: 1 });
    expect(transport.releases).toBe(1);

    await vi.advanceTimersByTimeAsync(changes.at(-1)?.retryInMs ?? 0);
    expect(transport.state).toBe('open');
  });

  it('stops retrying when closed', async () => {
    await transport.open();
    expect(vi.getTimerCount()).toBe(1);

    await transport.close();

    expect(transport.state).toBe('closed');
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(transport.attempts).toBe(1);
  });

  it('waits for an attempt in flight on close', async () => {
    let finish: (outcome: AttemptOutcome) => void = () => undefined;
    transport.steps.push({ pending: new Promise<AttemptOutcome>((resolve) => (finish = resolve)) });
    const opening = transport.open();

    const closing = transport.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.state).toBe('opening');
    const releasesBeforeFinish = transport.releases;
    finish({ open: true, reason: 'connected' });
    await closing;
    await opening;

    expect(transport.state).toBe('closed');
    expect(changes.map((change) => change.state)).toEqual(['opening', 'closed']);
    // Whatever the late attempt opened is released after it finished.
    expect(transport.releases).toBeGreaterThan(releasesBeforeFinish);
  });

  it('ignores an attempt that succeeds after a loss', async () => {
    let finish: (outcome: AttemptOutcome) => void = () => undefined;
    transport.steps.push({ pending: new Promise<AttemptOutcome>((resolve) => (finish = resolve)) });
    const opening = transport.open();

    transport.lose(new Error('port vanished right after opening'));
    await vi.advanceTimersByTimeAsync(0);
    finish({ open: true, reason: 'connected' });
    await opening;

    expect(transport.state).toBe('reconnecting');
    expect(changes.map((change) => change.state)).toEqual(['opening', 'reconnecting']);
  });

  it('rejects writes unless open', async () => {
    await expect(transport.write(Buffer.from('x'))).rejects.toBeInstanceOf(TransportNotOpenError);
    await transport.open();

    await expect(transport.write(Buffer.from('x'))).rejects.toThrow(/cobas-c311 is reconnecting, not open/);
    expect(transport.sent).toEqual([]);
  });

  it('passes writes and data while open', async () => {
    transport.steps.push(opened);
    await transport.open();
    const received: Buffer[] = [];
    transport.on('data', (chunk) => received.push(chunk));

    await transport.write(Buffer.from('\x06'));
    transport.deliver(Buffer.from('\x05'));

    expect(transport.sent).toEqual([Buffer.from('\x06')]);
    expect(received).toEqual([Buffer.from('\x05')]);
  });

  it('drops data after close', async () => {
    transport.steps.push(opened);
    await transport.open();
    const received: Buffer[] = [];
    transport.on('data', (chunk) => received.push(chunk));

    await transport.close();
    transport.deliver(Buffer.from('late'));

    expect(received).toEqual([]);
  });

  it('logs repeated retries at debug', async () => {
    await transport.open();
    for (let i = 0; i < 20; i += 1) await vi.advanceTimersByTimeAsync(changes.at(-1)?.retryInMs ?? 0);

    const retries = capture.lines.filter((line) => line.state === 'reconnecting');
    expect(retries).toHaveLength(21);
    expect(retries[0]?.level).toBe(LEVEL.warn);
    expect(retries[1]?.level).toBe(LEVEL.debug);
    expect(retries.filter((line) => line.level === LEVEL.warn).map((line) => line.attempt)).toEqual([1, 20]);
  });

  it('logs ids and counts, never data', async () => {
    transport.steps.push(opened);
    await transport.open();
    await transport.write(Buffer.from('PID|1||MRN-12345'));
    transport.deliver(Buffer.from('OBX|1|NM|718-7^HGB'));

    await transport.close();

    expect(capture.text()).not.toContain('MRN-12345');
    expect(capture.text()).not.toContain('718-7');
    expect(capture.lines.at(-1)).toMatchObject({ state: 'closed', connectionId: 'cobas-c311', bytesSent: 16, bytesReceived: 18 });
  });
});
