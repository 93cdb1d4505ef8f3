import { describe, expect, it } from 'vitest';

import { lockCountdownSeconds, lockWarningMs, millisecondsUntilLock } from '../../../renderer/src/session/lock-countdown.js';

const LAST_ACTIVITY = Date.parse('2026-12-05T09:00:00Z');
const MINUTE = 60_000;

function countdownAt(elapsedMs: number, lockAfterMinutes = 10): number | null {
  return lockCountdownSeconds({ lastActivityAt: LAST_ACTIVITY, lockAfterMinutes, now: LAST_ACTIVITY + elapsedMs });
}

describe('millisecondsUntilLock', () => {
  it('counts from the last activity', () => {
    expect(millisecondsUntilLock({ lastActivityAt: LAST_ACTIVITY, lockAfterMinutes: 15, now: LAST_ACTIVITY + 5 * MINUTE })).toBe(10 * MINUTE);
  });

  it('goes negative once the lock time passed', () => {
    expect(millisecondsUntilLock({ lastActivityAt: LAST_ACTIVITY, lockAfterMinutes: 1, now: LAST_ACTIVITY + 2 * MINUTE })).toBe(-MINUTE);
  });
});

describe('lockCountdownSeconds', () => {
  it('hides the warning before the last minute', () => {
    expect(countdownAt(0)).toBeNull();
    expect(countdownAt(9 * MINUTE - 1)).toBeNull();
  });

  it('shows 60 s when the last minute starts', () => {
    expect(countdownAt(9 * MINUTE)).toBe(60);
  });

  it('rounds partial seconds up', () => {
    expect(countdownAt(9 * MINUTE + 15_500)).toBe(45);
    expect(countdownAt(9 * MINUTE + 59_001)).toBe(1);
  });

  it('stops at zero', () => {
    expect(countdownAt(10 * MINUTE)).toBe(0);
    expect(countdownAt(11 * MINUTE)).toBe(0);
  });

  it('warns for half of a one-minute period', () => {
    expect(lockWarningMs(1)).toBe(30_000);
    expect(countdownAt(29_999, 1)).toBeNull();
    expect(countdownAt(30_000, 1)).toBe(30);
  });

  it('warns for 60 s from two minutes up', () => {
    expect(lockWarningMs(2)).toBe(60_000);
    expect(lockWarningMs(30)).toBe(60_000);
  });
});
