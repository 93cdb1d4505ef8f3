import type { ScanEvent } from '../../../preload/api/scan-schemas.js';

/** The reading of a scan on the lab bench: a specimen accession, or the reason it is none. */
export type SpecimenScanReading =
  | { kind: 'accession'; accession: string }
  /** A wristband, medication or supplier barcode: valid, but not a specimen label. */
  | { kind: 'not-specimen'; scanKind: 'wristband' | 'gs1' | 'hibc' }
  /** The parser rejected the scan, for the reason in `message`. */
  | { kind: 'invalid'; message: string };

/**
 * Reads a scan as a specimen label. A scan that matches the site's specimen pattern gives its
 * accession. A scan in no known format is tried as an accession as it is, because sites without
 * a specimen pattern print the bare accession number.
 */
export function readSpecimenScan(scan: ScanEvent): SpecimenScanReading {
  const { result } = scan;
  if (result.error !== null) return { kind: 'invalid', message: result.error.message };
  if (result.kind === 'specimen') return { kind: 'accession', accession: result.accession };
  if (result.kind === 'unknown') return { kind: 'accession', accession: result.data };
  return { kind: 'not-specimen', scanKind: result.kind };
}
