import { useState } from 'react';

import type { MedicationCheckView } from '../../../preload/api/medication-schemas.js';
import { OVERRIDE_REASON_MIN_LENGTH } from '../../../preload/api/medication-schemas.js';
import { formatTime, formatTimeOrDateTime } from '../format/datetime.js';
import { t } from '../i18n/index.js';
import { checkProblemText } from './check-problem-text.js';
import { durationText } from './duration-text.js';
import type { MedicationScanState } from './useMedicationScan.js';

interface ScanCheckPanelProps {
  state: MedicationScanState;
  patientName: string;
  /** False for roles that read the MAR but do not give medication. */
  canRecord: boolean;
  /** The clock that dates the times of the check: today's times show as a time only. */
  now: Date;
  onRecord(overrideReason: string | null, asNeededReason: string | null): void;
  onClear(): void;
}

function offsetText(minutes: number): string {
  if (minutes === 0) return t('bcma.onTime');
  return minutes < 0 ? t('bcma.minutesEarly', { duration: durationText(minutes) }) : t('bcma.minutesLate', { duration: durationText(minutes) });
}

function outcomeOf(result: MedicationCheckView): 'pass' | 'overridable' | 'blocked' {
  if (result.outcome === 'pass') return 'pass';
  return result.overridable ? 'overridable' : 'blocked';
}

/** Describes the last dose of an as-needed order and when the next may be given. */
function asNeededText(asNeeded: { lastGivenAt: string | null; nextAllowedAt: string | null }, now: Date): string {
  const last = asNeeded.lastGivenAt === null ? t('bcma.asNeededNoDose') : t('bcma.asNeededLast', { time: formatTimeOrDateTime(asNeeded.lastGivenAt, now) });
  const next = asNeeded.nextAllowedAt === null ? t('bcma.asNeededNextNow') : t('bcma.asNeededNextAt', { time: formatTimeOrDateTime(asNeeded.nextAllowedAt, now) });
  return `${last} ${next}`;
}

const titles = { pass: 'bcma.passTitle', overridable: 'bcma.overridableTitle', blocked: 'bcma.blockedTitle' } as const;
const noticeClasses = { pass: 'notice--success', overridable: 'notice--warning', blocked: 'notice--error' } as const;

/** Renders the check of the last scanned package: what passed or failed, and how to record the dose. */
export function ScanCheckPanel({ state, patientName, canRecord, now, onRecord, onClear }: ScanCheckPanelProps) {
  const [reason, setReason] = useState('');
  // The panel is keyed by the check, so the order's indication is the first value of each new check.
  const [asNeededReason, setAsNeededReason] = useState(state.status === 'checked' ? (state.result.order?.indication ?? '') : '');

  switch (state.status) {
    case 'idle':
      return null;
    case 'not-medication':
      return (
        <div className="notice notice--warning" role="status" data-testid="bcma-result" data-outcome="not-medication">
          <p>{t('bcma.scanNotMedication')}</p>
        </div>
      );
    case 'checking':
      return (
        <p className="muted" role="status" data-testid="bcma-checking">
          {t('bcma.checking')}
        </p>
      );
    case 'failed':
      return (
        <div className="notice notice--error" role="alert" data-testid="bcma-result" data-outcome="failed">
          <p>{t('bcma.checkFailed', { message: state.message })}</p>
        </div>
      );
    case 'recorded':
      return (
        <div className="notice notice--success" role="status" data-testid="bcma-recorded">
          <p>{t('bcma.recorded', { drug: state.drug, time: formatTime(state.at) })}</p>
          <button type="button" className="button button--small notice__action" onClick={onClear}>
            {t('bcma.dismiss')}
          </button>
        </div>
      );
    case 'checked':
      break;
  }

  const { result } = state;
  const outcome = outcomeOf(result);
  const product = result.product;
  const match = result.match;
  const reasonValid = reason.trim().length >= OVERRIDE_REASON_MIN_LENGTH;
  const asNeeded = match?.asNeeded ?? null;
  const asNeededReasonValid = asNeeded === null || asNeededReason.trim().length > 0;
  const asNeededReasonValue = asNeeded === null ? null : asNeededReason.trim();

  return (
    <section className={`notice ${noticeClasses[outcome]} bcma-result`} role={outcome === 'pass' ? 'status' : 'alert'} data-testid="bcma-result" data-outcome={outcome}>
      <h3 className="bcma-result__title">{t(titles[outcome])}</h3>
      {result.problems.length > 0 && (
        <ul className="bcma-result__problems">
          {result.problems.map((problem) => (
            <li key={`${problem.code}-${String(problem.details.source ?? '')}`} data-testid="bcma-problem" data-code={problem.code}>
              {checkProblemText(problem, { patientName, productName: product?.name ?? '', now })}
            </li>
          ))}
        </ul>
      )}

      <dl className="bcma-result__facts">
        {product !== null && (
          <div>
            <dt>{t('bcma.product')}</dt>
            <dd data-testid="bcma-product">
              {product.name || product.gtin}
              {product.lot !== null && (
                <span className="muted">
                  {' · '}
                  {product.expiry !== null ? t('bcma.lotExpiry', { lot: product.lot, expiry: product.expiry }) : t('bcma.lotOnly', { lot: product.lot })}
                </span>
              )}
            </dd>
          </div>
        )}
        {result.order !== null && (
          <div>
            <dt>{t('bcma.order')}</dt>
            <dd data-testid="bcma-order">
              {result.order.drug} — {t('bcma.orderDetail', { dose: result.order.dose, route: result.order.route, frequency: result.order.frequency })}
            </dd>
          </div>
        )}
        {match !== null && match.scheduledAt !== null && (
          <div>
            <dt>{t('bcma.scheduled')}</dt>
            <dd data-testid="bcma-scheduled">{t('bcma.scheduledAt', { time: formatTime(match.scheduledAt), offset: offsetText(match.minutesFromScheduled ?? 0) })}</dd>
          </div>
        )}
        {asNeeded !== null && (
          <div>
            <dt>{t('bcma.asNeeded')}</dt>
            <dd data-testid="bcma-as-needed">{asNeededText(asNeeded, now)}</dd>
          </div>
        )}
        {match !== null && match.unitsPerDose !== null && (
          <div>
            <dt>{t('bcma.give')}</dt>
            <dd data-testid="bcma-units">{t('bcma.giveUnits', { count: match.unitsPerDose, unit: match.unitName })}</dd>
          </div>
        )}
      </dl>

      {state.recordError !== null && (
        <p className="bcma-result__error" role="alert">
          {t('bcma.recordFailed', { message: state.recordError })}
        </p>
      )}

      {canRecord && asNeeded !== null && outcome !== 'blocked' && (
        <div className="bcma-result__override">
          <label htmlFor="bcma-as-needed-reason">{t('bcma.asNeededReason')}</label>
          <input id="bcma-as-needed-reason" className="input" data-testid="bcma-as-needed-reason" maxLength={200} value={asNeededReason} onChange={(event) => setAsNeededReason(event.target.value)} />
          <p className="muted">{t('bcma.asNeededReasonHint')}</p>
        </div>
      )}
      {canRecord && outcome === 'pass' && (
        <button
          type="button"
          className="button button--primary"
          data-testid="bcma-record"
          disabled={state.recording || !asNeededReasonValid}
          onClick={() => onRecord(null, asNeededReasonValue)}
        >
          {state.recording ? t('bcma.recording') : t('bcma.record')}
        </button>
      )}
      {canRecord && outcome === 'overridable' && (
        <div className="bcma-result__override">
          <label htmlFor="bcma-override-reason">{t('bcma.overrideReason')}</label>
          <textarea id="bcma-override-reason" data-testid="bcma-override-reason" rows={2} value={reason} onChange={(event) => setReason(event.target.value)} />
          <p className="muted">{t('bcma.overrideHint')}</p>
          <button type="button" className="button button--danger" data-testid="bcma-record-override" disabled={!reasonValid || !asNeededReasonValid || state.recording} onClick={() => onRecord(reason.trim(), asNeededReasonValue)}>
            {state.recording ? t('bcma.recording') : t('bcma.recordOverride')}
          </button>
        </div>
      )}
      <button type="button" className="button button--link" data-testid="bcma-clear" onClick={onClear}>
        {t('bcma.dismiss')}
      </button>
    </section>
  );
}
