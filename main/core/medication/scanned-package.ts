import type { ScannedPackage } from '../../../preload/api/clinical/medication-check.js';
import { parseScan } from '../../../devices/scan/index.js';

/**
 * Reads a medication package from a raw scan, with the core's clock for the expiry check: the GTIN
 * of AI (01), the expiry date of AI (17), the lot of AI (10) and the serial of AI (21). A scan of
 * another kind (a wristband, a specimen label, HIBC) gives no GTIN.
 */
export function readScannedPackage(raw: string, now: Date): ScannedPackage {
  const result = parseScan(raw, { now });
  const error = result.error ? { code: result.error.code, message: result.error.message } : null;
  if (result.kind !== 'gs1') return { gtin: null, expiry: null, lot: null, serial: null, error };

  const valueOf = (ai: string): string | null => {
    const value = result.elements.find((element) => element.ai === ai)?.value;
    return typeof value === 'string' ? value : null;
  };
  return { gtin: valueOf('01'), expiry: valueOf('17'), lot: valueOf('10'), serial: valueOf('21'), error };
}
