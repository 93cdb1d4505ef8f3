import type { SyncState, SyncStatus } from '../../../preload/api/index.js';
import { describeSyncError } from '../api/error-text.js';
import { useNow } from '../app/useNow.js';
import { formatDateTime, formatRelative } from '../format/datetime.js';
import { useConnectionState } from '../host/ConnectionContext.js';
import type { PlainMessageKey } from '../i18n/index.js';
import { getLocale, t } from '../i18n/index.js';
import { Hint } from './Hint.js';
import { useSyncStatus } from './useSyncStatus.js';

const stateKeys: Record<SyncState, PlainMessageKey> = {
  online: 'sync.state.online',
  syncing: 'sync.state.syncing',
  offline: 'sync.state.offline',
  stopped: 'sync.state.stopped',
};

/**
 * Shows the replica's sync state, the number of local changes the central server has not
 * confirmed or has refused, and how current the data is. It is on every signed-in screen, because
 * a nurse reading the chart during an outage must see that it may be out of date. While the page
 * has no connection to the workstation, the last status it received may be out of date, so the
 * strip shows only the lost connection.
 */
export function SyncStatusIndicator() {
  const status = useSyncStatus();
  const connection = useConnectionState();
  const now = useNow();

  if (connection !== 'connected') return <DisconnectedStrip />;

  const state = status?.state ?? 'unknown';
  const stateText = status === null ? t('sync.state.unknown') : t(stateKeys[status.state]);
  const lastSync =
    status?.lastSuccessfulSyncAt == null
      ? t('sync.neverSynced')
      : t('sync.lastSync', {
          time: `${formatDateTime(status.lastSuccessfulSyncAt)} (${formatRelative(status.lastSuccessfulSyncAt, now)})`,
        });

  return (
    <div className={`sync sync--${state}`} data-testid="sync-status" data-state={state}>
      <span className="sync__state" role="status">
        <span className="sync__dot" aria-hidden="true" />
        <span className="visually-hidden">{t('sync.label')} </span>
        {stateText}
      </span>
      <span className="sync__pending" title={t('sync.pendingHint')}>
        {t('sync.pending')} <strong data-testid="sync-pending">{status?.pendingChanges ?? 0}</strong>
      </span>
      {status !== null && status.rejectedChanges > 0 && (
        <Hint className="sync__rejected" testId="sync-rejected" hint={t('sync.rejectedHint')}>
          <span aria-hidden="true">⚠ </span>
          {describeRejectedChanges(status.rejectedChanges)}
        </Hint>
      )}
      <span className="sync__last" data-testid="sync-last">
        {lastSync}
      </span>
      {status !== null && status.state !== 'online' && <LastSyncError status={status} />}
    </div>
  );
}

function DisconnectedStrip() {
  return (
    <div className="sync sync--disconnected" data-testid="sync-status" data-state="disconnected">
      <span className="sync__state" role="status">
        <span className="sync__dot" aria-hidden="true" />
        {t('sync.state.disconnected')}
      </span>
      <span className="sync__hint">{t('sync.disconnectedHint')}</span>
    </div>
  );
}

function LastSyncError({ status }: { status: SyncStatus }) {
  if (status.lastError === null) return null;
  const error = describeSyncError(status.lastError);
  const text = t('sync.lastError', { message: error.text });
  if (error.detail === null) return <span className="sync__error">{text}</span>;
  return (
    <Hint className="sync__error" testId="sync-error" hint={t('error.detail', { detail: error.detail })}>
      {text}
    </Hint>
  );
}

function describeRejectedChanges(count: number): string {
  const plural = new Intl.PluralRules(getLocale()).select(count);
  return plural === 'one' ? t('sync.rejectedOne') : t('sync.rejectedMany', { count });
}
