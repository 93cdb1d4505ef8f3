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

/**
 * Returns when the workstation locks, in epoch milliseconds: the core's `lockAt` when it reported
 * one, else an estimate of `lockAfterMinutes` from `estimateFrom`. The core reports null without an
 * unlocked session, and a failed call reports nothing. The renderer compares the core's time with
 * its own clock, which is the same clock because both run on this computer.
 */
export function resolveLockAt(reported: string | null, estimateFrom: number, lockAfterMinutes: number): number {
  const lockAt = reported === null ? Number.NaN : Date.parse(reported);
  return Number.isNaN(lockAt) ? estimateFrom + lockAfterMinutes * MINUTE_MS : lockAt;
}

export interface LockCountdownInput {
  /** When the core locks the workstation, in epoch milliseconds. */
  lockAt: number;
  lockAfterMinutes: number;
  now: number;
}

/** Returns the milliseconds left until the core locks the workstation; negative once that time has passed. */
export function millisecondsUntilLock({ lockAt, now }: Pick<LockCountdownInput, 'lockAt' | 'now'>): number {
  return lockAt - now;
}

/**
 * Returns the whole seconds to show in the lock warning, rounded up and never below 0, or null
 * while the lock is further away than the warning period.
 */
export function lockCountdownSeconds(input: LockCountdownInput): number | null {
  const remaining = millisecondsUntilLock(input);
  if (remaining > lockWarningMs(input.lockAfterMinutes)) return null;
  return Math.max(0, Math.ceil(remaining / 1000));
}
