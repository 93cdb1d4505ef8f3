import { useCallback, useState } from 'react';

import type { MarView, MedicationCheckView } from '../../../preload/api/medication-schemas.js';
import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { useSession } from '../app/SessionContext.js';
import type { ScanEvent } from '../scan/index.js';
import { useScan } from '../scan/index.js';

/** The state of the check of the last scanned package. */
export type MedicationScanState =
  | { status: 'idle' }
  | { status: 'not-medication' }
  | { status: 'checking' }
  | { status: 'failed'; message: string }
  | { status: 'checked'; scan: string; result: MedicationCheckView; administrationId: string; recording: boolean; recordError: string | null }
  | { status: 'recorded'; drug: string; at: string };

interface MedicationScanOptions {
  patientId: string;
  /** The MRN of the wristband scanned for this patient, or null. */
  wristbandMrn: string | null;
  enabled: boolean;
  /** Receives the MAR the core returns after a dose was recorded. */
  onRecorded(view: MarView): void;
}

/**
 * Checks every medication package scanned while the MAR is open, and records the matched dose
 * when the nurse confirms it. Wristband and specimen scans are left to other handlers. The core
 * checks the scan again when the dose is recorded, so what it stores never rests on this screen.
 */
export function useMedicationScan({ patientId, wristbandMrn, enabled, onRecorded }: MedicationScanOptions) {
  const api = useApi();
  const { handleCallError } = useSession();
  const [state, setState] = useState<MedicationScanState>({ status: 'idle' });

  const onScan = useCallback(
    (scan: ScanEvent) => {
      const kind = scan.result.kind;
      if (kind === 'wristband' || kind === 'specimen') return;
      if (kind !== 'gs1' && scan.result.error === null) {
        setState({ status: 'not-medication' });
        return;
      }
      setState({ status: 'checking' });
      api.medication.check({ patientId, wristbandMrn, scan: scan.raw }).then(
        (result) => setState({ status: 'checked', scan: scan.raw, result, administrationId: crypto.randomUUID(), recording: false, recordError: null }),
        (error: unknown) => {
          const body = toApiError(error);
          handleCallError(body);
          setState({ status: 'failed', message: body.message });
        },
      );
    },
    [api, patientId, wristbandMrn, handleCallError],
  );
  useScan(onScan, { enabled });

  /** Records the matched dose, with the override reason of a failed check and the reason for an as-needed dose. */
  const record = useCallback(
    (overrideReason: string | null, asNeededReason: string | null) => {
      if (state.status !== 'checked' || state.result.match === null) return;
      const { scan, result, administrationId } = state;
      const match = result.match;
      if (match === null) return;
      setState({ ...state, recording: true, recordError: null });
      api.medication
        .administer({
          patientId,
          wristbandMrn,
          scan,
          orderId: match.orderId,
          ...(match.scheduledAt === null ? {} : { scheduledAt: match.scheduledAt }),
          administrationId,
          ...(overrideReason === null ? {} : { overrideReason }),
          ...(asNeededReason === null ? {} : { asNeededReason }),
        })
        .then(
          (view) => {
            onRecorded(view);
            setState({ status: 'recorded', drug: match.drug, at: view.now });
          },
          (error: unknown) => {
            const body = toApiError(error);
            handleCallError(body);
            setState({ ...state, recording: false, recordError: body.message });
          },
        );
    },
    [api, patientId, wristbandMrn, state, onRecorded, handleCallError],
  );

  const clear = useCallback(() => setState({ status: 'idle' }), []);
  return { state, record, clear };
}
