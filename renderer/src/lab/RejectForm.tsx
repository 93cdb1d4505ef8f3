import type { FormEvent } from 'react';
import { useEffect, useId, useRef, useState } from 'react';

import { t } from '../i18n/index.js';
import { REJECT_REASON_MIN_LENGTH } from './review-errors.js';

interface RejectFormProps {
  busy: boolean;
  /** Rejects the group with the trimmed reason. */
  onReject(reason: string): void;
  onCancel(): void;
}

/**
 * Asks for the reason before results are kept out of the chart. The reason is required because it
 * stays on record with the decision. The field takes focus when the form opens.
 */
export function RejectForm({ busy, onReject, onCancel }: RejectFormProps) {
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;

  useEffect(() => {
    reasonRef.current?.focus();
  }, []);

  function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = reason.trim();
    if (trimmed.length < REJECT_REASON_MIN_LENGTH) {
      setMissing(true);
      reasonRef.current?.focus();
      return;
    }
    onReject(trimmed);
  }

  return (
    <form className="confirm review-card__reject" onSubmit={submit} noValidate aria-labelledby={`${id}-question`} data-testid="review-reject-form">
      <p id={`${id}-question`} className="confirm__question">
        {t('lab.review.rejectQuestion')}
      </p>
      <label className="field__label" htmlFor={id}>
        {t('lab.review.rejectReason')}
      </label>
      <span id={hintId} className="field__hint">
        {t('lab.review.rejectReasonHint', { count: REJECT_REASON_MIN_LENGTH })}
      </span>
      <textarea
        ref={reasonRef}
        id={id}
        className="input review-card__reason"
        data-testid="review-reject-reason"
        rows={2}
        maxLength={500}
        required
        value={reason}
        onChange={(event) => {
          setReason(event.target.value);
          setMissing(false);
        }}
        aria-invalid={missing ? true : undefined}
        aria-describedby={missing ? `${hintId} ${errorId}` : hintId}
      />
      {missing && (
        <span id={errorId} className="field__error" role="alert" data-testid="review-reject-error">
          {t('lab.review.rejectReasonMissing', { count: REJECT_REASON_MIN_LENGTH })}
        </span>
      )}
      <div className="confirm__actions">
        <button type="submit" className="button button--danger" data-testid="review-reject-confirm" disabled={busy}>
          {busy ? t('lab.review.rejecting') : t('lab.review.rejectConfirm')}
        </button>
        <button type="button" className="button" onClick={onCancel} disabled={busy}>
          {t('lab.review.rejectCancel')}
        </button>
      </div>
    </form>
  );
}
