import { HmsApiError } from '../../../preload/api/errors.js';
import type { SessionInfo, SessionState, SignInInput } from '../../../preload/api/schemas.js';
import type { ServerClient } from '../../../sync/client/server-client.js';
import { ServerAuthError, ServerProtocolError, ServerUnreachableError, ServerUserDisabledError } from '../../../sync/client/server-client.js';
import type { AuthorizedRequest, SyncCredentials } from '../../../sync/client/sync-authorization.js';
import type { SignInResponse } from '../../../sync/protocol/wire.js';
import type { AuditTrail, AuditUser } from '../audit/audit-trail.js';
import type { CachedUser, CredentialStore } from '../auth/credential-store.js';
import type { Clock } from '../clock.js';
import type { CoreEvents } from '../events.js';
import type { Logger } from '../logging/logger.js';
import type { SessionPolicy } from '../policy.js';
import type { WorkstationSettings } from '../settings.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface SessionServiceOptions {
  server: ServerClient;
  settings: WorkstationSettings;
  policy: SessionPolicy;
  credentials: CredentialStore;
  audit: AuditTrail;
  events: CoreEvents;
  clock: Clock;
  logger: Logger;
  /** Called with the server's sync credentials after every online sign-in. */
  onSignedIn: (credentials: SyncCredentials) => Promise<void>;
  /** Called whenever a session ends, so that per-session state (emergency access) is dropped. */
  onSessionEnded: () => void;
}

/**
 * The workstation's one session. Sign-in goes to the central server when it answers, and then
 * caches a password verifier for offline sign-in; when it does not answer, users who signed in
 * here online within the policy's period sign in against that verifier. The session locks after
 * the policy's minutes of inactivity; the same user unlocks with their password, and another
 * user's sign-in ends it. Failed attempts are counted per username and lock it out for a while.
 * Every sign-in, sign-out, lock, unlock and failure writes an AuditEvent.
 */
export class SessionService {
  #session: SessionInfo | null = null;
  #locked = false;
  #lastActivity = 0;
  #lockTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SessionServiceOptions) {}

  current(): SessionInfo | null {
    return this.#session;
  }

  state(): SessionState {
    return { session: this.#session, locked: this.#locked, lockAt: this.#lockAt() };
  }

  #lockAt(): string | null {
    if (!this.#session || this.#locked) return null;
    return new Date(this.#lastActivity + this.options.policy.inactivityLockMinutes * 60_000).toISOString();
  }

  isLocked(): boolean {
    return this.#locked;
  }

  async signIn(input: SignInInput): Promise<SessionInfo> {
    const { clock, credentials, policy } = this.options;
    const lockedUntil = credentials.lockedUntil(input.username, clock.now());
    if (lockedUntil) {
      await this.#auditFailure('signIn', input.username, 'locked-out');
      throw new HmsApiError({
        code: 'unauthenticated',
        message: `Too many failed attempts for ${input.username}: try again after ${lockedUntil.toISOString().slice(11, 16)} UTC, or ask IT`,
      });
    }

    let response: SignInResponse;
    try {
      response = await this.options.server.signIn({ ...input, workstationId: this.options.settings.workstationId, wardId: this.options.settings.wardId });
    } catch (error) {
      if (error instanceof ServerUnreachableError) return this.#signInOffline(input);
      throw await this.#signInRejected(input.username, error);
    }

    const user: CachedUser = { ...response.user, ward: response.ward };
    const now = clock.now();
    await credentials.remember(user, input.password, now, new Date(now.getTime() + policy.offlineSignInDays * DAY_MS));
    credentials.clearFailures(input.username);
    await this.#start(user, 'online');
    await this.options.onSignedIn({
      userId: response.user.id,
      token: response.token,
      expiresAt: response.expiresAt,
      expiresIn: response.expiresIn,
      refreshToken: response.refreshToken,
      refreshExpiresAt: response.refreshExpiresAt,
    });
    return this.#session as SessionInfo;
  }

  async #signInOffline(input: SignInInput): Promise<SessionInfo> {
    const { clock, credentials, policy } = this.options;
    const result = await credentials.verify(input.username, input.password, clock.now());
    switch (result.kind) {
      case 'verified':
        credentials.clearFailures(input.username);
        await this.#start(result.user, 'offline');
        return this.#session as SessionInfo;
      case 'unknown-user':
        await this.#auditFailure('signIn', input.username, 'offline-unknown-user');
        throw new HmsApiError({
          code: 'unauthenticated',
          message: `The central server is unreachable, and ${input.username} has not signed in on this workstation while it was online, so offline sign-in is not possible here. Sign in once the central server can be reached again, or at a workstation where you signed in before`,
        });
      case 'expired':
        await this.#auditFailure('signIn', input.username, 'offline-period-expired');
        throw new HmsApiError({
          code: 'unauthenticated',
          message: `The central server is unreachable, and offline sign-in ends ${policy.offlineSignInDays} days after the last online sign-in on this workstation (${result.cachedAt.slice(0, 10)}); sign in when the server is back`,
        });
      case 'wrong-password':
        throw await this.#countFailure(input.username, 'signIn', 'wrong-password');
    }
  }

  async #signInRejected(username: string, error: unknown): Promise<HmsApiError> {
    const { credentials, logger } = this.options;
    if (error instanceof ServerAuthError) return this.#countFailure(username, 'signIn', 'wrong-password');
    if (error instanceof ServerUserDisabledError) {
      credentials.forgetUsername(username);
      await this.#auditFailure('signIn', username, 'user-disabled');
      logger.warn('sign-in of a disabled account; its cached password was removed');
      return new HmsApiError({ code: 'unauthenticated', message: `The account ${username} is disabled; ask IT` });
    }
    if (error instanceof ServerProtocolError) {
      logger.error({ reason: error.message }, 'sign-in rejected by the central server');
      return new HmsApiError({ code: 'unavailable', message: `The central server rejected the sign-in: ${error.message}. Ask IT to check this workstation's ward setting` });
    }
    return error instanceof HmsApiError ? error : new HmsApiError({ code: 'internal', message: `Sign-in failed: ${error instanceof Error ? error.message : String(error)}` });
  }

  /** Counts a failed password; returns the error to show, which says when a lock-out begins. */
  async #countFailure(username: string, event: 'signIn' | 'unlock', reason: string): Promise<HmsApiError> {
    const { clock, credentials, policy, logger } = this.options;
    const { failures, lockedUntil } = credentials.recordFailure(username, clock.now(), policy.failedSignInLimit, policy.signInLockoutMinutes * 60_000);
    await this.#auditFailure(event, username, reason);
    logger.warn({ failures, lockedOut: lockedUntil !== null }, `${event === 'signIn' ? 'sign-in' : 'unlock'} with a wrong password`);
    if (lockedUntil) {
      return new HmsApiError({ code: 'unauthenticated', message: `Too many failed attempts for ${username}: try again in ${policy.signInLockoutMinutes} minutes, or ask IT` });
    }
    return new HmsApiError({ code: 'unauthenticated', message: 'Username or password is incorrect' });
  }

  async #start(user: CachedUser, mode: SessionInfo['mode']): Promise<void> {
    const previous = this.#session;
    if (previous) {
      // Another user at the same workstation ends the first session; what the first user saved is
      // in the replica, and their drafts stay with the renderer.
      await this.options.audit.sessionEvent('signOut', auditUser(previous), '0', 'replaced by another sign-in');
      this.options.events.emit('sessionEnded', { reason: 'replaced', userId: previous.user.id });
      this.options.onSessionEnded();
    }
    this.#session = {
      user: { id: user.id, username: user.username, displayName: user.displayName, roles: user.roles },
      ward: user.ward,
      workstationId: this.options.settings.workstationId,
      signedInAt: this.options.clock.now().toISOString(),
      mode,
      lockAfterMinutes: this.options.policy.inactivityLockMinutes,
    };
    this.#locked = false;
    this.activity();
    await this.options.audit.sessionEvent('signIn', auditUser(this.#session), '0');
    this.options.logger.info({ userId: user.id, roles: user.roles, mode }, 'signed in');
  }

  async signOut(): Promise<null> {
    const session = this.#session;
    if (!session) return null;
    this.#end();
    await this.options.audit.sessionEvent('signOut', auditUser(session), '0');
    this.options.logger.info({ userId: session.user.id }, 'signed out');
    this.options.events.emit('sessionEnded', { reason: 'signed-out', userId: session.user.id });
    return null;
  }

  async unlock(password: string): Promise<SessionInfo> {
    const session = this.#session;
    if (!session) throw new HmsApiError({ code: 'unauthenticated', message: 'Sign in to unlock' });
    if (!this.#locked) return session;

    const { clock, credentials } = this.options;
    const lockedUntil = credentials.lockedUntil(session.user.username, clock.now());
    if (lockedUntil) {
      await this.#auditFailure('unlock', session.user.username, 'locked-out');
      throw new HmsApiError({ code: 'unauthenticated', message: `Too many failed attempts: try again after ${lockedUntil.toISOString().slice(11, 16)} UTC, or ask IT` });
    }
    // The verifier cached at sign-in serves online and offline alike; only its sign-in age is ignored.
    const result = await credentials.verify(session.user.username, password, new Date(0));
    if (result.kind !== 'verified') throw await this.#countFailure(session.user.username, 'unlock', 'wrong-password');

    credentials.clearFailures(session.user.username);
    this.#locked = false;
    this.activity();
    await this.options.audit.sessionEvent('unlock', auditUser(session), '0');
    this.options.logger.info({ userId: session.user.id }, 'unlocked');
    return session;
  }

  /** Restarts the inactivity period; activity on a locked workstation does not unlock it. */
  activity(): { lockAt: string | null } {
    if (this.#session && !this.#locked) {
      this.#lastActivity = this.options.clock.now().getTime();
      this.#scheduleLockCheck(this.options.policy.inactivityLockMinutes * 60_000);
    }
    return { lockAt: this.#lockAt() };
  }

  /** Locks the session when the policy's period has passed since the last activity. */
  async checkInactivity(): Promise<void> {
    const session = this.#session;
    if (!session || this.#locked) return;
    const idleMs = this.options.clock.now().getTime() - this.#lastActivity;
    const periodMs = this.options.policy.inactivityLockMinutes * 60_000;
    if (idleMs < periodMs) {
      this.#scheduleLockCheck(periodMs - idleMs);
      return;
    }
    this.#locked = true;
    this.#clearTimer();
    this.options.events.emit('sessionLocked', { reason: 'inactivity' });
    await this.options.audit.sessionEvent('lock', auditUser(session), '0');
    this.options.logger.info({ userId: session.user.id, idleMinutes: Math.floor(idleMs / 60_000) }, 'locked after inactivity');
  }

  /**
   * Applies the server's view of the users this workstation caches: drops the password of each
   * disabled user, refreshes roles, and ends the session of a disabled user at once.
   */
  async refreshUsers(authorized: AuthorizedRequest): Promise<void> {
    const { credentials, logger, server } = this.options;
    const userIds = credentials.cachedUserIds();
    if (userIds.length === 0) return;
    const statuses = await authorized((token) => server.userStatus(token, userIds));
    let removed = 0;
    for (const status of statuses) {
      if (status.status === 'disabled') {
        if (credentials.forget(status.id)) removed += 1;
        if (this.#session?.user.id === status.id) await this.#endDisabledSession();
      } else if (status.status === 'active' && status.roles && status.displayName) {
        credentials.updateUser(status.id, status.roles, status.displayName);
      }
    }
    logger.info({ users: statuses.length, removed }, 'cached users checked with the central server');
  }

  async #endDisabledSession(): Promise<void> {
    const session = this.#session;
    if (!session) return;
    this.#end();
    await this.options.audit.sessionEvent('signOut', auditUser(session), '0', 'user disabled on the central server');
    this.options.logger.warn({ userId: session.user.id }, 'session ended: the user is disabled on the central server');
    this.options.events.emit('sessionEnded', { reason: 'disabled', userId: session.user.id });
  }

  close(): void {
    this.#clearTimer();
  }

  #end(): void {
    this.#session = null;
    this.#locked = false;
    this.#clearTimer();
    this.options.onSessionEnded();
  }

  async #auditFailure(event: 'signIn' | 'unlock', username: string, reason: string): Promise<void> {
    const user: AuditUser = this.#session?.user.username === username ? auditUser(this.#session) : { id: null, name: username.slice(0, 64) };
    await this.options.audit.sessionEvent(event, user, '4', reason);
  }

  #scheduleLockCheck(delayMs: number): void {
    this.#clearTimer();
    this.#lockTimer = setTimeout(() => void this.checkInactivity(), delayMs);
    this.#lockTimer.unref();
  }

  #clearTimer(): void {
    if (this.#lockTimer) clearTimeout(this.#lockTimer);
    this.#lockTimer = undefined;
  }
}

function auditUser(session: SessionInfo): AuditUser {
  return { id: session.user.id, name: session.user.username };
}
