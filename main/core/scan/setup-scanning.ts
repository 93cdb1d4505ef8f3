import { randomUUID } from 'node:crypto';

import type { HidBinding } from '../../../devices/hid-scanner/index.js';
import { HidScannerWatch, loadNodeHid } from '../../../devices/hid-scanner/index.js';
import { parseScan } from '../../../devices/scan/index.js';
import type { ScanEvent, ScannerView, ScanSettings } from '../../../preload/api/scan-schemas.js';
import type { Clock } from '../clock.js';
import type { CoreEvents } from '../events.js';
import type { Logger } from '../logging/logger.js';
import type { MachinePolicy } from '../policy.js';
import type { WorkstationSettings } from '../settings.js';
import { scannerAccess } from './scanner-access.js';
import { compileParseOptions, scanSettingsView } from './scanning-settings.js';
import { ScannerRegistry, WEDGE_SCANNER_ID } from './scanner-registry.js';

export interface ScanningSetup {
  registry: ScannerRegistry;
  /** The gateway's handlers of the `scan` area. */
  handlers: {
    settings(): Promise<ScanSettings>;
    scanners(): Promise<ScannerView[]>;
    reportWedgeScan(input: { receivedAt: string }): Promise<null>;
  };
  close(): Promise<void>;
}

export interface SetupScanningOptions {
  settings: WorkstationSettings;
  events: CoreEvents;
  clock: Clock;
  logger: Logger;
  /** IT's device allow-list; without `allowedUsbDevices` every scanner may be opened. */
  policy?: Pick<MachinePolicy, 'allowedUsbDevices'>;
  /**
   * True while a user is signed in and the workstation is not locked. HID scans at other times
   * are dropped, because a scan can carry a patient identifier and no screen is there to use it.
   */
  sessionActive(): boolean;
  /** Replaces node-hid, for tests with a fake scanner; null turns HID scanners off. */
  hid?: HidBinding | null;
}

/**
 * Starts barcode scanning in the core: the scanner list, the `scan` calls and, unless the settings
 * turn it off, the watch for HID POS scanners, whose scans are parsed here and sent to the
 * renderer as `scan:received`. Keyboard-wedge scans are read in the renderer and only counted here.
 */
export async function setupScanning(options: SetupScanningOptions): Promise<ScanningSetup> {
  const { logger } = options;
  const registry = new ScannerRegistry();
  const settingsView = scanSettingsView(options.settings.scanning);
  registry.on('changed', () => options.events.emit('scannersChanged', { count: registry.size }));

  const watch = await startHidWatch(options, registry, settingsView);

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
      await watch?.close();
      registry.removeAllListeners();
      logger.debug('scanning stopped');
    },
  };
}

async function startHidWatch(options: SetupScanningOptions, registry: ScannerRegistry, settingsView: ScanSettings): Promise<HidScannerWatch | null> {
  const { logger } = options;
  const hidSettings = options.settings.scanning?.hid ?? { enabled: true, pollIntervalMs: 2000 };
  if (!hidSettings.enabled || options.hid === null) {
    logger.info('HID POS scanners are turned off in the settings');
    return null;
  }

  let binding: HidBinding;
  try {
    binding = options.hid ?? (await loadNodeHid());
  } catch (error) {
    // The workstation runs without HID scanners; keyboard-wedge scanners still work.
    logger.error({ err: error }, 'node-hid could not be loaded; HID POS scanners are not available on this workstation');
    return null;
  }

  const watch = new HidScannerWatch({
    binding,
    pollIntervalMs: hidSettings.pollIntervalMs,
    access: (device) => scannerAccess(options.policy ?? {}, device),
    logger,
  });
  const parseOptions = compileParseOptions(settingsView, logger);
  let droppedWhileInactive = 0;

  watch.on('status', (status) => {
    registry.updateHid({
      id: status.id,
      name: status.name,
      vendorId: hex(status.vendorId),
      productId: hex(status.productId),
      state: status.state,
      reason: status.reason,
    });
  });
  watch.on('scan', (scan) => {
    const receivedAt = options.clock.now();
    registry.recordScan(scan.scannerId, receivedAt.toISOString());
    if (!options.sessionActive()) {
      droppedWhileInactive += 1;
      logger.info({ scannerId: scan.scannerId, dropped: droppedWhileInactive }, 'dropped a HID scan received while no user was signed in or the workstation was locked');
      return;
    }
    const event: ScanEvent = {
      id: randomUUID(),
      source: 'hid',
      receivedAt: receivedAt.toISOString(),
      raw: scan.raw,
      result: parseScan(scan.raw, { ...parseOptions, now: receivedAt }),
    };
    options.events.emit('scanReceived', event);
  });

  await watch.start();
  return watch;
}

function hex(id: number): string {
  return `0x${id.toString(16).padStart(4, '0')}`;
}
