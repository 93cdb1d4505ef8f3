import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { HidBinding, HidConnection, HidDeviceInfo } from '../../devices/hid-scanner/index.js';

/** Honeywell's USB vendor id (formerly Metrologic). The product ids of the fakes are made up. */
export const HONEYWELL_VENDOR_ID = 0x0c2e;

/** Reads a report file of test/fixtures/hid-pos: one report a line, as hexadecimal bytes. */
export function readReports(file: string): Buffer[] {
  const text = readFileSync(join(import.meta.dirname, '../fixtures/hid-pos', file), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => Buffer.from(line.trim().split(/\s+/).map((byte) => Number.parseInt(byte, 16))));
}

/** An open fake device: it emits the reports a test sends through it, as node-hid's HIDAsync does. */
export class FakeHidConnection extends EventEmitter implements HidConnection {
  closed = false;

  async close(): Promise<void> {
    this.closed = true;
    this.removeAllListeners();
  }

  /** Emits each report as one `data` event, in order, with a macrotask between them as USB transfers have. */
  async send(reports: readonly Buffer[]): Promise<void> {
    for (const report of reports) {
      this.emit('data', Buffer.from(report));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  fail(message: string): void {
    this.emit('error', new Error(message));
  }
}

/**
 * A fake node-hid: devices a test plugs in and removes, and a connection per opened path. A
 * device whose path is in `failingPaths` cannot be opened.
 */
export class FakeHidBinding implements HidBinding {
  readonly #devices = new Map<string, HidDeviceInfo>();
  readonly connections = new Map<string, FakeHidConnection>();
  readonly failingPaths = new Set<string>();
  opened: string[] = [];
  listFailure: Error | null = null;

  plug(device: HidDeviceInfo & { path: string }): void {
    this.#devices.set(device.path, device);
  }

  unplug(path: string): void {
    this.#devices.delete(path);
    this.connections.get(path)?.fail('could not read from HID device');
  }

  async devices(): Promise<HidDeviceInfo[]> {
    if (this.listFailure) throw this.listFailure;
    return [...this.#devices.values()].map((device) => ({ ...device }));
  }

  async open(path: string): Promise<HidConnection> {
    this.opened.push(path);
    if (this.failingPaths.has(path) || !this.#devices.has(path)) throw new Error(`cannot open device with path ${path}`);
    const connection = new FakeHidConnection();
    this.connections.set(path, connection);
    return connection;
  }
}

/** Returns a HID POS scanner interface as node-hid lists it on Linux (hidraw). */
export function posScanner(overrides: Partial<HidDeviceInfo> & { path: string }): HidDeviceInfo & { path: string } {
  return {
    vendorId: HONEYWELL_VENDOR_ID,
    productId: 0x0b01,
    serialNumber: '15232B1F0C',
    manufacturer: 'Honeywell',
    product: 'Voyager 1602g',
    release: 0x0100,
    interface: 0,
    usagePage: 0x8c,
    usage: 0x02,
    ...overrides,
  };
}

/**
 * Builds the scanned data reports of one scan in the layout of the recorded Honeywell reports.
 * Each has report ID 0x02, the data length, the three-byte AIM identifier, 56 data bytes padded
 * with zeros, the code ID, a zero byte and the continuation flag.
 */
export function scannedDataReports(symbologyIdentifier: string, data: string, codeId = 'j'): Buffer[] {
  const bytes = Buffer.from(data, 'latin1');
  const reports: Buffer[] = [];
  for (let offset = 0; offset === 0 || offset < bytes.length; offset += 56) {
    const chunk = bytes.subarray(offset, offset + 56);
    const report = Buffer.alloc(64);
    report[0] = 0x02;
    report[1] = chunk.length;
    report.write(symbologyIdentifier.padEnd(3, '\0'), 2, 'latin1');
    chunk.copy(report, 5);
    report[61] = codeId.charCodeAt(0);
    report[63] = offset + 56 < bytes.length ? 1 : 0;
    reports.push(report);
  }
  return reports;
}
