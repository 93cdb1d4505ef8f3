import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Core } from '../../../main/core/core.js';
import { createCore } from '../../../main/core/core.js';
import { fixedClock } from '../../../main/core/clock.js';
import type { ScanEvent, ScannerView } from '../../../preload/api/scan-schemas.js';
import { scanEvent } from '../../../preload/api/scan-schemas.js';
import type { SyncServer } from '../../../sync/server/app.js';
import { createServer } from '../../../sync/server/app.js';
import { FakeHidBinding, HONEYWELL_VENDOR_ID, posScanner, readReports } from '../../support/fake-hid.js';
import { until } from '../../support/lab-bench.js';
import type { TestDatabase } from '../../support/postgres.js';
import { createTestDatabase } from '../../support/postgres.js';
import { makeTempDirectory } from '../../support/replica.js';
import { captureLogs } from '../../unit/devices/transport/log-capture.js';

const CLOCK = fixedClock('2026-06-01T08:00:00.000Z');
const ALLOWED = posScanner({ path: '/dev/hidraw3', productId: 0x0b01, serialNumber: 'ALLOWED01' });
const BLOCKED = posScanner({ path: '/dev/hidraw5', productId: 0x0b02, serialNumber: 'BLOCKED01', product: 'Xenon 1900' });

describe('HID scanners in the core', () => {
  const directory = makeTempDirectory('hid-scanning');
  const binding = new FakeHidBinding();
  const logs = captureLogs();
  let database: TestDatabase;
  let server: SyncServer;
  let core: Core;
  const received: ScanEvent[] = [];
  const channels: string[] = [];

  async function call<T>(channel: string, input: unknown = {}): Promise<T> {
    const result = await core.gateway.handle(channel, input, { senderId: 'hid-scanning-test' });
    if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
    return result.value as T;
  }

  async function scanners(): Promise<ScannerView[]> {
    return call<ScannerView[]>('scan:scanners');
  }

  beforeAll(async () => {
    database = await createTestDatabase('hid_scanning');
    server = await createServer({ port: 0, databaseUrl: database.url, seed: { now: CLOCK.now() }, now: () => CLOCK.now(), logLevel: 'silent' });
    binding.plug(ALLOWED);
    binding.plug(BLOCKED);
    core = await createCore({
      settings: {
        workstationId: 'ws-hid-scanning',
        serverUrl: server.url,
        wardId: 'ward-4a',
        scanning: {
          specimenPattern: 'S\\d{2}-(?<accession>\\d{6})',
          extraGroupSeparators: [],
          wedge: {},
          hid: { enabled: true, pollIntervalMs: 250 },
        },
      },
      dataDirectory: join(directory.path, 'workstation'),
      logger: logs.logger,
      clock: CLOCK,
      policy: { allowedUsbDevices: [{ vendorId: `0x${HONEYWELL_VENDOR_ID.toString(16).padStart(4, '0')}`, productId: '0x0b01', role: 'barcode scanner' }] },
      hidDevices: binding,
    });
    core.events.subscribe((channel, payload) => {
      channels.push(channel);
      if (channel === 'scan:received') received.push(scanEvent.parse(payload));
    });
  });

  afterAll(async () => {
    await core?.close();
    await server?.close();
    await database?.drop();
    directory.remove();
  });

  it('drops scans while nobody is signed in', async () => {
    const connection = await until(() => binding.connections.get('/dev/hidraw3'), Boolean, 'the allowed scanner opened');
    const changes = channels.length;

    await connection?.send(readReports('specimen-code128.hex'));

    // The registry counts the scan (scan:scannersChanged) but no scan event goes out.
    await until(() => channels.slice(changes), (after) => after.includes('scan:scannersChanged'), 'the scan counted');
    expect(channels.slice(changes)).not.toContain('scan:received');
    expect(received).toEqual([]);
  });

  it('lists the allowed scanner connected and the other blocked', async () => {
    await call('session:signIn', { username: 'nurse', password: 'nurse-demo' });
    const list = await until(scanners, (views) => views.length === 3, 'both HID scanners listed');

    expect(list[0]).toMatchObject({ id: 'wedge', kind: 'wedge', state: 'disconnected', scans: 0 });
    const allowed = list.find((view) => view.productId === '0x0b01');
    const blocked = list.find((view) => view.productId === '0x0b02');
    expect(allowed).toMatchObject({ kind: 'hid', state: 'connected', vendorId: '0x0c2e', name: 'Honeywell Voyager 1602g', reason: null, scans: 1 });
    expect(blocked).toMatchObject({ kind: 'hid', state: 'blocked', name: 'Honeywell Xenon 1900' });
    expect(blocked?.reason).toContain('productId 0x0b02');
    expect(binding.opened).toEqual(['/dev/hidraw3']);
    expect(channels).toContain('scan:scannersChanged');
  });

  it('sends parsed scans while signed in', async () => {
    await binding.connections.get('/dev/hidraw3')?.send([...readReports('gs1-datamatrix-two-reports.hex'), ...readReports('specimen-code128.hex')]);
    await until(() => received.length, (count) => count === 2, 'two scan events');

    const [medication, specimen] = received;
    expect(medication?.source).toBe('hid');
    expect(medication?.receivedAt).toBe('2026-06-01T08:00:00.000Z');
    expect(medication?.result.kind).toBe('gs1');
    expect(medication?.result.error).toBeNull();
    if (medication?.result.kind !== 'gs1') throw new Error(`expected a GS1 scan, got ${medication?.result.kind}`);
    expect(medication.result.elements.map((element) => element.ai)).toEqual(['01', '17', '10', '21', '240']);
    expect(specimen?.raw).toBe(']C0S24-000123');
    if (specimen?.result.kind !== 'specimen') throw new Error(`expected a specimen scan, got ${specimen?.result.kind}`);
    expect(specimen.result.accession).toBe('000123');
    expect(medication?.id).not.toBe(specimen?.id);

    const allowed = (await scanners()).find((view) => view.productId === '0x0b01');
    expect(allowed?.scans).toBe(3);
    expect(allowed?.lastScanAt).toBe('2026-06-01T08:00:00.000Z');
  });

  it('shows an unplugged scanner as disconnected', async () => {
    binding.unplug('/dev/hidraw3');

    const list = await until(scanners, (views) => views.find((view) => view.productId === '0x0b01')?.state === 'disconnected', 'the scanner disconnected');
    expect(list.find((view) => view.productId === '0x0b01')?.scans).toBe(3);
  });

  it('opens a scanner plugged in again', async () => {
    binding.plug(ALLOWED);

    await until(scanners, (views) => views.find((view) => view.productId === '0x0b01')?.state === 'connected', 'the scanner connected again');
    expect(binding.opened).toEqual(['/dev/hidraw3', '/dev/hidraw3']);
  });

  it('counts wedge scans reported by the renderer', async () => {
    await call('scan:reportWedgeScan', { receivedAt: '2026-06-01T08:01:00.000Z' });

    const [wedge] = await scanners();
    expect(wedge).toMatchObject({ id: 'wedge', state: 'connected', scans: 1, lastScanAt: '2026-06-01T08:01:00.000Z' });
  });

  it('gives the renderer the site patterns and timings', async () => {
    const settings = await call('scan:settings');

    expect(settings).toEqual({
      wristbandPattern: null,
      specimenPattern: 'S\\d{2}-(?<accession>\\d{6})',
      extraGroupSeparators: [],
      wedge: { maxInterKeyMs: 30, minLength: 6, suffixGraceMs: 80 },
    });
  });

  it('logs no scan content', () => {
    expect(logs.text()).not.toContain('S24-000123');
    expect(logs.text()).not.toContain('SN0000000000000001');
  });
});
