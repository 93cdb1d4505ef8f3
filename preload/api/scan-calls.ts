import { z } from 'zod';

import type { CallDefinition, EventDefinition } from './contract.js';
import { scanEvent, scannersChanged, scannerView, scanSettings, wedgeScanReport } from './scan-schemas.js';

const empty = z.object({}).strict();

/** Calls of the scanning area, spread into the contract's `calls`. */
export const scanCalls = {
  scan: {
    /**
     * Site patterns and wedge timings, so the renderer can read keyboard-wedge scans. Public and
     * allowed while locked, because the sign-in and lock screens take scans too; it holds no
     * patient data.
     */
    settings: {
      channel: 'scan:settings',
      input: empty,
      result: scanSettings,
      access: 'public',
      touchesPatientData: false,
      allowedWhileLocked: true,
    },
    /** HID scanners seen on this workstation and the keyboard-wedge entry, with their state. */
    scanners: {
      channel: 'scan:scanners',
      input: empty,
      result: z.array(scannerView),
      access: 'signed-in',
      touchesPatientData: false,
    },
    /** Counts a keyboard-wedge scan for the scanner list; the scan's content stays in the renderer. */
    reportWedgeScan: {
      channel: 'scan:reportWedgeScan',
      input: wedgeScanReport.strict(),
      result: z.null(),
      access: 'public',
      touchesPatientData: false,
      allowedWhileLocked: true,
    },
  },
} as const satisfies Record<string, Record<string, CallDefinition>>;

/** Events of the scanning area, spread into the contract's `events`. */
export const scanEvents = {
  /** A whole scan from a HID POS scanner, parsed by the core. */
  scanReceived: { channel: 'scan:received', payload: scanEvent },
  /** A scanner was plugged in, removed, blocked or scanned; read `scan:scanners` again. */
  scannersChanged: { channel: 'scan:scannersChanged', payload: scannersChanged },
} as const satisfies Record<string, EventDefinition>;
