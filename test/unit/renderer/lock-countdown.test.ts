import { describe, expect, it } from 'vitest';

import { lockCountdownSeconds, lockWarningMs, millisecondsUntilLock, resolveLockAt } from '../../../renderer/src/session/lock-countdown.js';

const LOCK_AT = Date.parse('2026-12-05T09:10:00Z');
const MINUTE = 60_000;

function countdownAt(remainingMs: number, lockAfterMinutes = 10): number | null {
  return lockCountdownSeconds({ lockAt: LOCK_AT, lockAfterMinutes, now: LOCK_AT - remainingMs });
}

describe('resolveLockAt', () => {
  it('uses the core lock time', () => {
    expect(resolveLockAt('2026-12-05T09:10:00.000Z', 0, 15)).toBe(LOCK_AT);
  });

  it('reads a lock time with an offset', () => {
    expect(resolveLockAt('2026-12-05T10:10:00+01:00', 0, 15)).toBe(LOCK_AT);
  });

  it('estimates from the given time without one', () => {
    expect(resolveLockAt(null, LOCK_AT, 15)).toBe(LOCK_AT + 15 * MINUTE);
  });

  it('estimates for an unreadable lock time', () => {
    expect(resolveLockAt('soon', LOCK_AT, 1)).toBe(LOCK_AT + MINUTE);
  });
});

describe('millisecondsUntilLock', () => {
  it('counts down to the lock time', () => {
    expect(millisecondsUntilLock({ lockAt: LOCK_AT, now: LOCK_AT - 10 * MINUTE })).toBe(10 * MINUTE);
  });

  it('goes negative once the lock time passed', () => {
    expect(millisecondsUntilLock({ lockAt: LOCK_AT, now: LOCK_AT + MINUTE })).toBe(-MINUTE);
  });
});

describe('lockCountdownSeconds', () => {
  it('hides the warning before the last minute', () => {
    expect(countdownAt(10 * MINUTE)).toBeNull();
    expect(countdownAt(MINUTE + 1)).toBeNull();
  });

  it('shows 60 s when the last minute starts', () => {
    expect(countdownAt(MINUTE)).toBe(60);
  });

  it('rounds partial seconds up', () => {
    expect(countdownAt(44_500)).toBe(45);
    expect(countdownAt(999)).toBe(1);
  });

  it('stops at zero', () => {
    expect(countdownAt(0)).toBe(0);
    expect(countdownAt(-MINUTE)).toBe(0);
  });

  it('warns for half of a one-minute period', () => {
    expect(lockWarningMs(1)).toBe(30_000);
    expect(countdownAt(30_001, 1)).toBeNull();
    expect(countdownAt(30_000, 1)).toBe(30);
  });

  it('warns for 60 s from two minutes up', () => {
    expect(lockWarningMs(2)).toBe(60_000);
    expect(lockWarningMs(30)).toBe(60_000);
  });
});
