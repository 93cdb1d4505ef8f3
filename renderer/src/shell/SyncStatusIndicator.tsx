import type { SyncState } from '../../../preload/api/index.js';
import { useNow } from '../app/useNow.js';
import { formatDateTime, formatRelative } from '../format/datetime.js';
import type { PlainMessageKey } from '../i18n/index.js';
import { t } from '../i18n/index.js';
import { useSyncStatus } from './useSyncStatus.js';

const stateKeys: Record<SyncState, PlainMessageKey> = {
  online: 'sync.state.online',
  syncing: 'sync.state.syncing',
  offline: 'sync.state.offline',
  stopped: 'sync.state.stopped',
};

/**
 * Shows the replica's sync state, the number of local changes the central server has not
 * confirmed, and how current the data is. It is on every signed-in screen, because a nurse reading
 * the chart during an outage must see that it may be out of date.
 */
export function SyncStatusIndicator() {
  const status = useSyncStatus();
  const now = useNow();

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
      <span className="sync__last" data-testid="sync-last">
        {lastSync}
      </span>
      {status?.lastError != null && status.state !== 'online' && (
        <span className="sync__error">{t('sync.lastError', { message: status.lastError })}</span>
      )}
    </div>
  );
}
