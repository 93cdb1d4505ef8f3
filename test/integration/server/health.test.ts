import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { SyncServer } from '../../../sync/server/app.js';
import type { TestStorage } from './helpers.js';
import { BACKENDS, createStorage, request, startServer } from './helpers.js';

describe.each(BACKENDS)('health on %s', (backend) => {
  let storage: TestStorage;
  let server: SyncServer;

  beforeAll(async () => {
    storage = await createStorage(backend, 'health');
    server = await startServer(storage, { seed: false });
  });

  afterAll(async () => {
    try {
      await server?.close();
    } finally {
      await storage?.cleanup();
    }
  });

  it('returns ok while the database responds', async () => {
    const result = await request(server.url, 'GET', '/health/');
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ status: 'ok' });
  });

  it('accepts the path without a trailing slash', async () => {
    const result = await request(server.url, 'GET', '/health');
    expect(result.status).toBe(200);
  });

  it('returns 503 when the database is gone', async () => {
    await server.database.close();
    const result = await request<{ status: string }>(server.url, 'GET', '/health/');
    expect(result.status).toBe(503);
    expect(result.body.status).toBe('unavailable');
  });
});
