import type { FormEvent, SyntheticEvent } from 'react';
import { useEffect, useId, useRef, useState } from 'react';

import type { PatientChart, PatientSearchResult } from '../../../preload/api/index.js';
import { BREAK_THE_GLASS_REASON_MIN_LENGTH, WARD_CLINICIANS } from '../../../preload/api/index.js';
import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { ErrorDetail } from '../api/ErrorNotice.js';
import type { PlainError } from '../api/error-text.js';
import { useSession } from '../app/SessionContext.js';
import { useConnectionMonitor } from '../host/ConnectionContext.js';
import { t } from '../i18n/index.js';
import { checkBreakTheGlassReason, describeBreakTheGlassError } from './break-the-glass.js';
import { toSearchResultRow } from './search-results.js';

interface BreakTheGlassDialogProps {
  patient: PatientSearchResult;
  /** The reason as typed. The caller keeps it, so that it survives the lock screen. */
  reason: string;
  onReasonChange(reason: string): void;
  onCancel(): void;
  onOpened(chart: PatientChart, reason: string): void;
}

/**
 * Asks for the clinical reason before a chart outside the user's ward opens with emergency
 * access. A modal `<dialog>` keeps focus inside and closes on Escape. Roles that may not break the
 * glass see why and can only close it.
 */
export function BreakTheGlassDialog({ patient, reason, onReasonChange, onCancel, onOpened }: BreakTheGlassDialogProps) {
  const api = useApi();
  const { session, handleCallError } = useSession();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const [error, setError] = useState<PlainError | null>(null);
  const connection = useConnectionMonitor();
  const [submitting, setSubmitting] = useState(false);
  const idPrefix = useId();
  const row = toSearchResultRow(patient);
  const mayBreakTheGlass = session.user.roles.some((role) => WARD_CLINICIANS.includes(role));

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog === null) return undefined;
    if (!dialog.open) dialog.showModal();
    return () => dialog.close();
  }, []);

  function handleCancelEvent(event: SyntheticEvent<HTMLDialogElement>) {
    event.preventDefault();
    if (!submitting) onCancel();
  }

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;

    const problem = checkBreakTheGlassReason(reason);
    if (problem !== null) {
      setError({ text: problem, detail: null });
      reasonRef.current?.focus();
      return;
    }

    setSubmitting(true);
    setError(null);
    try {
      const chart = await api.patient.breakTheGlass({ patientId: patient.patientId, reason });
      console.info(`break the glass: emergency access to patient ${patient.patientId}`);
      onOpened(chart, reason.trim());
    } catch (caught) {
      const body = toApiError(caught);
      console.warn(`break the glass: failed for patient ${patient.patientId} (${body.code})`);
      handleCallError(body);
      setError(describeBreakTheGlassError(body, connection.getState()));
      reasonRef.current?.focus();
    } finally {
      setSubmitting(false);
    }
  }

  const errorId = `${idPrefix}-error`;
  const hintId = `${idPrefix}-hint`;

  return (
    <dialog ref={dialogRef} className="dialog btg" data-testid="btg-dialog" aria-labelledby={`${idPrefix}-title`} onCancel={handleCancelEvent}>
      <form className="dialog__body" onSubmit={handleSubmit} noValidate>
        <h2 id={`${idPrefix}-title`} className="dialog__title">
          {t('btg.title')}
        </h2>

        <div className="btg__patient">
          <p className="btg__name">{row.name}</p>
          <p className="btg__facts">
            <span>
              <span className="search-result__label">{t('banner.born')}</span> {row.born}
            </span>
            <span>
              <span className="search-result__label">{t('banner.mrn')}</span> <span className="mono">{row.mrn}</span>
            </span>
            <span>
              <span className="search-result__label">{t('banner.ward')}</span> {row.ward}
            </span>
            <span>
              <span className="search-result__label">{t('banner.bed')}</span> {row.bed}
            </span>
          </p>
        </div>

        <p>{t('btg.explanation', { ward: session.ward.name })}</p>
        <p className="btg__audit">{t('btg.audit')}</p>

        {mayBreakTheGlass ? (
          <label className="field">
            <span className="field__label">{t('btg.reasonLabel')}</span>
            <span id={hintId} className="field__hint">
              {t('btg.reasonHint', { count: BREAK_THE_GLASS_REASON_MIN_LENGTH })}
            </span>
            <textarea
              ref={reasonRef}
              className="input btg__reason"
              data-testid="btg-reason"
              rows={3}
              maxLength={500}
              required
              autoFocus
              value={reason}
              onChange={(event) => {
                setError(null);
                onReasonChange(event.target.value);
              }}
              aria-invalid={error === null ? undefined : true}
              aria-describedby={error === null ? hintId : `${hintId} ${errorId}`}
            />
            {error !== null && (
              <span id={errorId} className="field__error" role="alert" data-testid="btg-error">
                {error.text}
                <ErrorDetail detail={error.detail} />
              </span>
            )}
          </label>
        ) : (
          <p className="notice notice--info">{t('btg.notAllowed')}</p>
        )}

        <div className="dialog__actions">
          {mayBreakTheGlass && (
            <button type="submit" className="button button--danger" data-testid="btg-confirm" disabled={submitting}>
              {submitting ? t('btg.opening') : t('btg.confirm')}
            </button>
          )}
          <button type="button" className="button" data-testid="btg-cancel" onClick={onCancel} disabled={submitting}>
            {mayBreakTheGlass ? t('btg.cancel') : t('btg.close')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
