import './specimen-lookup.css';

import type { FormEvent } from 'react';
import { useCallback, useId, useRef, useState } from 'react';

import type { LabSpecimenView } from '../../../preload/api/lab-specimen-schemas.js';
import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { ErrorDetail } from '../api/ErrorNotice.js';
import type { PlainError } from '../api/error-text.js';
import { describeCallError } from '../api/error-text.js';
import { useSession } from '../app/SessionContext.js';
import { formatDateTime } from '../format/datetime.js';
import { useConnectionMonitor } from '../host/ConnectionContext.js';
import { t } from '../i18n/index.js';
import type { ScanEvent } from '../scan/index.js';
import { useScan } from '../scan/index.js';
import { describeOrderPriority, describeOrderStatus, describeScanKind } from './specimen-text.js';
import { readSpecimenScan } from './specimen-scan.js';

type LookupState =
  | { status: 'idle' }
  | { status: 'searching'; accession: string }
  | { status: 'found'; specimen: LabSpecimenView; scanned: boolean }
  | { status: 'not-found'; accession: string }
  | { status: 'not-specimen'; text: string }
  | { status: 'failed'; error: PlainError };

interface SpecimenLookupProps {
  /** False while another part of the bench takes scans, such as a review card's label field. */
  scanEnabled: boolean;
}

/**
 * Finds a specimen by its label on the lab bench: a scan anywhere on the screen, or the accession
 * typed into the field, shows the Specimen with its patient and orders. The lookup reads the
 * replica, so it works while the central server is down.
 */
export function SpecimenLookup({ scanEnabled }: SpecimenLookupProps) {
  const api = useApi();
  const { handleCallError } = useSession();
  const connection = useConnectionMonitor();
  const [typed, setTyped] = useState('');
  const [state, setState] = useState<LookupState>({ status: 'idle' });
  const latest = useRef(0);
  const id = useId();
  const hintId = `${id}-hint`;

  const lookUp = useCallback(
    (accession: string, scanned: boolean) => {
      const request = ++latest.current;
      setState({ status: 'searching', accession });
      api.lab.specimen({ accession }).then(
        (specimen) => {
          if (request !== latest.current) return;
          setState(specimen === null ? { status: 'not-found', accession } : { status: 'found', specimen, scanned });
        },
        (error: unknown) => {
          if (request !== latest.current) return;
          const body = toApiError(error);
          console.warn(`lab: looking up a specimen failed (${body.code})`);
          handleCallError(body);
          setState({ status: 'failed', error: describeCallError(body, connection.getState()) });
        },
      );
    },
    [api, handleCallError, connection],
  );

  const onScan = useCallback(
    (scan: ScanEvent) => {
      const reading = readSpecimenScan(scan);
      if (reading.kind === 'accession') lookUp(reading.accession, true);
      else if (reading.kind === 'not-specimen') setState({ status: 'not-specimen', text: t('lab.specimen.notSpecimen', { kind: describeScanKind(reading.scanKind) }) });
      else setState({ status: 'not-specimen', text: t('lab.specimen.invalidScan', { reason: reading.message }) });
    },
    [lookUp],
  );
  useScan(onScan, { enabled: scanEnabled });

  function submit(event: FormEvent) {
    event.preventDefault();
    const accession = typed.trim();
    if (accession === '') return;
    lookUp(accession, false);
  }

  return (
    <section className="lab-section specimen-lookup" aria-labelledby="specimen-lookup-title" data-testid="specimen-lookup">
      <h2 id="specimen-lookup-title" className="section-title">
        {t('lab.specimen.title')}
      </h2>
      <form className="specimen-lookup__form" onSubmit={submit} noValidate>
        <label className="field__label" htmlFor={id}>
          {t('lab.specimen.accessionLabel')}
        </label>
        <span id={hintId} className="field__hint">
          {t('lab.specimen.hint')}
        </span>
        <div className="specimen-lookup__row">
          <input
            id={id}
            className="input specimen-lookup__input"
            data-testid="specimen-accession"
            autoComplete="off"
            spellCheck={false}
            maxLength={64}
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            aria-describedby={hintId}
          />
          <button type="submit" className="button" data-testid="specimen-find" disabled={state.status === 'searching'}>
            {t('lab.specimen.find')}
          </button>
        </div>
      </form>
      <div aria-live="polite" data-testid="specimen-result">
        <LookupResult state={state} />
      </div>
    </section>
  );
}

function LookupResult({ state }: { state: LookupState }) {
  switch (state.status) {
    case 'idle':
      return null;
    case 'searching':
      return <p className="muted">{t('lab.specimen.searching', { accession: state.accession })}</p>;
    case 'not-found':
      return (
        <p className="notice notice--warning" data-testid="specimen-not-found">
          {t('lab.specimen.notFound', { accession: state.accession })}
        </p>
      );
    case 'not-specimen':
      return (
        <p className="notice notice--warning" data-testid="specimen-not-label">
          {state.text}
        </p>
      );
    case 'failed':
      return (
        <div className="notice notice--error" role="alert">
          <p>{t('lab.specimen.failed', { message: state.error.text })}</p>
          <ErrorDetail detail={state.error.detail} />
        </div>
      );
    case 'found':
      return <SpecimenCard specimen={state.specimen} scanned={state.scanned} />;
  }
}

function SpecimenCard({ specimen, scanned }: { specimen: LabSpecimenView; scanned: boolean }) {
  return (
    <article className="specimen-card" data-testid="specimen-card" data-specimen-id={specimen.specimenId} aria-labelledby="specimen-card-title">
      <h3 id="specimen-card-title" className="specimen-card__title">
        {t('lab.specimen.cardTitle', { accession: specimen.accession })}
        {scanned && <span className="specimen-card__scanned">{t('lab.specimen.scanned')}</span>}
      </h3>
      <dl className="specimen-card__facts">
        <div>
          <dt>{t('lab.specimen.patient')}</dt>
          <dd data-testid="specimen-patient">
            {specimen.patientName === null ? t('lab.specimen.noPatient') : specimen.patientName}
            {specimen.mrn !== null && <span className="specimen-card__mrn">{t('lab.specimen.mrn', { mrn: specimen.mrn })}</span>}
          </dd>
        </div>
        <div>
          <dt>{t('lab.specimen.type')}</dt>
          <dd>{specimen.type ?? t('lab.specimen.unknownValue')}</dd>
        </div>
        <div>
          <dt>{t('lab.specimen.collected')}</dt>
          <dd>{specimen.collectedAt === null ? t('lab.specimen.unknownValue') : formatDateTime(specimen.collectedAt)}</dd>
        </div>
        <div>
          <dt>{t('lab.specimen.status')}</dt>
          <dd>{specimen.status ?? t('lab.specimen.unknownValue')}</dd>
        </div>
      </dl>
      {specimen.orders.length === 0 ? (
        <p className="muted">{t('lab.specimen.noOrders')}</p>
      ) : (
        <table className="table specimen-card__orders">
          <caption className="visually-hidden">{t('lab.specimen.ordersCaption', { accession: specimen.accession })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('lab.specimen.order')}</th>
              <th scope="col">{t('lab.specimen.orderStatus')}</th>
              <th scope="col">{t('lab.specimen.priority')}</th>
              <th scope="col">{t('lab.specimen.ordered')}</th>
            </tr>
          </thead>
          <tbody>
            {specimen.orders.map((order) => (
              <tr key={order.serviceRequestId} data-testid="specimen-order" data-status={order.status}>
                <th scope="row">
                  {order.display}
                  {order.loinc !== null && <span className="specimen-card__loinc">{t('lab.specimen.loinc', { code: order.loinc })}</span>}
                </th>
                <td>{describeOrderStatus(order.status)}</td>
                <td>{order.priority === null ? t('lab.specimen.unknownValue') : describeOrderPriority(order.priority)}</td>
                <td>{order.authoredOn === null ? t('lab.specimen.unknownValue') : formatDateTime(order.authoredOn)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}
