import { useEffect, useRef } from 'react';

import { useNow } from '../app/useNow.js';
import { t } from '../i18n/index.js';
import { lockCountdownSeconds, millisecondsUntilLock } from './lock-countdown.js';

/** Delay after the estimated lock time before the window checks with `session.current` whether the core locked, in milliseconds. */
const OVERDUE_AFTER_MS = 5_000;

interface LockCountdownProps {
  lastActivityAt: number;
  lockAfterMinutes: number;
  /** Called once when the estimated lock time passed without a lock event. */
  onOverdue(): void;
}

/**
 * Warns during the last minute before the inactivity lock, with the seconds left. The seconds are
 * not announced every second: a screen reader hears the warning once when it appears.
 */
export function LockCountdown({ lastActivityAt, lockAfterMinutes, onOverdue }: LockCountdownProps) {
  const now = useNow(1_000).getTime();
  const seconds = lockCountdownSeconds({ lastActivityAt, lockAfterMinutes, now });
  const overdue = millisecondsUntilLock({ lastActivityAt, lockAfterMinutes, now }) < -OVERDUE_AFTER_MS;
  const reportedFor = useRef<number | null>(null);

  useEffect(() => {
    if (!overdue || reportedFor.current === lastActivityAt) return;
    reportedFor.current = lastActivityAt;
    onOverdue();
  }, [overdue, lastActivityAt, onOverdue]);

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
