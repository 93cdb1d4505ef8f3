/**
 * Barcode scans on the renderer's screens: `useScan` delivers HID POS and keyboard-wedge scans
 * as one stream of `ScanEvent`s, each with the reading of devices/scan's parser.
 */
export { useScan } from './useScan.js';
export type { UseScanOptions } from './useScan.js';
export type { ScanEvent, ScanSource } from '../../../preload/api/scan-schemas.js';
export type { ScanResult } from '../../../devices/scan/index.js';
