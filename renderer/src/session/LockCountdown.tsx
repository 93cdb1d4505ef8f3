import { useEffect, useRef } from 'react';

import { useNow } from '../app/useNow.js';
import { t } from '../i18n/index.js';
import { lockCountdownSeconds, millisecondsUntilLock } from './lock-countdown.js';

/** Delay after the lock time before the window reads the session state from the core, in milliseconds. */
const OVERDUE_AFTER_MS = 5_000;

interface LockCountdownProps {
  /** When the core locks the workstation, in epoch milliseconds. */
  lockAt: number;
  lockAfterMinutes: number;
  /**
   * Called once when the warning appears, because activity in another window may have moved the
   * lock later, and once when the lock time passed without a lock event.
   */
  onCheckLockTime(): void;
}

/**
 * Warns during the last minute before the inactivity lock, with the seconds left. The seconds are
 * not announced every second: a screen reader hears the warning once when it appears.
 */
export function LockCountdown({ lockAt, lockAfterMinutes, onCheckLockTime }: LockCountdownProps) {
  const now = useNow(1_000).getTime();
  const seconds = lockCountdownSeconds({ lockAt, lockAfterMinutes, now });
  const overdue = millisecondsUntilLock({ lockAt, now }) < -OVERDUE_AFTER_MS;
  let checkpoint: string | null = null;
  if (overdue) checkpoint = `overdue ${lockAt}`;
  else if (seconds !== null) checkpoint = `warning ${lockAt}`;
  const checked = useRef<string | null>(null);

  useEffect(() => {
    if (checkpoint === null || checked.current === checkpoint) return;
    checked.current = checkpoint;
    onCheckLockTime();
  }, [checkpoint, onCheckLockTime]);

  return (
    <>
      <p className="visually-hidden" role="status">
        {seconds === null ? '' : t('lock.countdownAnnouncement')}
      </p>
      {seconds !== null && (
        <div className="lock-countdown" data-testid="lock-countdown" data-seconds={seconds}>
          <span role="timer">
            {seconds > 0 ? (
              <>
                <strong>{t('lock.countdown', { seconds })}</strong> {t('lock.countdownHint')}
              </>
            ) : (
              <strong>{t('lock.countdownNow')}</strong>
            )}
          </span>
        </div>
      )}
    </>
  );
}
