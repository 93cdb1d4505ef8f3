import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ServerAuthError, ServerClient } from '../../../sync/client/server-client.js';
import type { SyncServer } from '../../../sync/server/app.js';
import { setWardConfiguration } from '../../../sync/server/ward-configuration.js';
import type { TestStorage } from './helpers.js';
import type { WardConfigurationResponse } from '../../../sync/protocol/ward-configuration.js';
import { BACKENDS, createStorage, request, signIn, startServer, WARD_4A, WARD_7B } from './helpers.js';

describe.each(BACKENDS)('ward configuration on %s', (backend) => {
  let storage: TestStorage;
  let server: SyncServer;
  let client: ServerClient;

  beforeAll(async () => {
    storage = await createStorage(backend, 'ward_config');
    server = await startServer(storage);
    client = new ServerClient({ baseUrl: server.url });
  });

  afterAll(async () => {
    try {
      await server?.close();
    } finally {
      await storage?.cleanup();
    }
  });

  it('returns revision 0 for a ward without one', async () => {
    const { token } = await signIn(server.url, 'nurse', WARD_7B);

    const configuration = await client.wardConfiguration(token);

    expect(configuration).toEqual({ wardId: WARD_7B, revision: 0, updatedAt: null, values: {} });
  });

  it('returns the configuration of the token ward', async () => {
    await setWardConfiguration(server.database, WARD_4A, { inactivityLockMinutes: 5, updateChannel: 'pilot-ward' });
    const { token } = await signIn(server.url, 'nurse', WARD_4A);

    const configuration = await client.wardConfiguration(token);

    expect(configuration.wardId).toBe(WARD_4A);
    expect(configuration.revision).toBe(1);
    expect(configuration.values).toEqual({ inactivityLockMinutes: 5, updateChannel: 'pilot-ward' });
    expect(Date.parse(configuration.updatedAt ?? '')).not.toBeNaN();
  });

  it('raises the revision at every change', async () => {
    await setWardConfiguration(server.database, WARD_4A, { inactivityLockMinutes: 8 });
    const { token } = await signIn(server.url, 'doctor', WARD_4A);

    const configuration = await client.wardConfiguration(token);

    expect(configuration.revision).toBe(2);
    expect(configuration.values).toEqual({ inactivityLockMinutes: 8 });
  });

  it('rejects a request without a valid token', async () => {
    await expect(client.wardConfiguration('not-a-token')).rejects.toBeInstanceOf(ServerAuthError);
  });
});

describe('ward configuration changes by IT', () => {
  let storage: TestStorage;
  let server: SyncServer;

  beforeAll(async () => {
    storage = await createStorage('pglite', 'ward_config_put');
    server = await startServer(storage);
  });

  afterAll(async () => {
    try {
      await server?.close();
    } finally {
      await storage?.cleanup();
    }
  });

  it('stores values an IT administrator sends', async () => {
    const { token } = await signIn(server.url, 'it-administrator', WARD_4A);

    const result = await request<WardConfigurationResponse>(server.url, 'PUT', `/ward/configuration/${WARD_7B}`, { token, body: { values: { updateRing: 2 } } });

    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ wardId: WARD_7B, revision: 1, values: { updateRing: 2 } });
    const { token: nurseToken } = await signIn(server.url, 'nurse', WARD_7B);
    expect((await new ServerClient({ baseUrl: server.url }).wardConfiguration(nurseToken)).values).toEqual({ updateRing: 2 });
  });

  it('rejects a nurse', async () => {
    const { token } = await signIn(server.url, 'nurse', WARD_4A);

    const result = await request(server.url, 'PUT', `/ward/configuration/${WARD_4A}`, { token, body: { values: { updateRing: 2 } } });

    expect(result.status).toBe(403);
  });

  it('rejects an unknown ward and a malformed body', async () => {
    const { token } = await signIn(server.url, 'it-administrator', WARD_4A);

    const unknown = await request(server.url, 'PUT', '/ward/configuration/ward-99z', { token, body: { values: {} } });
    const malformed = await request(server.url, 'PUT', `/ward/configuration/${WARD_4A}`, { token, body: { inactivityLockMinutes: 5 } });

    expect(unknown.status).toBe(404);
    expect(malformed.status).toBe(400);
  });
});
