import { EventEmitter } from 'node:events';

import type { ScannerState, ScannerView } from '../../../preload/api/scan-schemas.js';

export const WEDGE_SCANNER_ID = 'wedge';

/** A HID scanner as the registry records it, from the statuses of the HID scanner watch. */
export interface HidScannerEntry {
  id: string;
  name: string;
  vendorId: string;
  productId: string;
  state: ScannerState;
  reason: string | null;
}

interface ScannerCounters {
  scans: number;
  lastScanAt: string | null;
}

interface RegistryEvents {
  changed: [];
}

/**
 * The scanners of this workstation as the settings screen lists them: one entry for all
 * keyboard-wedge scanners, which the operating system shows only as keyboards, and one per HID POS
 * scanner seen since start-up. Emits `changed` on every state change and scan.
 */
export class ScannerRegistry extends EventEmitter<RegistryEvents> {
  readonly #hid = new Map<string, HidScannerEntry & ScannerCounters>();
  readonly #wedge: ScannerCounters = { scans: 0, lastScanAt: null };

  /** Adds or updates a HID scanner, keeping its scan count across unplugging. */
  updateHid(entry: HidScannerEntry): void {
    const known = this.#hid.get(entry.id);
    this.#hid.set(entry.id, { ...entry, scans: known?.scans ?? 0, lastScanAt: known?.lastScanAt ?? null });
    this.emit('changed');
  }

  recordScan(id: string, receivedAt: string): void {
    const counters = id === WEDGE_SCANNER_ID ? this.#wedge : this.#hid.get(id);
    if (!counters) return;
    counters.scans += 1;
    counters.lastScanAt = receivedAt;
    this.emit('changed');
  }

  /** Lists the wedge entry first, then HID scanners by name. */
  list(): ScannerView[] {
    const wedge: ScannerView = {
      id: WEDGE_SCANNER_ID,
      kind: 'wedge',
      name: 'Keyboard-wedge scanners',
      vendorId: null,
      productId: null,
      // A wedge scanner is a keyboard to the operating system, so the workstation cannot tell
      // whether one is plugged in. The entry counts as connected once a wedge scan has come.
      state: this.#wedge.scans > 0 ? 'connected' : 'disconnected',
      reason: null,
      ...this.#wedge,
    };
    const hid = [...this.#hid.values()]
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
      .map((entry): ScannerView => ({ ...entry, kind: 'hid' }));
    return [wedge, ...hid];
  }

  get size(): number {
    return this.#hid.size + 1;
  }
}
