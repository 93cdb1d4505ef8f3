import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';

import type { ServerClient } from '../../../sync/client/server-client.js';
import { ServerAuthError, ServerUnreachableError, ServerUserDisabledError } from '../../../sync/client/server-client.js';
import type { SyncCredentials } from '../../../sync/client/sync-authorization.js';
import { SignInRequiredError, SyncAuthorization } from '../../../sync/client/sync-authorization.js';
import { ManualClock, MINUTE } from '../../support/clock.js';

const CREDENTIALS: SyncCredentials = { userId: 'user-nurse', token: 'access-1', expiresAt: '2026-12-04T10:15:00.000Z', expiresIn: 900, refreshToken: 'refresh-1' };

/** A server whose accepted access token the test sets; `refresh` hands out access-2, access-3, … */
function fakeServer(options: { refresh?: () => Promise<never> } = {}) {
  let issued = 1;
  const refresh = vi.fn(async (refreshToken: string) => {
    if (options.refresh) return options.refresh();
    expect(refreshToken).toBe('refresh-1');
    // Renewal takes a moment, so that concurrent callers overlap with it.
    await new Promise((resolve) => setTimeout(resolve, 20));
    issued += 1;
    return { token: `access-${issued}`, expiresAt: '2026-12-04T10:30:00.000Z', expiresIn: 900 };
  });
  return { server: { refresh } as unknown as ServerClient, refresh };
}

function authorization(server: ServerClient, clock = new ManualClock('2026-12-04T10:00:00.000Z')) {
  const renewed: SyncCredentials[] = [];
  const spent = vi.fn();
  const keeper = new SyncAuthorization({ server, logger: pino({ level: 'silent' }), now: () => clock.now(), onRenewed: (credentials) => renewed.push(credentials), onSpent: spent });
  return { keeper, renewed, spent, clock };
}

/** A request that the server refuses unless it carries `accepted()`. */
function requestAccepting(accepted: () => string) {
  const sent: string[] = [];
  const send = async (token: string) => {
    sent.push(token);
    if (token !== accepted()) throw new ServerAuthError('token expired');
    return 'ok';
  };
  return { send, sent };
}

describe('sync authorization', () => {
  it('renews once for every request that met the same expired token, then retries each', async () => {
    const { server, refresh } = fakeServer();
    const { keeper, renewed } = authorization(server);
    keeper.set(CREDENTIALS);
    const { send, sent } = requestAccepting(() => 'access-2');

    const results = await Promise.all([keeper.request(send), keeper.request(send), keeper.request(send)]);

    expect(results).toEqual(['ok', 'ok', 'ok']);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(sent.filter((token) => token === 'access-1')).toHaveLength(3);
    expect(renewed.map((credentials) => credentials.token)).toEqual(['access-2']);
  });

  it('renews before the token runs out by its own clock, so no request meets a 401', async () => {
    const { server, refresh } = fakeServer();
    const { keeper, clock } = authorization(server);
    keeper.set(CREDENTIALS);
    const { send, sent } = requestAccepting(() => (clock.now().getTime() >= Date.parse('2026-12-04T10:14:30.000Z') ? 'access-2' : 'access-1'));

    await keeper.request(send);
    clock.advance(14.5 * MINUTE);
    await keeper.request(send);

    expect(refresh).toHaveBeenCalledTimes(1);
    expect(sent).toEqual(['access-1', 'access-2']);
  });

  it('pauses for a sign-in when the refresh token is spent, and resumes with the next sign-in', async () => {
    const { server } = fakeServer({ refresh: async () => Promise.reject(new ServerAuthError('Refresh token expired')) });
    const { keeper, spent } = authorization(server);
    keeper.set(CREDENTIALS);
    const { send } = requestAccepting(() => 'access-after-sign-in');

    await expect(keeper.request(send)).rejects.toBeInstanceOf(SignInRequiredError);
    expect(spent).toHaveBeenCalledTimes(1);
    expect(keeper.signInRequired$.getValue()).toBe(true);

    const waiting = keeper.request(send, { waitForSignIn: true });
    let settled = false;
    void waiting.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(settled).toBe(false);

    keeper.set({ ...CREDENTIALS, token: 'access-after-sign-in' });
    await expect(waiting).resolves.toBe('ok');
    expect(keeper.signInRequired$.getValue()).toBe(false);
  });

  it('keeps the credentials when the server cannot be asked, and drops them for a disabled user', async () => {
    const unreachable = authorization(fakeServer({ refresh: async () => Promise.reject(new ServerUnreachableError('ECONNREFUSED')) }).server);
    unreachable.keeper.set(CREDENTIALS);
    await expect(unreachable.keeper.request(requestAccepting(() => 'never').send)).rejects.toBeInstanceOf(ServerUnreachableError);
    expect(unreachable.keeper.token).toBe('access-1');
    expect(unreachable.spent).not.toHaveBeenCalled();

    const disabled = authorization(fakeServer({ refresh: async () => Promise.reject(new ServerUserDisabledError('disabled')) }).server);
    disabled.keeper.set(CREDENTIALS);
    await expect(disabled.keeper.request(requestAccepting(() => 'never').send)).rejects.toBeInstanceOf(ServerUserDisabledError);
    expect(disabled.keeper.token).toBeUndefined();
    expect(disabled.spent).toHaveBeenCalledTimes(1);
  });

  it('fails a waiting request when replication stops', async () => {
    const { keeper } = authorization(fakeServer().server);
    const waiting = keeper.request(async () => 'never', { waitForSignIn: true });
    keeper.stop();
    await expect(waiting).rejects.toThrow('replication stopped');
  });
});
