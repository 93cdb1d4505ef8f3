import type { ReactNode } from 'react';
import { createContext, useCallback, useContext, useMemo, useState } from 'react';

import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { t } from '../i18n/index.js';
import type { ScanEvent } from '../scan/index.js';
import { useScan } from '../scan/index.js';

/** A wristband scanned at the bedside: which patient it identified and when. */
export interface ConfirmedWristband {
  patientId: string;
  mrn: string;
  scannedAt: string;
}

interface BedsideScanState {
  /** The last wristband that identified a patient of this ward, or null. */
  wristband: ConfirmedWristband | null;
  /** The message of a wristband scan whose MRN matches no ward patient; null when there is none. */
  notice: string | null;
  clearNotice(): void;
}

const BedsideScanContext = createContext<BedsideScanState>({ wristband: null, notice: null, clearNotice: () => undefined });

interface BedsideScanProviderProps {
  /** False for roles that do not give medication: their screens take no wristband scans. */
  enabled: boolean;
  onOpenChart(patientId: string): void;
  children: ReactNode;
}

/**
 * Takes the wristband scans of every screen: a wristband of a patient of this ward opens their
 * chart (or confirms the chart already open) and identifies them for the bedside medication check.
 * The MRN is looked up in the ward list, which the workstation reads from its own replica, so it
 * works offline.
 */
export function BedsideScanProvider({ enabled, onOpenChart, children }: BedsideScanProviderProps) {
  const api = useApi();
  const [wristband, setWristband] = useState<ConfirmedWristband | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const identify = useCallback(
    (scan: ScanEvent) => {
      if (scan.result.kind !== 'wristband' || scan.result.error !== null) return;
      const mrn = scan.result.mrn;
      api.ward.listPatients({}).then(
        (rows) => {
          const row = rows.find((candidate) => candidate.mrn === mrn);
          if (row === undefined) {
            setNotice(t('bcma.wristbandUnknown', { mrn }));
            return;
          }
          setNotice(null);
          setWristband({ patientId: row.patientId, mrn, scannedAt: scan.receivedAt });
          onOpenChart(row.patientId);
        },
        (error: unknown) => setNotice(t('bcma.checkFailed', { message: toApiError(error).message })),
      );
    },
    [api, onOpenChart],
  );
  useScan(identify, { enabled });

  const value = useMemo(() => ({ wristband, notice, clearNotice: () => setNotice(null) }), [wristband, notice]);
  return <BedsideScanContext value={value}>{children}</BedsideScanContext>;
}

export function useBedsideScan(): BedsideScanState {
  return useContext(BedsideScanContext);
}

/** Renders the notice of a wristband scan whose MRN matches no patient of the ward. */
export function WristbandNotice() {
  const { notice, clearNotice } = useBedsideScan();
  if (notice === null) return null;
  return (
    <div className="notice notice--error" role="alert" data-testid="wristband-notice">
      <p>{notice}</p>
      <button type="button" className="button button--small notice__action" onClick={clearNotice}>
        {t('bcma.dismiss')}
      </button>
    </div>
  );
}
