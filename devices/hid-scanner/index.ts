/**
 * HID POS barcode scanners through node-hid: discovery by usage page 0x8C, hot-plug by polling,
 * and the assembly of scanned data reports into whole scans. Plain Node; the core's
 * main/core/scan wires it to the scan events of the API.
 */
export type { HidBinding, HidConnection, HidDeviceInfo } from './hid-binding.js';
export { loadNodeHid } from './hid-binding.js';
export type { ReportReading, ScannedDataFragment } from './hid-pos-report.js';
export { HID_POS_USAGE_PAGE, MAX_DATA_PER_REPORT, readScannedDataReport, SCANNED_DATA_REPORT_ID, SCANNED_DATA_REPORT_LENGTH } from './hid-pos-report.js';
export type { AssembledScan, AssemblyStep } from './scan-assembler.js';
export { DEFAULT_FRAGMENT_TIMEOUT_MS, ScanAssembler } from './scan-assembler.js';
export type { HidScan, HidScannerState, HidScannerStatus, HidScannerWatchOptions, ScannerAccess } from './hid-scanner-watch.js';
export { HidScannerWatch, scannerId } from './hid-scanner-watch.js';
