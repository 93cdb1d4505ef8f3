import type { KeyboardEvent } from 'react';
import { useEffect, useRef, useState } from 'react';

import type { ApiErrorBody, PatientChart } from '../../../preload/api/index.js';
import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { ErrorDetail } from '../api/ErrorNotice.js';
import type { PlainError } from '../api/error-text.js';
import { describeCallError } from '../api/error-text.js';
import { useSession } from '../app/SessionContext.js';
import { useConnectionState } from '../host/ConnectionContext.js';
import { t } from '../i18n/index.js';

interface SpO2ScaleControlProps {
  chart: PatientChart;
  /** The current scale in words, for example "Scale 2, set by … on …". */
  scaleText: string;
  onChanged(chart: PatientChart): void;
}

/**
 * Lets a doctor switch the patient between SpO2 scales 1 and 2 after a confirmation. Other roles
 * do not see it; the core rejects the call for them anyway. Cancel, Escape and a saved change close
 * the question and move focus back to the button that opened it.
 */
export function SpO2ScaleControl({ chart, scaleText, onChanged }: SpO2ScaleControlProps) {
  const api = useApi();
  const { session, handleCallError } = useSession();
  const [confirming, setConfirming] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiErrorBody | null>(null);
  const connection = useConnectionState();
  const questionRef = useRef<HTMLParagraphElement>(null);
  const openButtonRef = useRef<HTMLButtonElement>(null);
  // Set by cancel and by a saved change, because the open button is only mounted again after the question closes.
  const refocusOpenButtonRef = useRef(false);

  useEffect(() => {
    if (confirming) {
      questionRef.current?.focus();
    } else if (refocusOpenButtonRef.current) {
      refocusOpenButtonRef.current = false;
      openButtonRef.current?.focus();
    }
  }, [confirming]);

  if (!session.user.roles.includes('doctor')) return null;

  const targetScale = chart.spo2Scale.scale === 1 ? 2 : 1;
  const question = targetScale === 2 ? t('spo2Scale.confirmTo2') : t('spo2Scale.confirmTo1');
  let confirmLabel = targetScale === 2 ? t('spo2Scale.confirmTo2Button') : t('spo2Scale.confirmTo1Button');
  if (saving) confirmLabel = t('spo2Scale.saving');

  function cancel() {
    refocusOpenButtonRef.current = true;
    setConfirming(false);
    setError(null);
  }

  // Escape does what the Cancel button does, so it does nothing while the change is being saved.
  function handleKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key !== 'Escape' || saving) return;
    event.preventDefault();
    event.stopPropagation();
    cancel();
  }

  async function confirm() {
    setSaving(true);
    setError(null);
    try {
      const updated = await api.patient.setSpO2Scale({ patientId: chart.patientId, scale: targetScale });
      refocusOpenButtonRef.current = true;
      setConfirming(false);
      onChanged(updated);
    } catch (caught) {
      const body = toApiError(caught);
      console.warn(`spo2 scale: change failed for patient ${chart.patientId} (${body.code})`);
      handleCallError(body);
      setError(body);
    } finally {
      setSaving(false);
    }
  }

  if (!confirming) {
    return (
      <div className="spo2-scale">
        <span>
          <span className="muted">{t('spo2Scale.label')}</span> {scaleText}
        </span>
        <button ref={openButtonRef} type="button" className="button button--small" onClick={() => setConfirming(true)} data-testid="spo2-scale-change">
          {t('spo2Scale.change')}
        </button>
      </div>
    );
  }

  return (
    <div className="spo2-scale confirm" role="group" aria-label={t('spo2Scale.change')} onKeyDown={handleKeyDown} data-testid="spo2-scale-question">
      <p ref={questionRef} tabIndex={-1} className="confirm__question">
        {question}
      </p>
      {error !== null && <ScaleError error={describeCallError(error, connection)} />}
      <div className="confirm__actions">
        <button type="button" className="button button--primary" onClick={confirm} disabled={saving}>
          {confirmLabel}
        </button>
        <button type="button" className="button" onClick={cancel} disabled={saving} data-testid="spo2-scale-cancel">
          {t('spo2Scale.cancel')}
        </button>
      </div>
    </div>
  );
}

function ScaleError({ error }: { error: PlainError }) {
  return (
    <div className="notice notice--error" role="alert">
      <p>{t('spo2Scale.failed', { message: error.text })}</p>
      <ErrorDetail detail={error.detail} />
    </div>
  );
}
