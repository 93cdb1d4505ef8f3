import { EventEmitter } from 'node:events';

import type { Logger } from '../../main/core/logging/logger.js';
import type { HidBinding, HidConnection, HidDeviceInfo } from './hid-binding.js';
import { HID_POS_USAGE_PAGE, readScannedDataReport } from './hid-pos-report.js';
import type { AssemblyStep } from './scan-assembler.js';
import { DEFAULT_FRAGMENT_TIMEOUT_MS, ScanAssembler } from './scan-assembler.js';

export type HidScannerState = 'connected' | 'disconnected' | 'blocked' | 'failed';

export interface HidScannerStatus {
  /** `hid:<vendor id>:<product id>:<serial number, or the device path without one>`. */
  id: string;
  name: string;
  vendorId: number;
  productId: number;
  state: HidScannerState;
  /** The reason for `blocked` or `failed`, in words IT can act on; null otherwise. */
  reason: string | null;
}

export interface HidScan {
  scannerId: string;
  raw: string;
  reports: number;
}

/** Whether policy lets the workstation open a scanner, and why not. */
export interface ScannerAccess {
  allowed: boolean;
  reason: string | null;
}

export interface HidScannerWatchOptions {
  binding: HidBinding;
  /** How often the device list is read for scanners plugged in or removed, in ms. */
  pollIntervalMs: number;
  access(device: HidDeviceInfo): ScannerAccess;
  logger: Logger;
  /** The clock of report arrival, in ms; `Date.now` unless a test sets one. */
  now?: () => number;
  fragmentTimeoutMs?: number;
}

interface WatchEvents {
  status: [HidScannerStatus];
  scan: [HidScan];
}

interface TrackedScanner {
  status: HidScannerStatus;
  path: string;
  connection: HidConnection | null;
  assembler: ScanAssembler;
  expiryTimer: NodeJS.Timeout | undefined;
}

/** Invalid reports logged per scanner before the rest go to debug. */
const INVALID_REPORT_WARNINGS = 5;

/**
 * Finds HID POS barcode scanners (HID interfaces on usage page 0x8C) and reads whole scans from
 * them. node-hid 3 has no hot-plug events, so the device list is read every `pollIntervalMs`: a
 * new scanner is opened unless policy blocks it, and a removed one is closed. A scanner that
 * fails is opened again at the next poll. Logs name scanners by id and count bytes, never the
 * content of a scan, which can be a patient identifier.
 */
export class HidScannerWatch extends EventEmitter<WatchEvents> {
  readonly #options: HidScannerWatchOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #scanners = new Map<string, TrackedScanner>();
  readonly #invalidReports = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | null = null;
  #listFailures = 0;
  #closed = false;

  constructor(options: HidScannerWatchOptions) {
    super();
    this.#options = options;
    this.#log = options.logger;
    this.#now = options.now ?? Date.now;
  }

  /** Reads the device list now and then every poll interval. */
  async start(): Promise<void> {
    this.#log.info({ pollIntervalMs: this.#options.pollIntervalMs }, 'watching for HID POS barcode scanners');
    await this.poll();
    this.#timer = setInterval(() => void this.poll(), this.#options.pollIntervalMs);
    this.#timer.unref();
  }

  /** Reads the device list once; a poll in progress is awaited rather than run twice. */
  poll(): Promise<void> {
    this.#polling ??= this.#poll().finally(() => {
      this.#polling = null;
    });
    return this.#polling;
  }

  statuses(): HidScannerStatus[] {
    return [...this.#scanners.values()].map((scanner) => ({ ...scanner.status }));
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#polling;
    await Promise.all([...this.#scanners.values()].map((scanner) => this.#closeConnection(scanner)));
    this.#log.info({ scanners: this.#scanners.size }, 'stopped watching for HID POS barcode scanners');
  }

  async #poll(): Promise<void> {
    if (this.#closed) return;
    let devices: HidDeviceInfo[];
    try {
      devices = await this.#options.binding.devices();
      if (this.#listFailures > 0) this.#log.info({ failures: this.#listFailures }, 'the USB device list can be read again');
      this.#listFailures = 0;
    } catch (error) {
      this.#listFailures += 1;
      // One warning, then one for every 30 failed polls, so a lasting fault does not flood the log.
      if (this.#listFailures % 30 === 1) this.#log.warn({ err: error, failures: this.#listFailures }, 'reading the USB device list failed; HID scanners are not updated');
      return;
    }

    const present = new Map<string, HidDeviceInfo & { path: string }>();
    for (const device of devices) {
      if (device.usagePage !== HID_POS_USAGE_PAGE || !device.path) continue;
      present.set(scannerId(device), { ...device, path: device.path });
    }

    for (const [id, scanner] of this.#scanners) {
      if (present.has(id) || scanner.status.state === 'disconnected') continue;
      await this.#closeConnection(scanner);
      this.#setStatus(scanner, 'disconnected', null);
      this.#log.info({ scannerId: id }, 'HID scanner removed');
    }
    for (const [id, device] of present) {
      if (this.#closed) return;
      const known = this.#scanners.get(id);
      if (known && (known.status.state === 'connected' || known.status.state === 'blocked')) continue;
      await this.#attach(id, device, known);
    }
  }

  async #attach(id: string, device: HidDeviceInfo & { path: string }, known: TrackedScanner | undefined): Promise<void> {
    const scanner: TrackedScanner = known ?? {
      status: { id, name: deviceName(device), vendorId: device.vendorId, productId: device.productId, state: 'disconnected', reason: null },
      path: device.path,
      connection: null,
      assembler: new ScanAssembler(this.#options.fragmentTimeoutMs ?? DEFAULT_FRAGMENT_TIMEOUT_MS),
      expiryTimer: undefined,
    };
    scanner.path = device.path;
    this.#scanners.set(id, scanner);

    const access = this.#options.access(device);
    if (!access.allowed) {
      this.#setStatus(scanner, 'blocked', access.reason);
      this.#log.warn({ scannerId: id, vendorId: hex(device.vendorId), productId: hex(device.productId) }, 'HID scanner blocked by policy; it stays closed');
      return;
    }

    const wasFailing = scanner.status.state === 'failed';
    try {
      const connection = await this.#options.binding.open(device.path);
      scanner.connection = connection;
      connection.on('data', (report) => this.#received(scanner, report));
      connection.on('error', (error) => void this.#failed(scanner, error));
      this.#setStatus(scanner, 'connected', null);
      this.#log.info({ scannerId: id, vendorId: hex(device.vendorId), productId: hex(device.productId) }, 'HID scanner connected');
    } catch (error) {
      const reason = `The scanner could not be opened (${(error as Error).message}). Check that no other program has it open and that this user may open HID devices.`;
      this.#setStatus(scanner, 'failed', reason);
      // A scanner that keeps failing is retried at every poll; only the first failure is a warning.
      if (wasFailing) this.#log.debug({ scannerId: id, err: error }, 'opening the HID scanner failed again');
      else this.#log.warn({ scannerId: id, err: error }, 'opening the HID scanner failed; retrying at each poll');
    }
  }

  #received(scanner: TrackedScanner, report: Buffer): void {
    const reading = readScannedDataReport(report);
    if (reading.kind === 'other') {
      this.#log.debug({ scannerId: scanner.status.id, reportId: reading.reportId }, 'HID scanner sent a report that carries no scan');
      return;
    }
    if (reading.kind === 'invalid') {
      const count = (this.#invalidReports.get(scanner.status.id) ?? 0) + 1;
      this.#invalidReports.set(scanner.status.id, count);
      const level = count <= INVALID_REPORT_WARNINGS ? 'warn' : 'debug';
      this.#log[level]({ scannerId: scanner.status.id, bytes: report.length, invalidReports: count, reason: reading.reason }, 'HID scanner sent an invalid scanned data report; it is ignored');
      return;
    }

    clearTimeout(scanner.expiryTimer);
    for (const step of scanner.assembler.add(reading.fragment, this.#now())) this.#apply(scanner, step);
    if (reading.fragment.more) {
      const timeoutMs = this.#options.fragmentTimeoutMs ?? DEFAULT_FRAGMENT_TIMEOUT_MS;
      scanner.expiryTimer = setTimeout(() => {
        const step = scanner.assembler.expire(this.#now());
        if (step) this.#apply(scanner, step);
      }, timeoutMs + 10);
      scanner.expiryTimer.unref();
    }
  }

  #apply(scanner: TrackedScanner, step: AssemblyStep): void {
    if (step.kind === 'scan') {
      this.#log.debug({ scannerId: scanner.status.id, reports: step.scan.reports, characters: step.scan.raw.length }, 'HID scan received');
      this.emit('scan', { scannerId: scanner.status.id, raw: step.scan.raw, reports: step.scan.reports });
    } else if (step.kind === 'dropped') {
      this.#log.warn({ scannerId: scanner.status.id, reports: step.reports, bytes: step.bytes }, 'dropped the start of a HID scan whose next report did not come; scan the barcode again');
    }
  }

  async #failed(scanner: TrackedScanner, error: Error): Promise<void> {
    // node-hid reports a removed device as a read error, so the next poll decides between removal and failure.
    this.#log.warn({ scannerId: scanner.status.id, err: error }, 'reading the HID scanner failed; it is opened again at the next poll');
    await this.#closeConnection(scanner);
    this.#setStatus(scanner, 'failed', `Reading the scanner failed (${error.message}). It is opened again while it stays plugged in.`);
  }

  async #closeConnection(scanner: TrackedScanner): Promise<void> {
    clearTimeout(scanner.expiryTimer);
    const dropped = scanner.assembler.reset();
    if (dropped) this.#apply(scanner, dropped);
    const connection = scanner.connection;
    scanner.connection = null;
    if (connection === null) return;
    try {
      await connection.close();
    } catch (error) {
      this.#log.debug({ scannerId: scanner.status.id, err: error }, 'closing the HID scanner failed; it is released anyway');
    }
  }

  #setStatus(scanner: TrackedScanner, state: HidScannerState, reason: string | null): void {
    if (scanner.status.state === state && scanner.status.reason === reason) return;
    scanner.status = { ...scanner.status, state, reason };
    this.emit('status', { ...scanner.status });
  }
}

export function scannerId(device: Pick<HidDeviceInfo, 'vendorId' | 'productId' | 'serialNumber' | 'path'>): string {
  const instance = device.serialNumber?.trim() || device.path || 'unknown';
  return `hid:${hex(device.vendorId)}:${hex(device.productId)}:${instance}`;
}

function deviceName(device: HidDeviceInfo): string {
  const name = [device.manufacturer, device.product].filter((part) => part && part.trim() !== '').join(' ').trim();
  return name || `USB scanner ${hex(device.vendorId)}:${hex(device.productId)}`;
}

function hex(id: number): string {
  return `0x${id.toString(16).padStart(4, '0')}`;
}
