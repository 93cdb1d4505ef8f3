import { useCallback, useEffect, useRef, useState } from 'react';

import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { useSession } from '../app/SessionContext.js';
import { ActivityThrottle } from './activity-throttle.js';
import { lockCountdownSeconds, resolveLockAt } from './lock-countdown.js';

/** Events that count as activity at the workstation. */
const ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'wheel'] as const;

export interface InactivityTracking {
  /** When the core locks the workstation unless activity comes first, in epoch milliseconds. */
  lockAt: number;
  /**
   * Applies the `lockAt` that `session.current` or `session.activity` returned. For null, it
   * estimates the lock from `estimateFrom` (default now) and the policy's period.
   */
  applyLockAt(reported: string | null, estimateFrom?: number): void;
}

/**
 * Reports keyboard and pointer activity to the core with `session.activity`, at most once per
 * throttle interval, while `active` is true, and keeps the lock time each report returns. Mouse
 * movement counts only while the lock warning is showing, because the warning asks the user to
 * move the mouse. Starting (sign-in, unlock, reload) sets an estimate until the caller applies the
 * core's time from `session.current`.
 */
export function useInactivityTracking(active: boolean): InactivityTracking {
  const api = useApi();
  const { session, handleCallError } = useSession();
  const lockAfterMinutes = session.lockAfterMinutes;
  const [lockAt, setLockAt] = useState(() => resolveLockAt(null, Date.now(), lockAfterMinutes));
  const lockAtRef = useRef(lockAt);

  const applyLockAt = useCallback(
    (reported: string | null, estimateFrom: number = Date.now()) => {
      const next = resolveLockAt(reported, estimateFrom, lockAfterMinutes);
      lockAtRef.current = next;
      setLockAt(next);
    },
    [lockAfterMinutes],
  );

  useEffect(() => {
    if (!active) return undefined;

    const startedAt = Date.now();
    applyLockAt(null, startedAt);
    const throttle = new ActivityThrottle({
      startedAt,
      report: (at) => {
        api.session.activity({}).then(
          (result) => applyLockAt(result.lockAt, at),
          (error: unknown) => {
            const body = toApiError(error);
            console.warn(`inactivity: reporting activity failed (${body.code})`);
            handleCallError(body);
            applyLockAt(null, at);
          },
        );
      },
    });

    const handleActivity = () => throttle.notify();
    const handlePointerMove = () => {
      if (lockCountdownSeconds({ lockAt: lockAtRef.current, lockAfterMinutes, now: Date.now() }) !== null) throttle.notify();
    };
    const options = { capture: true, passive: true };
    for (const type of ACTIVITY_EVENTS) window.addEventListener(type, handleActivity, options);
    window.addEventListener('pointermove', handlePointerMove, options);

    return () => {
      for (const type of ACTIVITY_EVENTS) window.removeEventListener(type, handleActivity, options);
      window.removeEventListener('pointermove', handlePointerMove, options);
      throttle.dispose();
    };
  }, [active, api, applyLockAt, handleCallError, lockAfterMinutes]);

  return { lockAt, applyLockAt };
}
