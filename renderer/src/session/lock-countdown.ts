const MINUTE_MS = 60_000;

/** Maximum warning period before the inactivity lock, in milliseconds. */
export const LOCK_WARNING_MAX_MS = 60_000;

/**
 * Returns how long before the lock the warning appears: the last 60 seconds, or the last half of
 * the period when policy locks after a single minute, so that the warning is not always on.
 */
export function lockWarningMs(lockAfterMinutes: number): number {
  return Math.min(LOCK_WARNING_MAX_MS, (lockAfterMinutes * MINUTE_MS) / 2);
}

export interface LockCountdownInput {
  /** Last activity reported to the core, or the sign-in or unlock if later, in epoch milliseconds. */
  lastActivityAt: number;
  lockAfterMinutes: number;
  now: number;
}

/** Returns the milliseconds left until the core locks the workstation; negative once that time has passed. */
export function millisecondsUntilLock({ lastActivityAt, lockAfterMinutes, now }: LockCountdownInput): number {
  return lastActivityAt + lockAfterMinutes * MINUTE_MS - now;
}

/**
 * Returns the whole seconds to show in the lock warning, rounded up and never below 0, or null
 * while the lock is further away than the warning period.
 *
 * NOTE: this is an estimate from the renderer's clock and the reports this window sent. The core
 * keeps the real timer, so the lock can come a little earlier or later than the warning shows.
 */
export function lockCountdownSeconds(input: LockCountdownInput): number | null {
  const remaining = millisecondsUntilLock(input);
  if (remaining > lockWarningMs(input.lockAfterMinutes)) return null;
  return Math.max(0, Math.ceil(remaining / 1000));
}
