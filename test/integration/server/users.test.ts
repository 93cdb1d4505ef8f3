import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { errorResponse, USER_DISABLED_ERROR, userStatusResponse } from '../../../sync/protocol/wire.js';
import type { SyncServer } from '../../../sync/server/app.js';
import { DEMO_USERS } from '../../../sync/server/seed/index.js';
import { setUserDisabled } from '../../../sync/server/users.js';
import type { HttpResult, TestStorage } from './helpers.js';
import { BACKENDS, createStorage, EventStreamReader, isResync, patientIdsOfWard, request, signIn, startServer, SyncClient, vitalSignsDocument, WARD_4A } from './helpers.js';

function errorOf(result: HttpResult<unknown>): { error: string; message: string } {
  return errorResponse.parse(result.body);
}

describe.each(BACKENDS)('users and disabled accounts on %s', (backend) => {
  let storage: TestStorage;
  let server: SyncServer;
  let patientId: string;
  const streams: EventStreamReader[] = [];

  async function openStream(token: string, url = server.url): Promise<EventStreamReader> {
    const stream = await EventStreamReader.open(url, token);
    streams.push(stream);
    return stream;
  }

  function userStatus(token: string, userIds: unknown) {
    return request(server.url, 'POST', '/auth/users/status', { token, body: { userIds } });
  }

  beforeAll(async () => {
    storage = await createStorage(backend, 'users');
    server = await startServer(storage);
    patientId = (await patientIdsOfWard(server, WARD_4A))[0] as string;
  });

  afterEach(async () => {
    for (const user of DEMO_USERS) await setUserDisabled(server.database, user.username, false);
    await server.database.query('UPDATE users SET roles = ARRAY[username] WHERE id = ANY($1::text[])', [DEMO_USERS.map((user) => user.id)]);
  });

  afterAll(async () => {
    for (const stream of streams) stream.close();
    try {
      await server?.close();
    } finally {
      await storage?.cleanup();
    }
  });

  it("rejects a disabled user's sign-in with 403", async () => {
    await setUserDisabled(server.database, 'lab-technician', true);
    const result = await request(server.url, 'POST', '/auth/sign-in', {
      body: { username: 'lab-technician', password: 'lab-technician-demo', wardId: WARD_4A, workstationId: 'ws-users' },
    });
    expect(result.status).toBe(403);
    expect(errorOf(result).error).toBe(USER_DISABLED_ERROR);
    expect(errorOf(result).message).toContain('disabled');
  });

  it('keeps the generic 401 for disabled users', async () => {
    await setUserDisabled(server.database, 'lab-technician', true);
    const result = await request(server.url, 'POST', '/auth/sign-in', {
      body: { username: 'lab-technician', password: 'not-the-password', wardId: WARD_4A, workstationId: 'ws-users' },
    });
    expect(result.status).toBe(401);
    expect(errorOf(result).message).toBe('Invalid username or password');
  });

  it('signs in again once the user is enabled', async () => {
    await setUserDisabled(server.database, 'lab-technician', true);
    await setUserDisabled(server.database, 'lab-technician', false);
    const response = await signIn(server.url, 'lab-technician');
    expect(response.user.id).toBe('user-lab-technician');
  });

  it('rejects every request of a disabled user', async () => {
    const doctor = await SyncClient.signIn(server.url, { username: 'doctor', workstationId: 'ws-users' });
    await setUserDisabled(server.database, 'doctor', true);

    const results: [string, HttpResult<unknown>][] = [
      ['pull', await doctor.pull('records', null, 1)],
      ['push', await doctor.push('entries', [{ newDocumentState: vitalSignsDocument('by-disabled-doctor', patientId) }])],
      ['users/status', await userStatus(doctor.token, ['user-doctor'])],
      ['search', await request(server.url, 'GET', '/patients/search?q=anna', { token: doctor.token })],
      ['emergency access', await request(server.url, 'POST', `/patients/${patientId}/emergency-access`, { token: doctor.token, body: { reason: 'Cardiac arrest call on the corridor', workstationId: 'ws-users' } })],
      ['audit', await request(server.url, 'GET', '/audit/emergency-access?since=2026-01-01T00:00:00Z', { token: doctor.token })],
    ];
    for (const [name, result] of results) {
      expect(result.status, name).toBe(403);
      expect(errorOf(result).error, name).toBe(USER_DISABLED_ERROR);
    }
    const stream = await openStream(doctor.token);
    stream.close();
    expect(stream.status).toBe(403);

    const { rows } = await server.database.query("SELECT 1 FROM documents WHERE id = 'Observation/by-disabled-doctor'");
    expect(rows).toEqual([]);
    const { rows: reports } = await server.database.query("SELECT 1 FROM emergency_access WHERE user_id = 'user-doctor'");
    expect(reports).toEqual([]);
  });

  it('accepts the token again after enabling', async () => {
    const nurse = await SyncClient.signIn(server.url, { workstationId: 'ws-users' });
    await setUserDisabled(server.database, 'nurse', true);
    expect((await nurse.pull('records', null, 1)).status).toBe(403);
    await setUserDisabled(server.database, 'nurse', false);
    expect((await nurse.pull('records', null, 1)).status).toBe(200);
  });

  it("closes a disabled user's event stream", async () => {
    const doctor = await SyncClient.signIn(server.url, { username: 'doctor', workstationId: 'ws-users-doctor' });
    const nurse = await SyncClient.signIn(server.url, { workstationId: 'ws-users-nurse' });
    const doctorStream = await openStream(doctor.token);
    const nurseStream = await openStream(nurse.token);
    await doctorStream.next(isResync());
    await nurseStream.next(isResync());

    await setUserDisabled(server.database, 'doctor', true);
    await doctorStream.waitForEnd();

    expect(nurseStream.ended).toBe(false);
    const pushed = await nurse.push('entries', [{ newDocumentState: vitalSignsDocument('after-doctor-disabled', patientId) }]);
    expect(pushed.status).toBe(200);
    await nurseStream.next(isResync('entries'));
    expect(nurseStream.ended).toBe(false);

    const reconnected = await openStream(doctor.token);
    reconnected.close();
    expect(reconnected.status).toBe(403);
  });

  it('closes the stream of a deleted user', async () => {
    const radiologist = await SyncClient.signIn(server.url, { username: 'radiologist', workstationId: 'ws-users' });
    const stream = await openStream(radiologist.token);
    await stream.next(isResync());
    const { rows } = await server.database.query<Record<string, unknown>>("SELECT * FROM users WHERE username = 'radiologist'");
    const saved = rows[0] as Record<string, unknown>;

    await server.database.query("DELETE FROM users WHERE username = 'radiologist'");
    try {
      await stream.waitForEnd();
      const result = await radiologist.pull('records', null, 1);
      expect(result.status).toBe(401);
      expect(errorOf(result).message).toContain('no longer exists');
    } finally {
      const columns = Object.keys(saved);
      await server.database.query(
        `INSERT INTO users (${columns.join(', ')}) VALUES (${columns.map((_, index) => `$${index + 1}`).join(', ')})`,
        columns.map((column) => saved[column]),
      );
    }
  });

  it.runIf(backend === 'postgresql')('closes the stream on another server instance', async () => {
    const other = await startServer(storage);
    try {
      const pharmacist = await SyncClient.signIn(server.url, { username: 'pharmacist', workstationId: 'ws-users' });
      const stream = await openStream(pharmacist.token, other.url);
      await stream.next(isResync());
      await setUserDisabled(server.database, 'pharmacist', true);
      await stream.waitForEnd();
    } finally {
      await other.close();
    }
  });

  it('returns each status in request order', async () => {
    const nurse = await SyncClient.signIn(server.url, { workstationId: 'ws-users' });
    await setUserDisabled(server.database, 'pharmacist', true);

    const result = await userStatus(nurse.token, ['user-pharmacist', 'user-nobody', 'user-doctor', 'user-pharmacist']);
    expect(result.status).toBe(200);
    expect(userStatusResponse.parse(result.body)).toEqual({
      users: [
        { id: 'user-pharmacist', status: 'disabled' },
        { id: 'user-nobody', status: 'unknown' },
        { id: 'user-doctor', status: 'active', roles: ['doctor'], displayName: 'Demo Doctor' },
      ],
    });
  });

  it("returns a user's current roles", async () => {
    const nurse = await SyncClient.signIn(server.url, { workstationId: 'ws-users' });
    await server.database.query("UPDATE users SET roles = ARRAY['doctor', 'it-administrator'] WHERE username = 'doctor'");
    const result = await userStatus(nurse.token, ['user-doctor']);
    expect(userStatusResponse.parse(result.body).users[0]?.roles).toEqual(['doctor', 'it-administrator']);
  });

  it('serves users of every role', async () => {
    for (const user of DEMO_USERS) {
      const client = await SyncClient.signIn(server.url, { username: user.username, workstationId: 'ws-users' });
      const result = await userStatus(client.token, [user.id]);
      expect(result.status, user.username).toBe(200);
    }
  });

  it('rejects an invalid user status request with 400', async () => {
    const nurse = await SyncClient.signIn(server.url, { workstationId: 'ws-users' });
    const tooMany = await userStatus(nurse.token, Array.from({ length: 201 }, (_, index) => `user-${index}`));
    expect(tooMany.status).toBe(400);
    expect(errorOf(tooMany).message).toContain('userIds');
    const notAList = await userStatus(nurse.token, 'user-nurse');
    expect(notAList.status).toBe(400);
  });

  it('rejects a user status request without a token with 401', async () => {
    const result = await request(server.url, 'POST', '/auth/users/status', { body: { userIds: ['user-nurse'] } });
    expect(result.status).toBe(401);
  });

  it('rejects disabling an unknown username', async () => {
    await expect(setUserDisabled(server.database, 'nobody', true)).rejects.toThrow('nobody');
  });
});
