import { useState } from 'react';

import { useScan } from './useScan.js';

/**
 * Takes barcode scans on a screen that has no use for them, such as the sign-in and lock screens,
 * and shows a notice instead. Without it a wedge scanner would type the barcode into the focused
 * field: a wristband's MRN into the password field, where it would count as a failed attempt.
 */
export function ScanGuard({ message }: { message: string }) {
  const [scanned, setScanned] = useState(false);
  useScan(() => setScanned(true));

  if (!scanned) return null;
  return (
    <p className="notice notice--warning" role="status" data-testid="scan-guard">
      {message}
    </p>
  );
}
