import { readFileSync } from 'node:fs';

import type { Capture, SimulatorEvent, SimulatorOptions } from '../../../../../devices/simulator/index.js';
import { AnalyzerSimulator, readCapture } from '../../../../../devices/simulator/index.js';
import type { TcpServerTransport, Transport, TransportSettingsInput } from '../../../../../devices/transport/index.js';
import { createTransport, waitForTransportState } from '../../../../../devices/transport/index.js';
import { captureLogs } from '../../../../unit/devices/transport/log-capture.js';

/** Fast reconnects, so that a reopen takes milliseconds. */
export const reconnect = { initialDelayMs: 20, maxDelayMs: 100 };

/** E1381 timings shortened so that a timeout fault runs its course in well under a second. */
export const fastAstm = { replyTimeoutMs: 300, receiveTimeoutMs: 400, busyRetryDelayMs: 50, contentionRetryDelayMs: 50 };

/** Reads a capture under test/fixtures. */
export function fixtureCapture(path: string): Capture {
  return readCapture(readFileSync(new URL(`../../../../fixtures/${path}`, import.meta.url)));
}

/** Transports and simulators a test made, closed after it. */
export class Rig {
  readonly transports: Transport[] = [];
  readonly simulators: AnalyzerSimulator[] = [];

  transport(id: string, settings: TransportSettingsInput): Transport {
    const transport = createTransport(settings, { id, logger: captureLogs().logger });
    this.transports.push(transport);
    return transport;
  }

  /** Starts a host listening on a free port of 127.0.0.1; resolves with its transport and port. */
  async listeningHost(id = 'test-lis'): Promise<{ transport: Transport; port: number }> {
    const transport = this.transport(id, { kind: 'tcp-server', host: '127.0.0.1', port: 0, reconnect }) as TcpServerTransport;
    await transport.open();
    const port = transport.address?.port;
    if (port === undefined) throw new Error(`Host ${id} is not listening`);
    return { transport, port };
  }

  /** Creates a simulator that records its events. */
  simulator(options: SimulatorOptions): { simulator: AnalyzerSimulator; events: SimulatorEvent[] } {
    const simulator = new AnalyzerSimulator(options);
    const events: SimulatorEvent[] = [];
    simulator.on('event', (event) => events.push(event));
    this.simulators.push(simulator);
    return { simulator, events };
  }

  async close(): Promise<void> {
    for (const simulator of this.simulators) await simulator.stop();
    for (const transport of this.transports) await transport.close();
  }
}

/** Settings of a simulator that connects to the host's port. */
export function clientOf(port: number): TransportSettingsInput {
  return { kind: 'tcp-client', host: '127.0.0.1', port, reconnect };
}

/** Waits until the host side's connection is open. */
export async function hostConnected(transport: Transport): Promise<void> {
  await waitForTransportState(transport, 'open', 10_000);
}

/** Returns the events of one type, narrowed to it. */
export function eventsOf<T extends SimulatorEvent['type']>(events: readonly SimulatorEvent[], type: T): Extract<SimulatorEvent, { type: T }>[] {
  return events.filter((event): event is Extract<SimulatorEvent, { type: T }> => event.type === type);
}
