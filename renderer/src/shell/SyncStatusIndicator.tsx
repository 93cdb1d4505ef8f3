import type { ReactNode } from 'react';
import { useId } from 'react';

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
  'sign-in-needed': 'sync.state.signInNeeded',
};

/**
 * A change still unsent after this long is shown as a warning: the ward should know that what it
 * entered a quarter of an hour ago is on this workstation only.
 */
export const PENDING_WARNING_AFTER_MS = 15 * 60_000;

/**
 * Shows the replica's sync state, the number of local changes the central server has not
 * confirmed or has refused, and how current the data is. It is on every signed-in screen, because
 * a nurse reading the chart during an outage must see that it may be out of date. While the page
 * has no connection to the workstation, the last status it received may be out of date, so the
 * strip shows only the lost connection.
 */
export function SyncStatusIndicator({ onOpenAttention = null }: { onOpenAttention?: (() => void) | null }) {
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
        <AttentionBadge testId="sync-rejected" hint={t('sync.rejectedHint')} onOpen={onOpenAttention}>
          <span aria-hidden="true">⚠ </span>
          {describeRejectedChanges(status.rejectedChanges)}
        </AttentionBadge>
      )}
      {status !== null && <OldestPending status={status} now={now} />}
      {status !== null && status.openConflicts > 0 && (
        <AttentionBadge testId="sync-conflicts" hint={t('sync.conflictsHint')} onOpen={onOpenAttention}>
          <span aria-hidden="true">⚠ </span>
          {describeCount(status.openConflicts, 'sync.conflictsOne', 'sync.conflictsMany')}
        </AttentionBadge>
      )}
      <span className="sync__last" data-testid="sync-last">
        {lastSync}
      </span>
      {status !== null && <LiveUpdates status={status} now={now} />}
      {status?.initialSync != null && <InitialSyncProgress progress={status.initialSync} />}
      {status !== null && status.state !== 'online' && <LastSyncError status={status} />}
    </div>
  );
}

interface AttentionBadgeProps {
  testId: string;
  hint: string;
  /** Opens the Needs attention screen; null shows the count only, for roles that may not review. */
  onOpen: (() => void) | null;
  children: ReactNode;
}

/** Renders a count of changes that need a person, as a button to the Needs attention screen where the role allows it. */
function AttentionBadge({ testId, hint, onOpen, children }: AttentionBadgeProps) {
  const bubbleId = useId();
  if (onOpen === null) {
    return (
      <Hint className="sync__rejected" testId={testId} hint={hint}>
        {children}
      </Hint>
    );
  }
  return (
    <button type="button" className="hint sync__rejected sync__attention" data-testid={testId} aria-describedby={bubbleId} onClick={onOpen}>
      {children}
      <span id={bubbleId} role="tooltip" className="hint__bubble">
        {`${hint} ${t('sync.openAttention')}`}
      </span>
    </button>
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

/** Shows the age of the oldest unsent change as a warning once it passes PENDING_WARNING_AFTER_MS. */
function OldestPending({ status, now }: { status: SyncStatus; now: Date }) {
  if (status.oldestPendingAt === null) return null;
  const age = now.getTime() - Date.parse(status.oldestPendingAt);
  if (!(age >= PENDING_WARNING_AFTER_MS)) return null;
  return (
    <Hint className="sync__rejected" testId="sync-oldest-pending" hint={t('sync.oldestPendingHint')}>
      <span aria-hidden="true">⚠ </span>
      {t('sync.oldestPending', { age: formatRelative(status.oldestPendingAt, now) })}
    </Hint>
  );
}

/**
 * Shows when changes made elsewhere stopped arriving as they happen. Offline, the state shows it
 * already. Online, a dead live stream would otherwise go unnoticed.
 */
function LiveUpdates({ status, now }: { status: SyncStatus; now: Date }) {
  if (status.liveUpdates.flowing || status.state === 'offline' || status.state === 'stopped') return null;
  const since = status.liveUpdates.interruptedSince;
  return (
    <span className="sync__live" data-testid="sync-live-interrupted">
      {since === null
        ? t('sync.liveNotYet')
        : t('sync.liveInterrupted', { time: `${formatDateTime(since)} (${formatRelative(since, now)})` })}
    </span>
  );
}

/** Shows the first download into an empty replica: the counts, and a bar once the server has returned the total. */
function InitialSyncProgress({ progress }: { progress: NonNullable<SyncStatus['initialSync']> }) {
  const { received, total } = progress;
  return (
    <span className="sync__initial" data-testid="sync-initial">
      {total === null
        ? t('sync.initialCount', { received: received.toLocaleString(getLocale()) })
        : t('sync.initialProgress', { received: received.toLocaleString(getLocale()), total: total.toLocaleString(getLocale()) })}
      {total !== null && total > 0 && <progress max={total} value={Math.min(received, total)} aria-label={t('sync.initialLabel')} />}
    </span>
  );
}

function describeCount(count: number, one: PlainMessageKey, many: 'sync.rejectedMany' | 'sync.conflictsMany'): string {
  const plural = new Intl.PluralRules(getLocale()).select(count);
  return plural === 'one' ? t(one) : t(many, { count });
}

function describeRejectedChanges(count: number): string {
  return describeCount(count, 'sync.rejectedOne', 'sync.rejectedMany');
}
