import { z } from 'zod';

import type { ScanResult } from '../../devices/scan/index.js';

/**
 * Barcode scans and the scanners that send them. A scan reaches the renderer from a HID POS
 * scanner through the core (`scan:received`) or from a keyboard-wedge scanner as keystrokes, which
 * the renderer recognises by their timing. Both give the same `ScanEvent`.
 */

const isoDateTime = z.iso.datetime({ offset: true });

const SCAN_KINDS = ['gs1', 'hibc', 'wristband', 'specimen', 'unknown'];

/**
 * The result of devices/scan's `parseScan`. Its shape is fixed by that parser and its tests, so
 * the contract checks only the fields every kind has.
 */
export const scanResult = z.custom<ScanResult>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    SCAN_KINDS.includes((value as { kind?: unknown }).kind as string) &&
    typeof (value as { raw?: unknown }).raw === 'string' &&
    typeof (value as { data?: unknown }).data === 'string',
  { error: 'A scan result needs kind, raw and data as parseScan returns them' },
);

export const scanSource = z.enum(['hid', 'wedge']);
export type ScanSource = z.infer<typeof scanSource>;

export const scanEvent = z.object({
  /** Unique per scan, so that a screen can tell a second scan of the same label from a repeat of the event. */
  id: z.string().min(1),
  source: scanSource,
  receivedAt: isoDateTime,
  /** The characters the scanner sent, without the Enter or Tab suffix. */
  raw: z.string(),
  result: scanResult,
});
export type ScanEvent = z.infer<typeof scanEvent>;

/** Timing limits of the keyboard-wedge detector; see renderer/src/scan/wedge-detector.ts. */
export const wedgeTimings = z.object({
  /** Maximum gap between two keystrokes of one scan, in milliseconds. */
  maxInterKeyMs: z.number().int().min(5).max(200),
  /** Minimum number of characters in a scan, not counting the Enter or Tab suffix; two more when the keys come over half `maxInterKeyMs` apart. */
  minLength: z.number().int().min(3).max(64),
  /** How long after a scan that ended without suffix a late Enter or Tab is still taken as its suffix, in milliseconds. */
  suffixGraceMs: z.number().int().min(0).max(1000),
});
export type WedgeTimings = z.infer<typeof wedgeTimings>;

/** The site's scan settings that the renderer needs to read keyboard-wedge scans itself. */
export const scanSettings = z.object({
  /** The site's wristband pattern (a regular expression source), or null when none is set. */
  wristbandPattern: z.string().nullable(),
  specimenPattern: z.string().nullable(),
  /** Characters the site's scanners send for FNC1 in place of GS (0x1D). */
  extraGroupSeparators: z.array(z.string().min(1).max(4)),
  wedge: wedgeTimings,
});
export type ScanSettings = z.infer<typeof scanSettings>;

export const scannerState = z.enum(['connected', 'disconnected', 'blocked', 'failed']);
export type ScannerState = z.infer<typeof scannerState>;

/** One scanner as the settings screen lists it. */
export const scannerView = z.object({
  /** Stable id: `hid:<vendorId>:<productId>:<serial or path>`, or `wedge` for keystroke scans. */
  id: z.string(),
  kind: scanSource,
  /** Manufacturer and product as the device reports them; for the wedge entry, a fixed name. */
  name: z.string(),
  /** USB vendor and product ids as `0x0c2e`, null for the wedge entry. */
  vendorId: z.string().nullable(),
  productId: z.string().nullable(),
  state: scannerState,
  /** The reason the scanner is blocked or failed, in words IT can act on, or null. */
  reason: z.string().nullable(),
  scans: z.number().int().min(0),
  lastScanAt: isoDateTime.nullable(),
});
export type ScannerView = z.infer<typeof scannerView>;

export const scannersChanged = z.object({ count: z.number().int().min(0) });

/** A keyboard-wedge scan the renderer read, reported so the scanner list can show its time. */
export const wedgeScanReport = z.object({ receivedAt: isoDateTime });

/**
 * Defaults of the wedge detector. Scanners send a character every 1 to 16 ms unless set up with an
 * intercharacter delay, so 30 ms leaves room while five gaps in a row that short are rare in human
 * typing. The unit tests replay traces of both (test/fixtures/keystrokes).
 */
export const DEFAULT_WEDGE_TIMINGS: WedgeTimings = { maxInterKeyMs: 30, minLength: 6, suffixGraceMs: 80 };
