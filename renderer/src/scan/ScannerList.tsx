import './scanners.css';

import { useEffect } from 'react';

import type { ScannerView } from '../../../preload/api/scan-schemas.js';
import { calls } from '../../../preload/api/index.js';
import { useApi } from '../api/ApiContext.js';
import { LoadFailedNotice } from '../api/ErrorNotice.js';
import { resourceValue, useApiResource } from '../api/useApiResource.js';
import { useNow } from '../app/useNow.js';
import { formatRelative, formatTimeOrDateTime } from '../format/datetime.js';
import { useConnectionRestored } from '../host/ConnectionContext.js';
import { t } from '../i18n/index.js';
import { describeScannerKind, describeScannerName, describeScannerState, scannerStateSymbol } from './scanner-text.js';

/**
 * Lists the barcode scanners of this workstation, for the settings screen: each HID POS scanner
 * seen since start-up and one entry for keyboard-wedge scanners, with state, last scan and count.
 * It reloads when the core reports a change and when the connection to the workstation returns.
 */
export function ScannerList() {
  const api = useApi();
  const now = useNow();
  const { resource, reload } = useApiResource('scanners', (client) => client.scan.scanners({}));
  const scanners = resourceValue(resource);

  useEffect(() => api.events.onScannersChanged(() => reload()), [api, reload]);
  useConnectionRestored(reload);

  return (
    <section className="scanner-list" aria-labelledby="scanners-title" data-testid="scanner-list">
      <h2 id="scanners-title" className="section-title">
        {t('scanners.title')}
      </h2>
      <p className="muted">{t('scanners.intro')}</p>
      {resource.status === 'loading' && <p className="muted">{t('scanners.loading')}</p>}
      {resource.status === 'failed' && (
        <LoadFailedNotice error={resource.error} call={calls.scan.scanners} subject={t('scanners.subject')} describe={(reason) => t('scanners.loadFailed', { message: reason })} onRetry={reload} />
      )}
      {scanners !== undefined && (
        <table className="table scanner-list__table">
          <thead>
            <tr>
              <th scope="col">{t('scanners.column.scanner')}</th>
              <th scope="col">{t('scanners.column.kind')}</th>
              <th scope="col">{t('scanners.column.state')}</th>
              <th scope="col">{t('scanners.column.lastScan')}</th>
              <th scope="col">{t('scanners.column.scans')}</th>
            </tr>
          </thead>
          <tbody>
            {scanners.map((scanner) => (
              <ScannerRow key={scanner.id} scanner={scanner} now={now} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ScannerRow({ scanner, now }: { scanner: ScannerView; now: Date }) {
  return (
    <tr data-testid="scanner" data-scanner-id={scanner.id} data-kind={scanner.kind} data-state={scanner.state}>
      <th scope="row">
        <span className="scanner-list__name">{describeScannerName(scanner)}</span>
        {scanner.vendorId !== null && scanner.productId !== null && (
          <span className="scanner-list__ids">{t('scanners.usbIds', { vendorId: scanner.vendorId, productId: scanner.productId })}</span>
        )}
      </th>
      <td>{describeScannerKind(scanner.kind)}</td>
      <td>
        <span className={`scanner-state scanner-state--${scanner.state}`} data-testid="scanner-state">
          <span aria-hidden="true">{scannerStateSymbol(scanner.state)} </span>
          {describeScannerState(scanner)}
        </span>
        {scanner.reason !== null && (
          <span className="scanner-list__reason" data-testid="scanner-reason">
            {scanner.reason}
          </span>
        )}
      </td>
      <td data-testid="scanner-last-scan">
        {scanner.lastScanAt === null ? (
          <span className="muted">{t('scanners.noScan')}</span>
        ) : (
          <>
            <span>{formatTimeOrDateTime(scanner.lastScanAt, now)}</span> <span className="muted scanner-list__ago">{formatRelative(scanner.lastScanAt, now)}</span>
          </>
        )}
      </td>
      <td className="num" data-testid="scanner-scans">
        {scanner.scans}
      </td>
    </tr>
  );
}
