import { useState } from 'react';

import type { ApiErrorBody, RejectedChange, ResendResult } from '../../../preload/api/index.js';
import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { ErrorDetail } from '../api/ErrorNotice.js';
import { describeCallError } from '../api/error-text.js';
import { useSession } from '../app/SessionContext.js';
import { formatTimeOrDateTime } from '../format/datetime.js';
import { useConnectionState } from '../host/ConnectionContext.js';
import { t } from '../i18n/index.js';
import { describeKind, patientLabel } from './attention-text.js';

interface RejectedChangeCardProps {
  change: RejectedChange;
  now: Date;
  onOpenChart(patientId: string): void;
  /** Called with what the central server made of the resend. */
  onResent(result: ResendResult): void;
}

/** Renders one change the central server refused: what it was, the server's reason, and Resend. */
export function RejectedChangeCard({ change, now, onOpenChart, onResent }: RejectedChangeCardProps) {
  const api = useApi();
  const { handleCallError } = useSession();
  const connection = useConnectionState();
  const [resending, setResending] = useState(false);
  const [error, setError] = useState<ApiErrorBody | null>(null);
  const headingId = `rejected-${change.documentId.replace(/[^A-Za-z0-9-]/g, '-')}`;

  async function resend() {
    setResending(true);
    setError(null);
    try {
      const result = await api.sync.resendRejected({ collection: change.collection, documentId: change.documentId });
      console.info(`attention: resent ${change.documentId} (${result.outcome})`);
      onResent(result);
    } catch (caught) {
      const body = toApiError(caught);
      console.warn(`attention: resending ${change.documentId} failed (${body.code})`);
      handleCallError(body);
      setError(body);
    } finally {
      setResending(false);
    }
  }

  const what = describeKind(change.kind);
  const time = formatTimeOrDateTime(change.rejectedAt, now);
  const headline =
    change.patientId === null ? t('attention.rejected.headlineNoPatient', { what, time }) : t('attention.rejected.headline', { what, patient: patientLabel(change), time });
  const plainError = error === null ? null : describeCallError(error, connection);

  return (
    <article className="attention-card" aria-labelledby={headingId} data-testid="rejected-card" data-document-id={change.documentId}>
      <p id={headingId} className="attention-card__headline">
        <span aria-hidden="true">⚠ </span>
        {headline}
      </p>
      {change.effectiveAt !== null && <p>{t('attention.rejected.taken', { time: formatTimeOrDateTime(change.effectiveAt, now) })}</p>}
      <p className="attention-card__reason" data-testid="rejected-reason">
        {t('attention.rejected.reason', { reason: change.reason })}
      </p>
      <div className="attention-card__actions">
        <button type="button" className="button button--primary" data-testid="rejected-resend" onClick={() => void resend()} disabled={resending}>
          {resending ? t('attention.resending') : t('attention.resend')}
        </button>
        {change.patientId !== null && change.patientName !== null && (
          <button type="button" className="button button--link" onClick={() => onOpenChart(change.patientId as string)}>
            {t('attention.openChart')}
          </button>
        )}
      </div>
      <p className="attention-card__hint muted">{t('attention.resendHint')}</p>
      {plainError !== null && (
        <div className="notice notice--error" role="alert">
          <p>{t('attention.resendFailed', { message: plainError.text })}</p>
          <ErrorDetail detail={plainError.detail} />
        </div>
      )}
    </article>
  );
}
