import { describe, expect, it } from 'vitest';

import { ScannerRegistry, WEDGE_SCANNER_ID } from '../../../main/core/scan/scanner-registry.js';

const SCANNER = { id: 'hid:0x0c2e:0x0b01:A1', name: 'Honeywell Voyager 1602g', vendorId: '0x0c2e', productId: '0x0b01', state: 'connected' as const, reason: null };

describe('scanner registry', () => {
  it('lists the wedge entry first', () => {
    const registry = new ScannerRegistry();
    registry.updateHid({ ...SCANNER, id: 'hid:b', name: 'Zebra DS2208' });
    registry.updateHid(SCANNER);

    expect(registry.list().map((view) => view.name)).toEqual(['Keyboard-wedge scanners', 'Honeywell Voyager 1602g', 'Zebra DS2208']);
    expect(registry.size).toBe(3);
  });

  it('keeps counts across unplugging', () => {
    const registry = new ScannerRegistry();
    registry.updateHid(SCANNER);
    registry.recordScan(SCANNER.id, '2026-06-01T08:00:00.000Z');
    registry.updateHid({ ...SCANNER, state: 'disconnected' });

    expect(registry.list()[1]).toMatchObject({ state: 'disconnected', scans: 1, lastScanAt: '2026-06-01T08:00:00.000Z' });
  });

  it('shows the wedge entry connected after a scan', () => {
    const registry = new ScannerRegistry();
    expect(registry.list()[0]?.state).toBe('disconnected');

    registry.recordScan(WEDGE_SCANNER_ID, '2026-06-01T08:00:00.000Z');
    expect(registry.list()[0]).toMatchObject({ state: 'connected', scans: 1 });
  });

  it('ignores scans of unknown scanners', () => {
    const registry = new ScannerRegistry();
    let changes = 0;
    registry.on('changed', () => (changes += 1));

    registry.recordScan('hid:unknown', '2026-06-01T08:00:00.000Z');
    expect(changes).toBe(0);
  });
});
