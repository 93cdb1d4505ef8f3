import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ServerAuthError, ServerClient } from '../../../sync/client/server-client.js';
import type { SyncServer } from '../../../sync/server/app.js';
import { setWardConfiguration } from '../../../sync/server/ward-configuration.js';
import type { TestStorage } from './helpers.js';
import { BACKENDS, createStorage, signIn, startServer, WARD_4A, WARD_7B } from './helpers.js';

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
