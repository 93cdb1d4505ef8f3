import type { CoreEvents } from '../events.js';
import type { Logger } from '../logging/logger.js';
import type { WorkstationSettings } from '../settings.js';
import { scanSettingsView } from './scanning-settings.js';
import { ScannerRegistry, WEDGE_SCANNER_ID } from './scanner-registry.js';

export interface ScanningSetup {
  registry: ScannerRegistry;
  /** The gateway's handlers of the `scan` area. */
  handlers: {
    settings(): Promise<ReturnType<typeof scanSettingsView>>;
    scanners(): Promise<ReturnType<ScannerRegistry['list']>>;
    reportWedgeScan(input: { receivedAt: string }): Promise<null>;
  };
  close(): Promise<void>;
}

export interface SetupScanningOptions {
  settings: WorkstationSettings;
  events: CoreEvents;
  logger: Logger;
}

/**
 * Starts barcode scanning in the core: the scanner list and the `scan` calls. Keyboard-wedge
 * scans are read in the renderer and only counted here.
 */
export async function setupScanning(options: SetupScanningOptions): Promise<ScanningSetup> {
  const registry = new ScannerRegistry();
  const settingsView = scanSettingsView(options.settings.scanning);
  registry.on('changed', () => options.events.emit('scannersChanged', { count: registry.size }));

  return {
    registry,
    handlers: {
      settings: async () => settingsView,
      scanners: async () => registry.list(),
      reportWedgeScan: async (input) => {
        registry.recordScan(WEDGE_SCANNER_ID, input.receivedAt);
        return null;
      },
    },
    async close() {
      registry.removeAllListeners();
    },
  };
}
