import type { RecordSyncState } from '../../../preload/api/index.js';
import type { PlainMessageKey } from '../i18n/index.js';
import { t } from '../i18n/index.js';
import { Hint } from '../shell/Hint.js';

const labels: Record<RecordSyncState, PlainMessageKey> = {
  pending: 'syncState.pending',
  synced: 'syncState.synced',
  conflict: 'syncState.conflict',
  rejected: 'syncState.rejected',
};

const hints: Record<RecordSyncState, PlainMessageKey> = {
  pending: 'syncState.pendingHint',
  synced: 'syncState.syncedHint',
  conflict: 'syncState.conflictHint',
  rejected: 'syncState.rejectedHint',
};

/** Shows the sync state of one record, in words and never by colour alone. */
export function SyncStateTag({ state, testId }: { state: RecordSyncState; testId?: string }) {
  return (
    <Hint className={`sync-state sync-state--${state}`} hint={t(hints[state])} testId={testId}>
      <span data-sync-state={state}>{t(labels[state])}</span>
    </Hint>
  );
}
