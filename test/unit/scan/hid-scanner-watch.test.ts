import { afterEach, describe, expect, it } from 'vitest';

import type { HidScan, HidScannerStatus } from '../../../devices/hid-scanner/index.js';
import { HidScannerWatch, scannerId } from '../../../devices/hid-scanner/index.js';
import { captureLogs } from '../devices/transport/log-capture.js';
import { FakeHidBinding, posScanner, readReports } from '../../support/fake-hid.js';

const SCANNER = posScanner({ path: '/dev/hidraw3' });

function watchWith(binding: FakeHidBinding, allowed = true) {
  const logs = captureLogs();
  const watch = new HidScannerWatch({
    binding,
    pollIntervalMs: 60_000,
    access: () => ({ allowed, reason: allowed ? null : 'not on the list' }),
    logger: logs.logger,
  });
  const statuses: HidScannerStatus[] = [];
  const scans: HidScan[] = [];
  watch.on('status', (status) => statuses.push(status));
  watch.on('scan', (scan) => scans.push(scan));
  return { watch, statuses, scans, logs };
}

describe('HID scanner watch', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('opens only usage page 0x8C interfaces', async () => {
    const binding = new FakeHidBinding();
    binding.plug(SCANNER);
    binding.plug(posScanner({ path: '/dev/hidraw4', usagePage: 0x01, usage: 0x06, serialNumber: 'KEYBOARD' }));
    const { watch, statuses } = watchWith(binding);
    close = () => watch.close();

    await watch.start();

    expect(binding.opened).toEqual(['/dev/hidraw3']);
    expect(statuses).toEqual([expect.objectContaining({ id: scannerId(SCANNER), state: 'connected', name: 'Honeywell Voyager 1602g' })]);
  });

  it('emits whole scans from reports', async () => {
    const binding = new FakeHidBinding();
    binding.plug(SCANNER);
    const { watch, scans } = watchWith(binding);
    close = () => watch.close();
    await watch.start();

    await binding.connections.get('/dev/hidraw3')?.send([...readReports('gs1-datamatrix-two-reports.hex'), ...readReports('specimen-code128.hex')]);

    expect(scans.map((scan) => scan.raw)).toEqual([']d20109501101020917172607311012A3B\u001d21SN0000000000000001\u001d240LINE7-WARD-PHARMACY', ']C0S24-000123']);
    expect(scans[0]?.scannerId).toBe(scannerId(SCANNER));
    expect(scans[0]?.reports).toBe(2);
  });

  it('keeps a blocked scanner closed', async () => {
    const binding = new FakeHidBinding();
    binding.plug(SCANNER);
    const { watch, statuses } = watchWith(binding, false);
    close = () => watch.close();

    await watch.start();

    expect(binding.opened).toEqual([]);
    expect(statuses).toEqual([expect.objectContaining({ state: 'blocked', reason: 'not on the list' })]);
  });

  it('follows plugging and unplugging', async () => {
    const binding = new FakeHidBinding();
    const { watch, statuses } = watchWith(binding);
    close = () => watch.close();
    await watch.start();
    expect(statuses).toEqual([]);

    binding.plug(SCANNER);
    await watch.poll();
    binding.unplug('/dev/hidraw3');
    await watch.poll();
    binding.plug(SCANNER);
    await watch.poll();

    expect(statuses.map((status) => status.state)).toEqual(['connected', 'failed', 'disconnected', 'connected']);
    expect(binding.opened).toEqual(['/dev/hidraw3', '/dev/hidraw3']);
  });

  it('retries a scanner that failed to open', async () => {
    const binding = new FakeHidBinding();
    binding.plug(SCANNER);
    binding.failingPaths.add('/dev/hidraw3');
    const { watch, statuses } = watchWith(binding);
    close = () => watch.close();

    await watch.start();
    expect(statuses.at(-1)?.state).toBe('failed');
    expect(statuses.at(-1)?.reason).toContain('could not be opened');

    binding.failingPaths.clear();
    await watch.poll();
    expect(statuses.at(-1)?.state).toBe('connected');
  });

  it('survives a failing device list', async () => {
    const binding = new FakeHidBinding();
    binding.listFailure = new Error('hid_enumerate failed');
    const { watch, logs } = watchWith(binding);
    close = () => watch.close();

    await watch.start();
    await watch.poll();

    expect(logs.lines.filter((line) => line.msg.startsWith('reading the USB device list failed'))).toHaveLength(1);
    binding.listFailure = null;
    binding.plug(SCANNER);
    await watch.poll();
    expect(watch.statuses()[0]?.state).toBe('connected');
  });

  it('logs no scan content', async () => {
    const binding = new FakeHidBinding();
    binding.plug(SCANNER);
    const { watch, logs } = watchWith(binding);
    close = () => watch.close();
    await watch.start();

    await binding.connections.get('/dev/hidraw3')?.send(readReports('specimen-code128.hex'));

    expect(logs.text()).not.toContain('S24-000123');
    expect(logs.lines.some((line) => line.msg === 'HID scan received')).toBe(true);
  });

  it('ignores reports that carry no scan', async () => {
    const binding = new FakeHidBinding();
    binding.plug(SCANNER);
    const { watch, scans, logs } = watchWith(binding);
    close = () => watch.close();
    await watch.start();

    const status = Buffer.alloc(64);
    status[0] = 0x04;
    await binding.connections.get('/dev/hidraw3')?.send([status, Buffer.from([0x02, 0x01, 0x41])]);

    expect(scans).toEqual([]);
    expect(logs.lines.filter((line) => line.msg.startsWith('HID scanner sent an invalid scanned data report'))).toHaveLength(1);
  });
});
