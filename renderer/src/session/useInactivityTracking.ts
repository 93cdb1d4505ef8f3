import { useCallback, useEffect, useRef, useState } from 'react';

import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { useSession } from '../app/SessionContext.js';
import { ActivityThrottle } from './activity-throttle.js';
import { lockCountdownSeconds } from './lock-countdown.js';

/** Events that count as activity at the workstation. */
const ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'wheel'] as const;

export interface InactivityTracking {
  /** Last activity reported to the core, or when tracking started, in epoch milliseconds. */
  lastActivityAt: number;
  /** Starts a new estimate now, after `session.current` reported the workstation unlocked despite the estimate. */
  restartEstimate(): void;
}

/**
 * Reports keyboard and pointer activity to the core with `session.activity`, at most once per
 * throttle interval, while `active` is true. Mouse movement counts only while the lock warning is
 * showing, because the warning asks the user to move the mouse. Starting (sign-in, unlock, reload)
 * begins a new estimate of the core's inactivity period.
 *
 * NOTE: after a page reload the core's period may have begun earlier than the estimate, so the
 * lock can then come before the warning.
 */
export function useInactivityTracking(active: boolean): InactivityTracking {
  const api = useApi();
  const { session, handleCallError } = useSession();
  const [lastActivityAt, setLastActivityAt] = useState(() => Date.now());
  const throttleRef = useRef<ActivityThrottle | null>(null);
  const lockAfterMinutes = session.lockAfterMinutes;

  useEffect(() => {
    if (!active) return undefined;

    const startedAt = Date.now();
    setLastActivityAt(startedAt);
    const throttle = new ActivityThrottle({
      startedAt,
      report: (at) => {
        setLastActivityAt(at);
        api.session.activity({}).catch((error: unknown) => {
          const body = toApiError(error);
          console.warn(`inactivity: reporting activity failed (${body.code})`);
          handleCallError(body);
        });
      },
    });
    throttleRef.current = throttle;

    const handleActivity = () => throttle.notify();
    const handlePointerMove = () => {
      const now = Date.now();
      if (lockCountdownSeconds({ lastActivityAt: throttle.lastReportedAt, lockAfterMinutes, now }) !== null) throttle.notify();
    };
    const options = { capture: true, passive: true };
    for (const type of ACTIVITY_EVENTS) window.addEventListener(type, handleActivity, options);
    window.addEventListener('pointermove', handlePointerMove, options);

    return () => {
      for (const type of ACTIVITY_EVENTS) window.removeEventListener(type, handleActivity, options);
      window.removeEventListener('pointermove', handlePointerMove, options);
      throttle.dispose();
      throttleRef.current = null;
    };
  }, [active, api, handleCallError, lockAfterMinutes]);

  const restartEstimate = useCallback(() => {
    const now = Date.now();
    throttleRef.current?.restart(now);
    setLastActivityAt(now);
  }, []);

  return { lastActivityAt, restartEstimate };
}
