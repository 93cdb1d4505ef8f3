import { connect, createServer, type Server, type Socket } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import type { TcpServerTransport, Transport } from '../../../../devices/transport/index.js';
import { createTransport, waitForTransportState } from '../../../../devices/transport/index.js';
import { captureLogs, LEVEL } from '../../../unit/devices/transport/log-capture.js';
import { collectBytes } from './collect-bytes.js';

const reconnect = { initialDelayMs: 20, maxDelayMs: 100 };

describe('TCP transports on 127.0.0.1', () => {
  let transports: Transport[] = [];
  let sockets: Socket[] = [];

  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    for (const transport of transports) await transport.close();
    transports = [];
    sockets = [];
  });

  function server(id: string, port = 0, extra: Record<string, unknown> = {}, logger = captureLogs().logger): TcpServerTransport {
    const transport = createTransport({ kind: 'tcp-server', host: '127.0.0.1', port, reconnect, ...extra }, { id, logger });
    transports.push(transport);
    return transport as TcpServerTransport;
  }

  function client(id: string, port: number, logger = captureLogs().logger): Transport {
    const transport = createTransport({ kind: 'tcp-client', host: '127.0.0.1', port, reconnect }, { id, logger });
    transports.push(transport);
    return transport;
  }

  async function listening(transport: TcpServerTransport): Promise<number> {
    await transport.open();
    const port = transport.address?.port;
    if (!port) throw new Error(`Server ${transport.id} is not listening`);
    return port;
  }

  function rawConnection(port: number): Promise<Socket> {
    return new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
      socket.once('error', reject);
      sockets.push(socket);
    });
  }

  it('carries bytes both ways', async () => {
    const host = server('erba-elite-580');
    const port = await listening(host);
    expect(host.state).toBe('opening');
    const analyzer = client('analyzer', port);
    const hostOpen = waitForTransportState(host, 'open');

    await analyzer.open();
    await hostOpen;
    const atHost = collectBytes(host);
    const atAnalyzer = collectBytes(analyzer);
    const message = Buffer.from('\x0bMSH|^~\\&|ELite 580|Erba\r\x1c\r', 'latin1');
    const acknowledgement = Buffer.from('\x0bMSH|^~\\&|||ELite 580\rMSA|AA|1\r\x1c\r', 'latin1');
    await analyzer.write(message);
    await host.write(acknowledgement);

    expect(await atHost.waitFor(message.length)).toEqual(message);
    expect(await atAnalyzer.waitFor(acknowledgement.length)).toEqual(acknowledgement);
  });

  it('client reconnects after a server restart', async () => {
    const capture = captureLogs();
    const first = server('host-1');
    const port = await listening(first);
    const analyzer = client('bs-240', port, capture.logger);
    await analyzer.open();
    await waitForTransportState(first, 'open');

    const lost = waitForTransportState(analyzer, 'reconnecting');
    await first.close();
    expect((await lost).previous).toBe('open');
    await expect(analyzer.write(Buffer.from('x'))).rejects.toThrow(/bs-240 is reconnecting, not open/);

    const second = server('host-2', port);
    const reopened = waitForTransportState(analyzer, 'open');
    await second.open();
    await reopened;
    await waitForTransportState(second, 'open');
    const atHost = collectBytes(second);
    const atAnalyzer = collectBytes(analyzer);
    await analyzer.write(Buffer.from('\x05'));
    await second.write(Buffer.from('\x06'));

    expect(await atHost.waitFor(1)).toEqual(Buffer.from('\x05'));
    expect(await atAnalyzer.waitFor(1)).toEqual(Buffer.from('\x06'));
    const lostLine = capture.lines.find((line) => line.state === 'reconnecting' && line.previous === 'open');
    expect(lostLine).toMatchObject({ level: LEVEL.warn, connectionId: 'bs-240', transport: 'tcp-client', endpoint: `127.0.0.1:${port}` });
    expect(lostLine?.msg).toMatch(/closed the connection/);
  });

  it('server waits for the analyzer to return', async () => {
    const capture = captureLogs();
    const host = server('genexpert', 0, {}, capture.logger);
    const port = await listening(host);
    const analyzer = client('analyzer', port);
    await analyzer.open();
    await waitForTransportState(host, 'open');

    const waiting = waitForTransportState(host, 'reconnecting');
    await analyzer.close();
    const change = await waiting;
    expect(change.reason).toMatch(/disconnected; waiting for it to connect again/);
    expect(change.retryInMs).toBeUndefined();

    const back = waitForTransportState(host, 'open');
    await analyzer.open();
    await back;
    const atHost = collectBytes(host);
    await analyzer.write(Buffer.from('after reconnect'));
    expect((await atHost.waitFor(15)).toString('latin1')).toBe('after reconnect');

    const states = capture.lines.filter((line) => typeof line.state === 'string').map((line) => line.state);
    expect(states).toEqual(['opening', 'opening', 'open', 'reconnecting', 'open']);
    expect(capture.text()).not.toContain('after reconnect');
  });

  it('rejects a second connection by default', async () => {
    const capture = captureLogs();
    const host = server('one-at-a-time', 0, {}, capture.logger);
    const port = await listening(host);
    const analyzer = client('analyzer', port);
    await analyzer.open();
    await waitForTransportState(host, 'open');

    const intruder = await rawConnection(port);
    await new Promise((resolve) => intruder.once('close', resolve));

    const atHost = collectBytes(host);
    await analyzer.write(Buffer.from('still here'));
    expect((await atHost.waitFor(10)).toString('latin1')).toBe('still here');
    expect(capture.lines.find((line) => line.msg.includes('rejected a second connection'))?.level).toBe(LEVEL.warn);
  });

  it('replaces the old connection when configured', async () => {
    const host = server('replace', 0, { whenBusy: 'replace-old' });
    const port = await listening(host);
    const old = await rawConnection(port);
    await waitForTransportState(host, 'open');
    const oldClosed = new Promise((resolve) => old.once('close', resolve));

    const replacement = await rawConnection(port);
    await oldClosed;
    const atHost = collectBytes(host);
    replacement.write('from the new connection');

    expect((await atHost.waitFor(23)).toString('latin1')).toBe('from the new connection');
    expect(host.state).toBe('open');
  });

  it('drops peers not in allowedAddresses', async () => {
    const capture = captureLogs();
    const host = server('allow-list', 0, { allowedAddresses: ['10.1.20.31'] }, capture.logger);
    const port = await listening(host);

    const stranger = await rawConnection(port);
    await new Promise((resolve) => stranger.once('close', resolve));

    expect(host.state).toBe('opening');
    expect(capture.lines.find((line) => line.msg.includes('not in allowedAddresses'))?.level).toBe(LEVEL.warn);
  });

  it('retries listening while the port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const port = (blocker.address() as { port: number }).port;
    const host = server('port-taken', port);

    await host.open();
    expect(host.state).toBe('reconnecting');

    const listeningAgain = new Promise<void>((resolve) => {
      host.on('state', (change) => {
        if (change.reason.startsWith('listening')) resolve();
      });
    });
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    await listeningAgain;
    const analyzer = client('analyzer', port);
    await analyzer.open();
    await waitForTransportState(host, 'open');
  });

  it('resolves a large write after draining', async () => {
    const host = server('bulk');
    const port = await listening(host);
    const analyzer = client('analyzer', port);
    await analyzer.open();
    await waitForTransportState(host, 'open');
    const atHost = collectBytes(host, 60_000);
    const total = 64 * 1024 * 1024;

    const receivedAtResolve = analyzer.write(Buffer.alloc(total, 0x42)).then(() => atHost.received());

    // Loopback socket buffers hold a few megabytes at most, so most of the 64 MB must have
    // reached the server before the write resolves.
    expect(await receivedAtResolve).toBeGreaterThan(total - 32 * 1024 * 1024);
    expect((await atHost.waitFor(total)).length).toBe(total);
  });
});
