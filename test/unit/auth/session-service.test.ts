import { join } from 'node:path';

import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { AuditTrail } from '../../../main/core/audit/audit-trail.js';
import { CredentialStore } from '../../../main/core/auth/credential-store.js';
import { CoreEvents } from '../../../main/core/events.js';
import { sessionPolicy } from '../../../main/core/policy.js';
import { SessionService } from '../../../main/core/services/session-service.js';
import type { Role } from '../../../preload/api/roles.js';
import type { ServerClient } from '../../../sync/client/server-client.js';
import { ServerAuthError, ServerUnreachableError, ServerUserDisabledError } from '../../../sync/client/server-client.js';
import { DAY, MINUTE, ManualClock } from '../../support/clock.js';
import { makeTempDirectory } from '../../support/replica.js';

const WARD = { id: 'ward-4a', name: 'Ward 4A' };
const USERS: Record<string, { id: string; password: string; roles: Role[] }> = {
  nurse: { id: 'user-nurse', password: 'nurse-demo', roles: ['nurse'] },
  doctor: { id: 'user-doctor', password: 'doctor-demo', roles: ['doctor'] },
};

/** A central server stand-in: up or down, with users who may be disabled. */
class FakeServer {
  reachable = true;
  readonly disabled = new Set<string>();

  async signIn(request: { username: string; password: string }) {
    if (!this.reachable) throw new ServerUnreachableError('Central server http://127.0.0.1:9 is unreachable (ECONNREFUSED)');
    const user = USERS[request.username];
    if (!user || user.password !== request.password) throw new ServerAuthError('Username or password is incorrect');
    if (this.disabled.has(user.id)) throw new ServerUserDisabledError('The account is disabled');
    return {
      token: `token-${request.username}`,
      expiresAt: '2026-12-05T08:00:00.000Z',
      user: { id: user.id, username: request.username, displayName: `Demo ${request.username}`, roles: user.roles },
      ward: WARD,
    };
  }

  async userStatus(_token: string, userIds: string[]) {
    return userIds.map((id) => (this.disabled.has(id) ? { id, status: 'disabled' as const } : { id, status: 'active' as const, roles: ['nurse' as const], displayName: 'Demo nurse' }));
  }
}

describe('SessionService', () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let credentials: CredentialStore;
  let server: FakeServer;
  let clock: ManualClock;
  let events: CoreEvents;
  let emitted: { channel: string; payload: unknown }[];
  let audit: { sessionEvent: ReturnType<typeof vi.fn> };
  let sessions: SessionService;
  let signedInTokens: string[];

  beforeEach(() => {
    directory = makeTempDirectory('session');
    credentials = new CredentialStore(join(directory.path, 'replica.sqlite'));
    server = new FakeServer();
    clock = new ManualClock('2026-12-04T08:00:00.000Z');
    events = new CoreEvents();
    emitted = [];
    events.subscribe((channel, payload) => emitted.push({ channel, payload }));
    audit = { sessionEvent: vi.fn(async () => undefined) };
    signedInTokens = [];
    sessions = new SessionService({
      server: server as unknown as ServerClient,
      settings: { workstationId: 'ws-test', serverUrl: 'http://127.0.0.1:9', wardId: WARD.id },
      policy: sessionPolicy({ offlineSignInDays: 7, inactivityLockMinutes: 10, failedSignInLimit: 3, signInLockoutMinutes: 15 }),
      credentials,
      audit: audit as unknown as AuditTrail,
      events,
      clock,
      logger: pino({ level: 'silent' }),
      onSignedIn: async (syncCredentials) => {
        signedInTokens.push(syncCredentials.token);
      },
      onSessionEnded: () => undefined,
    });
  });

  afterEach(() => {
    sessions.close();
    credentials.close();
    directory.remove();
  });

  describe('offline sign-in', () => {
    it('works after one online sign-in', async () => {
      expect((await sessions.signIn({ username: 'nurse', password: 'nurse-demo' })).mode).toBe('online');
      await sessions.signOut();
      server.reachable = false;

      const session = await sessions.signIn({ username: 'nurse', password: 'nurse-demo' });

      expect(session.mode).toBe('offline');
      expect(session.user).toEqual({ id: 'user-nurse', username: 'nurse', displayName: 'Demo nurse', roles: ['nurse'] });
      expect(session.ward).toEqual(WARD);
      expect(signedInTokens).toEqual(['token-nurse']);
    });

    it('fails for a user never signed in here', async () => {
      server.reachable = false;

      await expect(sessions.signIn({ username: 'doctor', password: 'doctor-demo' })).rejects.toMatchObject({
        code: 'unauthenticated',
        message: expect.stringContaining('has not signed in on this workstation while it was online'),
      });
      expect(sessions.current()).toBeNull();
    });

    it('fails past the offline period', async () => {
      await sessions.signIn({ username: 'nurse', password: 'nurse-demo' });
      await sessions.signOut();
      server.reachable = false;
      clock.advance(7 * DAY + MINUTE);

      await expect(sessions.signIn({ username: 'nurse', password: 'nurse-demo' })).rejects.toMatchObject({
        message: expect.stringContaining('offline sign-in ends 7 days after the last online sign-in'),
      });
    });

    it('fails with a wrong password', async () => {
      await sessions.signIn({ username: 'nurse', password: 'nurse-demo' });
      await sessions.signOut();
      server.reachable = false;

      await expect(sessions.signIn({ username: 'nurse', password: 'guess' })).rejects.toMatchObject({ message: 'Username or password is incorrect' });
    });
  });

  it('locks a username out after too many failed attempts, then lets it in again', async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) await expect(sessions.signIn({ username: 'nurse', password: 'guess' })).rejects.toThrow();

    await expect(sessions.signIn({ username: 'nurse', password: 'nurse-demo' })).rejects.toMatchObject({ message: expect.stringContaining('Too many failed attempts') });
    clock.advance(15 * MINUTE + 1);
    expect((await sessions.signIn({ username: 'nurse', password: 'nurse-demo' })).user.id).toBe('user-nurse');
    expect(audit.sessionEvent).toHaveBeenCalledWith('signIn', { id: null, name: 'nurse' }, '4', 'wrong-password');
  });

  describe('disabled users', () => {
    it('refuses a disabled user and drops their cached password at sign-in', async () => {
      await sessions.signIn({ username: 'nurse', password: 'nurse-demo' });
      await sessions.signOut();
      server.disabled.add('user-nurse');

      await expect(sessions.signIn({ username: 'nurse', password: 'nurse-demo' })).rejects.toMatchObject({ message: expect.stringContaining('is disabled') });
      server.reachable = false;
      await expect(sessions.signIn({ username: 'nurse', password: 'nurse-demo' })).rejects.toMatchObject({ message: expect.stringContaining('has not signed in on this workstation') });
    });

    it('ends the session of a user disabled at the next server contact', async () => {
      await sessions.signIn({ username: 'nurse', password: 'nurse-demo' });
      server.disabled.add('user-nurse');

      await sessions.refreshUsers((send) => send('token-nurse'));

      expect(sessions.current()).toBeNull();
      expect(emitted).toContainEqual({ channel: 'session:ended', payload: { reason: 'disabled', userId: 'user-nurse' } });
      expect(credentials.cachedUserIds()).toEqual([]);
    });
  });

  describe('inactivity lock', () => {
    it('locks after the policy period without activity', async () => {
      await sessions.signIn({ username: 'nurse', password: 'nurse-demo' });
      clock.advance(9 * MINUTE);
      sessions.activity();
      clock.advance(9 * MINUTE);
      await sessions.checkInactivity();
      expect(sessions.isLocked()).toBe(false);

      clock.advance(MINUTE);
      await sessions.checkInactivity();

      expect(sessions.state()).toMatchObject({ locked: true, session: { user: { id: 'user-nurse' } } });
      expect(emitted).toContainEqual({ channel: 'session:locked', payload: { reason: 'inactivity' } });
      expect(audit.sessionEvent).toHaveBeenCalledWith('lock', { id: 'user-nurse', name: 'nurse' }, '0');
    });

    it('unlocks only with the right password, offline too', async () => {
      await sessions.signIn({ username: 'nurse', password: 'nurse-demo' });
      server.reachable = false;
      clock.advance(10 * MINUTE);
      await sessions.checkInactivity();

      await expect(sessions.unlock('guess')).rejects.toMatchObject({ code: 'unauthenticated' });
      expect(sessions.isLocked()).toBe(true);
      sessions.activity();
      expect(sessions.isLocked()).toBe(true);

      await sessions.unlock('nurse-demo');
      expect(sessions.isLocked()).toBe(false);
    });

    it('lets another user sign in at a locked workstation, ending the first session', async () => {
      await sessions.signIn({ username: 'nurse', password: 'nurse-demo' });
      clock.advance(10 * MINUTE);
      await sessions.checkInactivity();

      const session = await sessions.signIn({ username: 'doctor', password: 'doctor-demo' });

      expect(session.user.id).toBe('user-doctor');
      expect(sessions.isLocked()).toBe(false);
      expect(emitted).toContainEqual({ channel: 'session:ended', payload: { reason: 'replaced', userId: 'user-nurse' } });
      expect(audit.sessionEvent).toHaveBeenCalledWith('signOut', { id: 'user-nurse', name: 'nurse' }, '0', 'replaced by another sign-in');
    });
  });
});
