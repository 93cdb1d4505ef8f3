import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { RefreshResponse } from '../../../sync/protocol/wire.js';
import { refreshResponse, signInResponse, USER_DISABLED_ERROR } from '../../../sync/protocol/wire.js';
import type { SyncServer } from '../../../sync/server/app.js';
import { DEMO_USERS } from '../../../sync/server/seed/index.js';
import { signToken } from '../../../sync/server/tokens.js';
import { setUserDisabled } from '../../../sync/server/users.js';
import type { TestStorage } from './helpers.js';
import { BACKENDS, createStorage, EventStreamReader, request, signIn, startServer, SyncClient, TEST_NOW, WARD_4A, WARD_7B } from './helpers.js';

const TWELVE_HOURS_MS = 12 * 60 * 60 * 1000;
const FIFTEEN_MINUTES_MS = 15 * 60 * 1000;

describe.each(BACKENDS)('sign-in and tokens on %s', (backend) => {
  let storage: TestStorage;
  let server: SyncServer;
  let now = TEST_NOW;

  beforeAll(async () => {
    storage = await createStorage(backend, 'auth');
    server = await startServer(storage, { now: () => now });
  });

  afterAll(async () => {
    try {
      await server?.close();
    } finally {
      await storage?.cleanup();
    }
  });

  beforeEach(() => {
    now = TEST_NOW;
  });

  it('signs in every demo user', async () => {
    for (const user of DEMO_USERS) {
      const result = await request(server.url, 'POST', '/auth/sign-in', {
        body: { username: user.username, password: user.password, wardId: WARD_7B, workstationId: 'ws-auth' },
      });
      expect(result.status, user.username).toBe(200);
      const body = signInResponse.parse(result.body);
      expect(body.user.username).toBe(user.username);
      expect(body.user.roles).toEqual(user.roles);
      expect(body.ward).toEqual({ id: WARD_7B, name: 'Ward 7B – Surgical' });
      expect(body.expiresAt).toBe(new Date(TEST_NOW.getTime() + FIFTEEN_MINUTES_MS).toISOString());
      expect(body.expiresIn).toBe(FIFTEEN_MINUTES_MS / 1000);
      expect(body.refreshExpiresAt).toBe(new Date(TEST_NOW.getTime() + TWELVE_HOURS_MS).toISOString());
    }
  });

  it('renews an expired access token with the refresh token, without the password', async () => {
    const signedIn = await signIn(server.url, 'nurse');
    now = new Date(TEST_NOW.getTime() + FIFTEEN_MINUTES_MS + 1_000);
    expect((await new SyncClient(server.url, signedIn.token).pull('records', null)).status).toBe(401);

    const renewed = await request<RefreshResponse>(server.url, 'POST', '/auth/refresh', { body: { refreshToken: signedIn.refreshToken } });
    expect(renewed.status).toBe(200);
    expect(refreshResponse.parse(renewed.body).expiresAt).toBe(new Date(now.getTime() + FIFTEEN_MINUTES_MS).toISOString());
    expect((await new SyncClient(server.url, renewed.body.token).pull('records', null)).status).toBe(200);
  });

  it('never lets an access token stand for a refresh token, or the other way round', async () => {
    const signedIn = await signIn(server.url, 'nurse');
    const asRefresh = await request<{ message: string }>(server.url, 'POST', '/auth/refresh', { body: { refreshToken: signedIn.token } });
    expect(asRefresh.status).toBe(401);
    expect(asRefresh.body.message).toContain('Expected a refresh token');
    const asAccess = await new SyncClient(server.url, signedIn.refreshToken).pull('records', null);
    expect(asAccess.status).toBe(401);
  });

  it('refuses to renew after the shift the refresh token covers, or for a disabled user', async () => {
    const signedIn = await signIn(server.url, 'nurse');
    now = new Date(TEST_NOW.getTime() + TWELVE_HOURS_MS + 1_000);
    const late = await request<{ message: string }>(server.url, 'POST', '/auth/refresh', { body: { refreshToken: signedIn.refreshToken } });
    expect(late.status).toBe(401);
    expect(late.body.message).toContain('Refresh token expired');

    now = TEST_NOW;
    await setUserDisabled(server.database, 'nurse', true);
    try {
      const disabled = await request<{ error: string }>(server.url, 'POST', '/auth/refresh', { body: { refreshToken: signedIn.refreshToken } });
      expect(disabled.status).toBe(403);
      expect(disabled.body.error).toBe(USER_DISABLED_ERROR);
    } finally {
      await setUserDisabled(server.database, 'nurse', false);
    }
  });

  it('never renews an access token past the end of its refresh token', async () => {
    const signedIn = await signIn(server.url, 'nurse');
    now = new Date(TEST_NOW.getTime() + TWELVE_HOURS_MS - 60_000);
    const renewed = await request<RefreshResponse>(server.url, 'POST', '/auth/refresh', { body: { refreshToken: signedIn.refreshToken } });
    expect(renewed.body.expiresAt).toBe(signedIn.refreshExpiresAt);
    expect(renewed.body.expiresIn).toBe(60);
  });

  it('rejects a wrong password with 401', async () => {
    const result = await request<{ message: string }>(server.url, 'POST', '/auth/sign-in', {
      body: { username: 'nurse', password: 'not-the-password', wardId: WARD_4A, workstationId: 'ws-auth' },
    });
    expect(result.status).toBe(401);
    expect(result.body.message).toBe('Invalid username or password');
  });

  it('rejects an unknown user like a wrong password', async () => {
    const result = await request<{ message: string }>(server.url, 'POST', '/auth/sign-in', {
      body: { username: 'nobody', password: 'nurse-demo', wardId: WARD_4A, workstationId: 'ws-auth' },
    });
    expect(result.status).toBe(401);
    expect(result.body.message).toBe('Invalid username or password');
  });

  it('rejects an unknown ward with 400 naming it', async () => {
    const result = await request<{ message: string }>(server.url, 'POST', '/auth/sign-in', {
      body: { username: 'nurse', password: 'nurse-demo', wardId: 'ward-9z', workstationId: 'ws-auth' },
    });
    expect(result.status).toBe(400);
    expect(result.body.message).toContain('ward-9z');
  });

  it('rejects a bed id as a ward with 400', async () => {
    const result = await request<{ message: string }>(server.url, 'POST', '/auth/sign-in', {
      body: { username: 'nurse', password: 'nurse-demo', wardId: 'bed-4a-01', workstationId: 'ws-auth' },
    });
    expect(result.status).toBe(400);
    expect(result.body.message).toContain('bed-4a-01');
  });

  it('rejects a sign-in body without a password with 400', async () => {
    const result = await request<{ message: string }>(server.url, 'POST', '/auth/sign-in', { body: { username: 'nurse', wardId: WARD_4A, workstationId: 'ws-auth' } });
    expect(result.status).toBe(400);
    expect(result.body.message).toContain('password');
  });

  it('rejects a sync request without a token', async () => {
    const result = await request<{ message: string }>(server.url, 'GET', '/sync/records/pull');
    expect(result.status).toBe(401);
    expect(result.body.message).toContain('Missing bearer token');
    expect(result.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('rejects a malformed token', async () => {
    const result = await request<{ message: string }>(server.url, 'GET', '/sync/records/pull', { token: 'not-a-token' });
    expect(result.status).toBe(401);
    expect(result.body.message).toContain('Malformed bearer token');
  });

  it('rejects a token whose payload was changed', async () => {
    const { token } = await signIn(server.url, 'nurse', WARD_4A);
    const [payload, signature] = token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { wardId: string };
    const forged = `${Buffer.from(JSON.stringify({ ...claims, wardId: WARD_7B })).toString('base64url')}.${signature}`;

    const result = await request<{ message: string }>(server.url, 'GET', '/sync/records/pull', { token: forged });
    expect(result.status).toBe(401);
    expect(result.body.message).toContain('signature');
  });

  it('rejects a token signed with another secret', async () => {
    const forged = signToken(randomBytes(32), { userId: 'user-nurse', roles: ['nurse'], wardId: WARD_4A, workstationId: 'ws-auth', expiresAt: TEST_NOW.getTime() + 60_000 });
    const result = await request<{ message: string }>(server.url, 'GET', '/sync/entries/pull', { token: forged });
    expect(result.status).toBe(401);
    expect(result.body.message).toContain('signature');
  });

  it('rejects an expired token on every sync route', async () => {
    const client = await SyncClient.signIn(server.url);
    expect((await client.pull('records', null, 1)).status).toBe(200);

    now = new Date(TEST_NOW.getTime() + TWELVE_HOURS_MS + 1000);
    const pulled = await client.pull('records', null, 1);
    expect(pulled.status).toBe(401);
    expect((pulled.body as unknown as { message: string }).message).toContain('expired');
    expect((await client.push('entries', [])).status).toBe(401);
    const stream = await EventStreamReader.open(server.url, client.token);
    stream.close();
    expect(stream.status).toBe(401);
  });

  it("rejects a disabled user's token with 403", async () => {
    const client = await SyncClient.signIn(server.url, { username: 'pharmacist' });
    await setUserDisabled(server.database, 'pharmacist', true);
    try {
      const result = await client.pull('records', null, 1);
      expect(result.status).toBe(403);
      expect((result.body as unknown as { error: string }).error).toBe(USER_DISABLED_ERROR);
      expect((result.body as unknown as { message: string }).message).toContain('disabled');
    } finally {
      await setUserDisabled(server.database, 'pharmacist', false);
    }
  });

  it('accepts a token issued before a restart', async () => {
    const client = await SyncClient.signIn(server.url);
    await server.close();
    server = await startServer(storage, { now: () => now });

    const restarted = new SyncClient(server.url, client.token);
    const result = await restarted.pull('records', null, 5);
    expect(result.status).toBe(200);
    expect(result.body.documents).toHaveLength(5);
  });
});
