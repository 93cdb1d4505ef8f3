import type { Role, SessionInfo, SessionState } from '../../../preload/api/index.js';
import { calls } from '../../../preload/api/index.js';
import { mayCall } from '../api/call-access.js';

/** A result picked in a lab message: its group's and its own position in the message view. */
export interface LabResultPosition {
  group: number;
  result: number;
}

/**
 * The signed-in screen: the ward list, a ward patient's chart, a chart opened by breaking the
 * glass, the changes that need attention (conflicts and refusals of the central server), the lab
 * bench, or one analyzer message with its raw text.
 */
export type View =
  | { name: 'ward' }
  | { name: 'chart'; patientId: string }
  | { name: 'emergency-chart'; patientId: string; reason: string }
  | { name: 'attention' }
  | { name: 'lab' }
  | { name: 'lab-message'; messageId: string; result: LabResultPosition | null }
  | { name: 'settings' }
  | { name: 'diagnostics' };

/** Reason the sign-in screen is showing when the user did not sign out in this window. */
export type SignInNotice = 'expired' | 'signed-out' | 'replaced' | 'disabled';

/**
 * `locked`: the lock screen. `switching-user`: the sign-in form opened from the lock screen, which
 * ends the locked user's session when someone signs in.
 */
export type LockState = 'unlocked' | 'locked' | 'switching-user';

/** The screen each user was on when their session ended, reopened when they sign in again. */
export type ResumeViews = ReadonlyMap<string, View>;

export type AppState =
  | { phase: 'starting' }
  | { phase: 'start-failed' }
  | { phase: 'signed-out'; notice: SignInNotice | null; resume: ResumeViews }
  | { phase: 'signed-in'; session: SessionInfo; view: View; lock: LockState; resume: ResumeViews };

const noResumeViews: ResumeViews = new Map();

/**
 * Returns the screen a user starts on: the ward list for those who read ward charts, the lab bench
 * for lab staff and for IT, who may see the analyzer connections there.
 */
export function homeView(roles: readonly Role[]): View {
  if (mayCall(calls.ward.listPatients, roles)) return { name: 'ward' };
  if (mayCall(calls.lab.connections, roles)) return { name: 'lab' };
  return { name: 'ward' };
}

/**
 * Returns the view to reopen for a user after a new sign-in. Emergency access is not reopened:
 * it was granted to the old session, and the user must break the glass again with a new reason.
 */
function resumableView(view: View, roles: readonly Role[]): View {
  return view.name === 'emergency-chart' ? homeView(roles) : view;
}

function resumeViewsOf(state: AppState): ResumeViews {
  return state.phase === 'signed-out' || state.phase === 'signed-in' ? state.resume : noResumeViews;
}

function withResumeView(resume: ResumeViews, user: SessionInfo['user'], view: View): ResumeViews {
  return new Map(resume).set(user.id, resumableView(view, user.roles));
}

function withoutResumeView(resume: ResumeViews, userId: string): ResumeViews {
  if (!resume.has(userId)) return resume;
  const next = new Map(resume);
  next.delete(userId);
  return next;
}

/** Shows the state `session.current` returned at start-up. */
export function started(session: SessionInfo | null, locked: boolean): AppState {
  if (session === null) return { phase: 'signed-out', notice: null, resume: noResumeViews };
  return { phase: 'signed-in', session, view: homeView(session.user.roles), lock: locked ? 'locked' : 'unlocked', resume: noResumeViews };
}

/** Leaves the signed-in screens after the session ended elsewhere, remembering where the user was. */
export function sessionEnded(current: AppState, notice: SignInNotice): AppState {
  if (current.phase === 'signed-out') return current;
  if (current.phase !== 'signed-in') return { phase: 'signed-out', notice, resume: noResumeViews };
  return { phase: 'signed-out', notice, resume: withResumeView(current.resume, current.session.user, current.view) };
}

/**
 * Applies a `sessionEnded` event that names `userId`. An event about a user other than the one
 * shown here concerns a session this window already left behind, such as the one its own sign-in
 * replaced, and changes nothing. Without a user id, the event ends whatever session is shown.
 */
export function sessionEndedFor(current: AppState, notice: SignInNotice, userId: string | null): AppState {
  if (current.phase === 'signed-in' && userId !== null && userId !== current.session.user.id) return current;
  return sessionEnded(current, notice);
}

/**
 * Applies what `session.current` returned after this window may have missed an event: no session
 * means it expired, another session means someone signed in elsewhere, and a locked one shows the
 * lock screen.
 */
export function sessionStateApplied(current: AppState, state: SessionState): AppState {
  if (state.session === null) return sessionEnded(current, 'expired');
  if (current.phase === 'signed-in' && !isSameSession(current.session, state.session)) return sessionEnded(current, 'replaced');
  return state.locked ? locked(current) : current;
}

/** Leaves the signed-in screens after the user signed out; nothing of theirs is reopened later. */
export function signedOut(current: AppState, userId: string): AppState {
  return { phase: 'signed-out', notice: null, resume: withoutResumeView(resumeViewsOf(current), userId) };
}

/**
 * Shows the screens of a user who just signed in. The same user keeps the screen they were on.
 * Another user gets their own last screen back, and the screen of the user they replaced is kept
 * for when that user signs in again.
 */
export function signedIn(current: AppState, session: SessionInfo): AppState {
  const userId = session.user.id;
  if (current.phase === 'signed-in' && current.session.user.id === userId) {
    return { ...current, session, lock: 'unlocked' };
  }

  let resume = resumeViewsOf(current);
  if (current.phase === 'signed-in') resume = withResumeView(resume, current.session.user, current.view);
  const view = resume.get(userId) ?? homeView(session.user.roles);
  return { phase: 'signed-in', session, view, lock: 'unlocked', resume: withoutResumeView(resume, userId) };
}

/** Shows the lock screen; the screen behind it is kept for the unlock. */
export function locked(current: AppState): AppState {
  if (current.phase !== 'signed-in' || current.lock !== 'unlocked') return current;
  return { ...current, lock: 'locked' };
}

/** Returns to the screen the user was on before the lock. */
export function unlocked(current: AppState, session: SessionInfo): AppState {
  if (current.phase !== 'signed-in') return current;
  return { ...current, session, lock: 'unlocked' };
}

export function switchingUser(current: AppState, switching: boolean): AppState {
  if (current.phase !== 'signed-in' || current.lock === 'unlocked') return current;
  return { ...current, lock: switching ? 'switching-user' : 'locked' };
}

export function viewShown(current: AppState, view: View): AppState {
  return current.phase === 'signed-in' ? { ...current, view } : current;
}

/** True when `a` and `b` describe the same sign-in, not only the same user. */
export function isSameSession(a: SessionInfo, b: SessionInfo): boolean {
  return a.user.id === b.user.id && a.signedInAt === b.signedInAt && a.workstationId === b.workstationId;
}
