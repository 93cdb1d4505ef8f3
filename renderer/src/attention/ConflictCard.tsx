import { useState } from 'react';

import type { ApiErrorBody, ConflictDecision, ConflictElement, SyncConflict } from '../../../preload/api/index.js';
import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { ErrorDetail } from '../api/ErrorNotice.js';
import { describeCallError } from '../api/error-text.js';
import { useSession } from '../app/SessionContext.js';
import { useConnectionState } from '../host/ConnectionContext.js';
import { t } from '../i18n/index.js';
import { conflictHeadline, elementLabel, serverAuthorLine } from './attention-text.js';

interface ConflictCardProps {
  conflict: SyncConflict;
  now: Date;
  onOpenChart(patientId: string): void;
  /** Called after a decision was saved, with the decision, so that the screen can report what happened. */
  onDecided(decision: ConflictDecision): void;
}

/**
 * Renders one change the central server did not apply: what was replaced and why, both versions side by
 * side, and the three decisions. Keeping the local version is offered only where the rule allows it.
 */
export function ConflictCard({ conflict, now, onOpenChart, onDecided }: ConflictCardProps) {
  const api = useApi();
  const { handleCallError } = useSession();
  const connection = useConnectionState();
  const [saving, setSaving] = useState<ConflictDecision | null>(null);
  const [error, setError] = useState<ApiErrorBody | null>(null);
  const headingId = `conflict-${conflict.id}-headline`;

  async function decide(decision: ConflictDecision) {
    setSaving(decision);
    setError(null);
    try {
      await api.sync.resolveConflict({ id: conflict.id, decision });
      console.info(`attention: conflict ${conflict.id} closed (${decision})`);
      onDecided(decision);
    } catch (caught) {
      const body = toApiError(caught);
      console.warn(`attention: closing conflict ${conflict.id} failed (${body.code})`);
      handleCallError(body);
      setError(body);
    } finally {
      setSaving(null);
    }
  }

  const plainError = error === null ? null : describeCallError(error, connection);

  return (
    <article className="attention-card" aria-labelledby={headingId} data-testid="conflict-card" data-conflict-id={conflict.id}>
      <p id={headingId} className="attention-card__headline" data-testid="conflict-headline">
        <span aria-hidden="true">⚠ </span>
        {conflictHeadline(conflict, now)}
      </p>
      {serverAuthorLine(conflict, now) !== null && (
        <p className="attention-card__author" data-testid="conflict-server-author">
          {serverAuthorLine(conflict, now)}
        </p>
      )}

      <table className="table attention-compare">
        <thead>
          <tr>
            <th scope="col">{t('attention.column.what')}</th>
            <th scope="col">{t('attention.column.yours')}</th>
            <th scope="col">{t('attention.column.server')}</th>
          </tr>
        </thead>
        <tbody>
          {conflict.elements.map((element) => (
            <tr key={element.element} data-testid="conflict-element" data-element={element.element}>
              <th scope="row">{capitalise(elementLabel(element.element))}</th>
              <td className="attention-compare__yours" data-testid="conflict-local">
                {describeValue(element, 'local')}
              </td>
              <td data-testid="conflict-server">{describeValue(element, 'server')}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <div className="attention-card__actions">
        {conflict.canKeepMine && (
          <button type="button" className="button button--primary" data-testid="conflict-keep-mine" onClick={() => void decide('keep-mine')} disabled={saving !== null}>
            {saving === 'keep-mine' ? t('attention.saving') : t('attention.keepMine')}
          </button>
        )}
        <button type="button" className="button" data-testid="conflict-keep-server" onClick={() => void decide('keep-server')} disabled={saving !== null}>
          {saving === 'keep-server' ? t('attention.saving') : t('attention.keepServer')}
        </button>
        <button type="button" className="button" data-testid="conflict-acknowledge" onClick={() => void decide('acknowledge')} disabled={saving !== null}>
          {saving === 'acknowledge' ? t('attention.saving') : t('attention.acknowledge')}
        </button>
        {conflict.patientId !== null && conflict.patientName !== null && (
          <button type="button" className="button button--link" onClick={() => onOpenChart(conflict.patientId as string)}>
            {t('attention.openChart')}
          </button>
        )}
      </div>
      <p className="attention-card__hint muted">{conflict.canKeepMine ? t('attention.decisionHint') : t('attention.keepMineNotAllowed')}</p>
      {plainError !== null && (
        <div className="notice notice--error" role="alert">
          <p>{t('attention.decisionFailed', { message: plainError.text })}</p>
          <ErrorDetail detail={plainError.detail} />
        </div>
      )}
    </article>
  );
}

function describeValue(element: ConflictElement, side: 'local' | 'server'): string {
  const value = element[side];
  if (element.element === '_deleted') return value === 'true' ? t('attention.deleted') : t('attention.present');
  return value ?? t('attention.notSet');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
