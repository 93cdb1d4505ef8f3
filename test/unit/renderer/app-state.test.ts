import { describe, expect, it } from 'vitest';

import type { SessionInfo } from '../../../preload/api/index.js';
import type { AppState } from '../../../renderer/src/app/app-state.js';
import { isSameSession, locked, sessionEnded, signedIn, signedOut, started, switchingUser, unlocked, viewShown } from '../../../renderer/src/app/app-state.js';

function session(userId: string, signedInAt = '2026-12-05T09:00:00Z'): SessionInfo {
  return {
    user: { id: userId, username: userId, displayName: userId, roles: ['nurse'] },
    ward: { id: 'ward-7b', name: 'Ward 7B' },
    workstationId: 'ws-1',
    signedInAt,
    mode: 'online',
    lockAfterMinutes: 10,
  };
}

const chartView = { name: 'chart', patientId: 'pat-1' } as const;

type SignedIn = Extract<AppState, { phase: 'signed-in' }>;

/** Asserts that `state` is signed in and returns it as such. */
function expectSignedIn(state: AppState): SignedIn {
  expect(state.phase).toBe('signed-in');
  if (state.phase !== 'signed-in') throw new Error(`expected signed-in, got ${state.phase}`);
  return state;
}

function signedInOnChart(userId: string): AppState {
  return viewShown(started(session(userId), false), chartView);
}

describe('app state', () => {
  it('starts locked when the core says so', () => {
    const state = started(session('u1'), true);
    expect(expectSignedIn(state).lock).toBe('locked');
  });

  it('keeps the screen behind the lock', () => {
    const state = unlocked(locked(signedInOnChart('u1')), session('u1'));
    expect(expectSignedIn(state).lock).toBe('unlocked');
    expect(expectSignedIn(state).view).toEqual(chartView);
  });

  it('reopens the chart of the same user after expiry', () => {
    const ended = sessionEnded(signedInOnChart('u1'), 'expired');
    const state = signedIn(ended, session('u1', '2026-12-05T10:00:00Z'));
    expect(expectSignedIn(state).view).toEqual(chartView);
  });

  it('gives a replacing user their own screen', () => {
    const lockedState = switchingUser(locked(signedInOnChart('u1')), true);
    const second = signedIn(lockedState, session('u2'));
    expect(expectSignedIn(second).view).toEqual({ name: 'ward' });

    const back = signedIn(signedOut(second, 'u2'), session('u1', '2026-12-05T11:00:00Z'));
    expect(expectSignedIn(back).view).toEqual(chartView);
  });

  it('forgets the screen of a user who signed out', () => {
    const state = signedIn(signedOut(signedInOnChart('u1'), 'u1'), session('u1'));
    expect(expectSignedIn(state).view).toEqual({ name: 'ward' });
  });

  it('does not reopen emergency access', () => {
    const emergency = viewShown(started(session('u1'), false), { name: 'emergency-chart', patientId: 'pat-9', reason: 'Cardiac arrest on 3A' });
    const state = signedIn(sessionEnded(emergency, 'replaced'), session('u1', '2026-12-05T12:00:00Z'));
    expect(expectSignedIn(state).view).toEqual({ name: 'ward' });
  });

  it('returns from the switch form to the lock', () => {
    const state = switchingUser(switchingUser(locked(signedInOnChart('u1')), true), false);
    expect(expectSignedIn(state).lock).toBe('locked');
  });

  it('compares sessions by sign-in, not only user', () => {
    expect(isSameSession(session('u1'), session('u1'))).toBe(true);
    expect(isSameSession(session('u1'), session('u1', '2026-12-05T10:00:00Z'))).toBe(false);
    expect(isSameSession(session('u1'), session('u2'))).toBe(false);
  });
});
