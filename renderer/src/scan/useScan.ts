import { useEffect, useRef } from 'react';

import type { HmsApi } from '../../../preload/api/index.js';
import type { ScanEvent } from '../../../preload/api/scan-schemas.js';
import { useApi } from '../api/ApiContext.js';
import { ScanHub } from './scan-hub.js';
import { attachWedgeKeyboard } from './wedge-keyboard.js';

export interface UseScanOptions {
  /** False stops this component's scans, such as while a dialog is open; true by default. */
  enabled?: boolean;
  /**
   * True while this component takes every scan, such as a label field that has focus: other
   * components get no scans meanwhile. False by default.
   */
  exclusive?: boolean;
}

const hubs = new WeakMap<HmsApi, ScanHub>();

/** Returns the page's one scan hub for this API, made on first use. */
function scanHubFor(api: HmsApi): ScanHub {
  let hub = hubs.get(api);
  if (hub === undefined) {
    hub = new ScanHub({
      attach: (options) => attachWedgeKeyboard(document, options),
      subscribeHid: (listener) => api.events.onScanReceived(listener),
      now: () => performance.now(),
      clock: () => new Date(),
      loadSettings: () => api.scan.settings({}),
      reportScan: (receivedAt) => api.scan.reportWedgeScan({ receivedAt }),
      newId: () => crypto.randomUUID(),
    });
    hubs.set(api, hub);
  }
  return hub;
}

/**
 * Calls `handler` with every barcode scan while the component is mounted and `enabled`: HID POS
 * scans from the core's `scan:received` event and keyboard-wedge scans read from the keyboard.
 * While at least one component uses scans, wedge scans are taken out of the keystrokes, so they
 * never land in the focused field. A screen that is not using scans gets a wedge scanner's
 * keystrokes as typing.
 */
export function useScan(handler: (scan: ScanEvent) => void, options: UseScanOptions = {}): void {
  const api = useApi();
  const enabled = options.enabled ?? true;
  const exclusive = options.exclusive ?? false;
  const handlerRef = useRef(handler);

  useEffect(() => {
    handlerRef.current = handler;
  });

  useEffect(() => {
    if (!enabled) return undefined;
    return scanHubFor(api).subscribe((scan) => handlerRef.current(scan), { exclusive });
  }, [api, enabled, exclusive]);
}
