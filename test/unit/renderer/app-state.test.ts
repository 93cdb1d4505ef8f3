import { describe, expect, it } from 'vitest';

import type { Role, SessionInfo } from '../../../preload/api/index.js';
import type { AppState } from '../../../renderer/src/app/app-state.js';
import {
  homeView,
  isSameSession,
  locked,
  sessionEnded,
  sessionEndedFor,
  sessionStateApplied,
  signedIn,
  signedOut,
  started,
  switchingUser,
  unlocked,
  viewShown,
} from '../../../renderer/src/app/app-state.js';

function session(userId: string, signedInAt = '2026-12-05T09:00:00Z', roles: Role[] = ['nurse']): SessionInfo {
  return {
    user: { id: userId, username: userId, displayName: userId, roles },
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

describe('sessionEndedFor', () => {
  it('ends the session of the user shown', () => {
    const state = sessionEndedFor(signedInOnChart('u1'), 'replaced', 'u1');
    expect(state).toMatchObject({ phase: 'signed-out', notice: 'replaced' });
  });

  it('ignores the end of a session already replaced here', () => {
    const shown = signedInOnChart('u2');
    expect(sessionEndedFor(shown, 'replaced', 'u1')).toBe(shown);
  });

  it('ends the shown session without a user id', () => {
    expect(sessionEndedFor(signedInOnChart('u1'), 'expired', null).phase).toBe('signed-out');
  });

  it('keeps the sign-in screen as it is', () => {
    const signedOutState = signedOut(signedInOnChart('u1'), 'u1');
    expect(sessionEndedFor(signedOutState, 'disabled', 'u1')).toBe(signedOutState);
  });
});

describe('sessionStateApplied', () => {
  it('keeps the same unlocked session', () => {
    const shown = signedInOnChart('u1');
    expect(sessionStateApplied(shown, { session: session('u1'), locked: false, lockAt: '2026-12-05T09:10:00Z' })).toBe(shown);
  });

  it('locks when the core is locked', () => {
    const state = sessionStateApplied(signedInOnChart('u1'), { session: session('u1'), locked: true, lockAt: null });
    expect(expectSignedIn(state).lock).toBe('locked');
  });

  it('treats a missing session as expired', () => {
    const state = sessionStateApplied(signedInOnChart('u1'), { session: null, locked: false, lockAt: null });
    expect(state).toMatchObject({ phase: 'signed-out', notice: 'expired' });
  });

  it('treats a new sign-in of the same user as a replacement', () => {
    const state = sessionStateApplied(signedInOnChart('u1'), { session: session('u1', '2026-12-05T10:00:00Z'), locked: false, lockAt: null });
    expect(state).toMatchObject({ phase: 'signed-out', notice: 'replaced' });
  });
});

describe('home view', () => {
  it.each([
    [['nurse'], 'ward'],
    [['pharmacist'], 'ward'],
    [['lab-technician'], 'lab'],
    [['it-administrator'], 'lab'],
    [['nurse', 'lab-technician'], 'ward'],
    [['radiologist'], 'ward'],
  ] as [Role[], string][])('sends %j to the %s screen', (roles, screen) => {
    expect(homeView(roles).name).toBe(screen);
  });

  it('starts a lab technician on the lab bench', () => {
    expect(expectSignedIn(started(session('lab-1', undefined, ['lab-technician']), false)).view).toEqual({ name: 'lab' });
  });

  it('starts a new lab technician on the lab bench', () => {
    const state = signedIn(signedOut(signedInOnChart('u1'), 'u1'), session('lab-1', undefined, ['lab-technician']));
    expect(expectSignedIn(state).view).toEqual({ name: 'lab' });
  });

  it('reopens the lab message a technician had open', () => {
    const message = { name: 'lab-message', messageId: 'msg-1', result: { group: 0, result: 2 } } as const;
    const onMessage = viewShown(started(session('lab-1', undefined, ['lab-technician']), false), message);
    const state = signedIn(sessionEnded(onMessage, 'expired'), session('lab-1', '2026-12-05T10:00:00Z', ['lab-technician']));
    expect(expectSignedIn(state).view).toEqual(message);
  });
});
