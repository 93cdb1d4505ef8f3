import { useCallback, useState } from 'react';

import { calls } from '../../../preload/api/index.js';
import type { PatientChart } from '../../../preload/api/index.js';
import type { HoldReasonCode, MarAdministration, MarAsNeededMaximum, MarAsNeededOrder, MarDose, MarOrder, MarView } from '../../../preload/api/medication-schemas.js';
import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { mayCall } from '../api/call-access.js';
import { LoadFailedNotice } from '../api/ErrorNotice.js';
import { resourceValue, useApiResource } from '../api/useApiResource.js';
import { useNow } from '../app/useNow.js';
import { useSession } from '../app/SessionContext.js';
import { formatDateTime, formatTime, formatTimeOrDateTime } from '../format/datetime.js';
import type { PlainMessageKey } from '../i18n/index.js';
import { t } from '../i18n/index.js';
import { SyncStateTag } from '../sync/SyncStateTag.js';
import { useSyncCountsChanged } from '../sync/useSyncCountsChanged.js';
import type { ConfirmedWristband } from './BedsideScanContext.js';
import { useBedsideScan } from './BedsideScanContext.js';
import { durationText } from './duration-text.js';
import { ScanCheckPanel } from './ScanCheckPanel.js';
import { useMedicationScan } from './useMedicationScan.js';

const stateLabels: Record<MarDose['state'], PlainMessageKey> = {
  upcoming: 'mar.state.upcoming',
  due: 'mar.state.due',
  overdue: 'mar.state.overdue',
  given: 'mar.state.given',
  held: 'mar.state.held',
};

const HOLD_REASONS: readonly HoldReasonCode[] = ['patient-refused', 'nil-by-mouth', 'patient-away', 'clinical-decision'];

/**
 * How long a wristband scan identifies the patient for the medication check. A nurse who comes
 * back to the bedside later scans the wristband again.
 */
const WRISTBAND_VALID_MS = 15 * 60_000;

/** Returns the wristband scan that identifies this chart's patient now, or null. */
function currentWristband(wristband: ConfirmedWristband | null, patientId: string, now: Date): ConfirmedWristband | null {
  if (wristband === null || wristband.patientId !== patientId) return null;
  return now.getTime() - Date.parse(wristband.scannedAt) <= WRISTBAND_VALID_MS ? wristband : null;
}

interface MarPanelProps {
  chart: PatientChart;
}

/**
 * Renders the patient's MAR: the wristband state, the check of the last scanned package, and every
 * scheduled dose of the 24 hours around now by time, with its drug, dose, route, frequency and
 * what became of it. Below them come the "as needed" orders with their doses given and limits.
 */
export function MarPanel({ chart }: MarPanelProps) {
  const { session } = useSession();
  const { wristband } = useBedsideScan();
  const mar = useApiResource(`mar:${chart.patientId}`, (api) => api.medication.mar({ patientId: chart.patientId }), { reloadOnReplicaChange: true });
  useSyncCountsChanged(mar.reload);
  const [recordedView, setRecordedView] = useState<MarView | null>(null);
  const canRecord = mayCall(calls.medication.administer, session.user.roles);
  const now = useNow(15_000);
  const confirmed = currentWristband(wristband, chart.patientId, now);

  const onRecorded = useCallback(
    (view: MarView) => {
      setRecordedView(view);
      mar.reload();
    },
    [mar],
  );
  // Roles that only read the MAR (pharmacists) leave scans to other screens.
  const scan = useMedicationScan({ patientId: chart.patientId, wristbandMrn: confirmed?.mrn ?? null, enabled: canRecord && chart.access === 'ward', onRecorded });
  const loaded = resourceValue(mar.resource);
  const view = loaded ?? recordedView ?? undefined;
  // The check's times are dated by the core's clock, as the MAR's are.
  const checkNow = view !== undefined ? new Date(view.now) : now;

  return (
    <section className="mar" aria-labelledby="mar-title" data-testid="mar">
      <h2 id="mar-title" className="section-title">
        {t('mar.title')}
      </h2>

      {canRecord && (
        <p className={confirmed ? 'notice notice--success' : 'notice notice--info'} data-testid="bcma-wristband" data-confirmed={confirmed ? 'true' : 'false'}>
          {confirmed ? t('bcma.wristbandConfirmed', { time: formatTime(confirmed.scannedAt), mrn: confirmed.mrn }) : t('bcma.wristbandNeeded')}
        </p>
      )}
      {!canRecord && <p className="muted">{t('mar.readOnly')}</p>}

      <ScanCheckPanel
        key={scan.state.status === 'checked' ? scan.state.administrationId : scan.state.status}
        state={scan.state}
        patientName={chart.name}
        canRecord={canRecord}
        now={checkNow}
        onRecord={scan.record}
        onClear={scan.clear}
      />

      {mar.resource.status === 'loading' && <p className="muted">{t('mar.loading')}</p>}
      {mar.resource.status === 'failed' && (
        <LoadFailedNotice
          error={mar.resource.error}
          call={calls.medication.mar}
          subject={t('mar.subject')}
          describe={(reason) => t('mar.loadFailed', { message: reason })}
          onRetry={mar.reload}
        />
      )}
      {view !== undefined && <MarTable view={view} canRecord={canRecord} patientId={chart.patientId} onChanged={onRecorded} />}
    </section>
  );
}

interface MarTableProps {
  view: MarView;
  canRecord: boolean;
  patientId: string;
  onChanged(view: MarView): void;
}

function MarTable({ view, canRecord, patientId, onChanged }: MarTableProps) {
  if (view.orders.length === 0) return <p className="muted">{t('mar.empty')}</p>;
  const ordersById = new Map(view.orders.map((order) => [order.id, order]));

  return (
    <>
      <p className="muted" data-testid="mar-range">
        {t('mar.range', { from: formatDateTime(view.from), to: formatDateTime(view.to) })}
      </p>
      {view.doses.length === 0 && <p className="muted">{t('mar.noDoses')}</p>}
      {view.doses.length > 0 && (
        <table className="table mar-table" data-testid="mar-table">
          <thead>
            <tr>
              <th scope="col">{t('mar.column.time')}</th>
              <th scope="col">{t('mar.column.drug')}</th>
              <th scope="col">{t('mar.column.dose')}</th>
              <th scope="col">{t('mar.column.route')}</th>
              <th scope="col">{t('mar.column.frequency')}</th>
              <th scope="col">{t('mar.column.state')}</th>
              <th scope="col">{t('mar.column.recorded')}</th>
            </tr>
          </thead>
          <tbody>
            {view.doses.map((dose) => (
              <MarRow
                key={`${dose.orderId}@${dose.scheduledAt}`}
                dose={dose}
                order={ordersById.get(dose.orderId)}
                canHold={canRecord && (dose.state === 'due' || dose.state === 'overdue')}
                patientId={patientId}
                onChanged={onChanged}
              />
            ))}
          </tbody>
        </table>
      )}
      <AsNeededSection view={view} ordersById={ordersById} />
    </>
  );
}

/** Describes a maximum with what was given in its period: "2 g of at most 4 g in 24 h". */
function maximumText(maximum: MarAsNeededMaximum): string {
  const values = { max: maximum.max, unit: maximum.unit, hours: maximum.periodHours };
  // Only an amount can lack a total, because a count of doses is always known.
  if (maximum.given === null) return t('mar.asNeeded.maxAmountUnknown', values);
  const given = Math.round(maximum.given * 1000) / 1000;
  return maximum.kind === 'doses' ? t('mar.asNeeded.maxDoses', { ...values, given }) : t('mar.asNeeded.maxAmount', { ...values, given });
}

function AsNeededSection({ view, ordersById }: { view: MarView; ordersById: ReadonlyMap<string, MarOrder> }) {
  if (view.asNeeded.length === 0) return null;
  const now = new Date(view.now);

  return (
    <section className="mar-as-needed" aria-labelledby="mar-as-needed-title" data-testid="mar-as-needed">
      <h3 id="mar-as-needed-title" className="mar-as-needed__title">
        {t('mar.asNeeded.title')}
      </h3>
      <table className="table mar-table">
        <thead>
          <tr>
            <th scope="col">{t('mar.column.drug')}</th>
            <th scope="col">{t('mar.column.dose')}</th>
            <th scope="col">{t('mar.column.route')}</th>
            <th scope="col">{t('mar.asNeeded.column.order')}</th>
            <th scope="col">{t('mar.asNeeded.column.indication')}</th>
            <th scope="col">{t('mar.asNeeded.column.given')}</th>
            <th scope="col">{t('mar.asNeeded.column.lastDay')}</th>
            <th scope="col">{t('mar.asNeeded.column.next')}</th>
          </tr>
        </thead>
        <tbody>
          {view.asNeeded.map((entry) => (
            <AsNeededRow key={entry.orderId} entry={entry} order={ordersById.get(entry.orderId)} now={now} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

function AsNeededRow({ entry, order, now }: { entry: MarAsNeededOrder; order: MarOrder | undefined; now: Date }) {
  const active = order === undefined || order.status === 'active';
  const lastOutsideRange = entry.lastGiven !== null && entry.administrations.length === 0;

  return (
    <tr className="mar-row" data-testid="mar-as-needed-order" data-order-id={entry.orderId}>
      <td>
        {order?.drug ?? entry.orderId}
        {!active && <span className="mar-order-status">{t('mar.orderStatus', { status: order.status })}</span>}
      </td>
      <td>{order?.dose ?? ''}</td>
      <td>{order?.route ?? ''}</td>
      <td>{order?.frequency ?? ''}</td>
      <td>{order?.indication ?? t('mar.asNeeded.noIndication')}</td>
      <td>
        {entry.administrations.length === 0 && !lastOutsideRange && <span className="muted">{t('mar.asNeeded.noneGiven')}</span>}
        {lastOutsideRange && entry.lastGiven !== null && (
          <span data-testid="mar-as-needed-last">
            {t('mar.asNeeded.lastGiven', { time: formatDateTime(entry.lastGiven.effectiveDateTime), performer: entry.lastGiven.performer })}
          </span>
        )}
        {entry.administrations.length > 0 && (
          <ul className="mar-as-needed__doses">
            {entry.administrations.map((administration) => (
              <AsNeededDose key={administration.id} administration={administration} now={now} />
            ))}
          </ul>
        )}
      </td>
      <td data-testid="mar-as-needed-totals">
        <div className="mar-recorded">
          <span>{entry.dosesInLast24Hours === 1 ? t('mar.asNeeded.oneDose') : t('mar.asNeeded.doses', { count: entry.dosesInLast24Hours })}</span>
          {entry.maxima.map((maximum) => (
            <span key={`${maximum.kind}-${maximum.periodHours}`}>{maximumText(maximum)}</span>
          ))}
        </div>
      </td>
      <td data-testid="mar-as-needed-next" data-next-allowed-at={entry.nextAllowedAt ?? 'now'}>
        {!active && <span className="mar-order-status">{t('mar.asNeeded.notActive')}</span>}
        {active && entry.nextAllowedAt === null && <span className="mar-state mar-state--due">{t('mar.asNeeded.nextNow')}</span>}
        {active && entry.nextAllowedAt !== null && (
          <span className="mar-state mar-state--upcoming">{t('mar.asNeeded.nextAt', { time: formatTimeOrDateTime(entry.nextAllowedAt, now) })}</span>
        )}
        {entry.minIntervalMinutes !== null && <span className="muted mar-as-needed__interval">{t('mar.asNeeded.interval', { duration: durationText(entry.minIntervalMinutes) })}</span>}
      </td>
    </tr>
  );
}

function AsNeededDose({ administration, now }: { administration: MarAdministration; now: Date }) {
  return (
    <li className="mar-recorded" data-testid="mar-as-needed-dose" data-administration-id={administration.id}>
      <span>
        {administration.reason !== null
          ? t('mar.asNeeded.givenFor', { time: formatTimeOrDateTime(administration.effectiveDateTime, now), performer: administration.performer, reason: administration.reason })
          : t('mar.recordedGiven', { time: formatTimeOrDateTime(administration.effectiveDateTime, now), performer: administration.performer })}
      </span>
      {administration.lot !== null && <span className="muted">{t('mar.lot', { lot: administration.lot, expiry: administration.expiry ?? '' })}</span>}
      {administration.overridden && <span className="mar-overridden">{t('mar.overridden')}</span>}
      <SyncStateTag state={administration.syncState} testId="mar-sync-state" />
    </li>
  );
}

interface MarRowProps {
  dose: MarDose;
  order: MarOrder | undefined;
  canHold: boolean;
  patientId: string;
  onChanged(view: MarView): void;
}

function MarRow({ dose, order, canHold, patientId, onChanged }: MarRowProps) {
  const administration = dose.administration;
  return (
    <tr className={`mar-row mar-row--${dose.state}`} data-testid="mar-dose" data-state={dose.state} data-order-id={dose.orderId} data-scheduled-at={dose.scheduledAt}>
      <td className="num">{formatTime(dose.scheduledAt)}</td>
      <td>
        {order?.drug ?? dose.orderId}
        {order !== undefined && order.status !== 'active' && <span className="mar-order-status">{t('mar.orderStatus', { status: order.status })}</span>}
      </td>
      <td>{order?.dose ?? ''}</td>
      <td>{order?.route ?? ''}</td>
      <td>{order?.frequency ?? ''}</td>
      <td>
        <span className={`mar-state mar-state--${dose.state}`}>{t(stateLabels[dose.state])}</span>
      </td>
      <td>
        {administration !== null && (
          <div className="mar-recorded">
            <span>
              {administration.holdReason !== null
                ? t('mar.recordedHeld', { time: formatTime(administration.effectiveDateTime), performer: administration.performer, reason: administration.holdReason })
                : t('mar.recordedGiven', { time: formatTime(administration.effectiveDateTime), performer: administration.performer })}
            </span>
            {administration.lot !== null && <span className="muted">{t('mar.lot', { lot: administration.lot, expiry: administration.expiry ?? '' })}</span>}
            {administration.overridden && <span className="mar-overridden">{t('mar.overridden')}</span>}
            <SyncStateTag state={administration.syncState} testId="mar-sync-state" />
          </div>
        )}
        {canHold && <HoldControl dose={dose} patientId={patientId} onChanged={onChanged} />}
      </td>
    </tr>
  );
}

function HoldControl({ dose, patientId, onChanged }: { dose: MarDose; patientId: string; onChanged(view: MarView): void }) {
  const api = useApi();
  const { handleCallError } = useSession();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<HoldReasonCode>('patient-refused');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (!open) {
    return (
      <button type="button" className="button button--small" data-testid="mar-hold" onClick={() => setOpen(true)}>
        {t('mar.hold')}
      </button>
    );
  }

  function save() {
    setSaving(true);
    setError(null);
    api.medication.hold({ patientId, orderId: dose.orderId, scheduledAt: dose.scheduledAt, reason, administrationId: crypto.randomUUID() }).then(
      (view) => {
        setSaving(false);
        setOpen(false);
        onChanged(view);
      },
      (failure: unknown) => {
        const body = toApiError(failure);
        handleCallError(body);
        setSaving(false);
        setError(body.message);
      },
    );
  }

  return (
    <div className="mar-hold">
      <label>
        <span className="visually-hidden">{t('mar.holdReason')}</span>
        <select value={reason} onChange={(event) => setReason(event.target.value as HoldReasonCode)} data-testid="mar-hold-reason">
          {HOLD_REASONS.map((code) => (
            <option key={code} value={code}>
              {t(`mar.holdReason.${code}`)}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="button button--small" disabled={saving} onClick={save} data-testid="mar-hold-confirm">
        {t('mar.holdConfirm')}
      </button>
      <button type="button" className="button button--small button--link" onClick={() => setOpen(false)}>
        {t('mar.holdCancel')}
      </button>
      {error !== null && <p role="alert">{t('mar.holdFailed', { message: error })}</p>}
    </div>
  );
}
