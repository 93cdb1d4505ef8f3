import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

import type { BrowserHost } from '../../main/browser-host/browser-host.js';
import { startBrowserHost } from '../../main/browser-host/browser-host.js';
import type { Core } from '../../main/core/core.js';
import { createCore } from '../../main/core/core.js';
import { createFileLogger } from '../../main/core/logging/file-logger.js';
import type { Logger } from '../../main/core/logging/logger.js';
import type { CallResultOf } from '../../preload/api/contract.js';
import { TOKEN_PROTOCOL_PREFIX, WEBSOCKET_PATH, WEBSOCKET_PROTOCOL } from '../../preload/api/websocket-transport.js';
import type { SyncServer } from '../../sync/server/app.js';
import { createServer } from '../../sync/server/app.js';
import { makeTempDirectory } from '../support/replica.js';
import { waitFor } from '../support/waiting.js';

/**
 * Every component logs at debug level to files while a nurse handles one seeded patient through
 * the browser host: sign-in, ward list, chart, vitals, search by name, an offline spell. Afterwards
 * no log file may contain that patient's name, MRN, birth date or the values charted.
 */
describe('logs while handling a patient', () => {
  const data = makeTempDirectory('log-redaction');
  const logDirectory = join(data.path, 'logs');
  let server: SyncServer;
  let core: Core;
  let host: BrowserHost;
  let logger: Logger;

  beforeAll(async () => {
    logger = await createFileLogger({ directory: logDirectory, name: 'workstation', level: 'debug' });
    const serverLogger = pino({ level: 'debug' }, pino.destination({ dest: join(logDirectory, 'server.1.log'), sync: true }));
    server = await createServer({ dataDir: join(data.path, 'server'), seed: true, logger: serverLogger });
    core = await createCore({
      settings: { workstationId: 'ws-logs', serverUrl: server.url, wardId: 'ward-4a' },
      dataDirectory: join(data.path, 'workstation'),
      logger,
      connectivity: { minProbeIntervalMs: 100, maxProbeIntervalMs: 300 },
    });
    const renderer = makeTempDirectory('renderer');
    host = await startBrowserHost({ gateway: core.gateway, events: core.events, logger, rendererDirectory: renderer.path });
  });

  afterAll(async () => {
    await host?.close();
    await core?.close();
    await server?.close();
    data.remove();
  });

  it('holds none of the patient\'s identifying data or values', async () => {
    const socket = await connect(host);
    const call = callOver(socket);

    await call('session:signIn', { username: 'nurse', password: 'nurse-demo' });
    await waitFor(core.replication.status$, (status) => status.state === 'online' && status.pendingChanges === 0, 'first sync');
    await core.replication.awaitInSync();
    const rows = (await call('ward:listPatients', {})) as CallResultOf<'ward', 'listPatients'>;
    const patient = rows[0];
    if (!patient?.mrn || !patient.birthDate) throw new Error('The seeded ward has no patient with an MRN and a birth date');
    const chart = (await call('patient:getChart', { patientId: patient.patientId })) as CallResultOf<'patient', 'getChart'>;
    const [family = '', given = ''] = chart.name.split(', ');

    await call('patient:search', { query: given });
    await call('vitals:record', { patientId: patient.patientId, observations: { respiratoryRate: 27, spo2: 89, temperature: 39.4, pulse: 123 } });
    await call('vitals:record', { patientId: patient.patientId, observations: { temperature: 37.55 } }).catch(() => undefined);
    await server.close();
    await waitFor(core.replication.status$, (status) => status.state === 'offline', 'offline');
    await call('vitals:record', { patientId: patient.patientId, observations: { systolicBloodPressure: 187 } });
    socket.close();

    const logs = readdirSync(logDirectory)
      .map((file) => readFileSync(join(logDirectory, file), 'utf8'))
      .join('\n');
    expect(logs).toContain('"component":"gateway"');
    expect(logs).toContain('"component":"vitals"');
    expect(logs).toContain('"component":"replication"');
    expect(logs).toContain('"component":"session"');
    // The search by name reached the server, whose request log keeps the path but not the query.
    expect(logs).toContain('/patients/search?q=%5Bredacted%5D');

    for (const secret of [family.toLowerCase(), given.toLowerCase(), patient.mrn, patient.birthDate]) {
      expect(secret.length).toBeGreaterThan(2);
      expect(logs.toLowerCase()).not.toContain(secret);
    }
    // Timings, ports and process ids vary from run to run, and a sign-in once took 187 ms. They are
    // zeroed first. A value inside a hex id such as a UUID does not count either.
    const scrubbed = logs.replace(/"(time|pid|port|remotePort|responseTime|ms|seconds|perSecond|pollIntervalMs)":[\d.]+/g, '"$1":0');
    for (const value of ['39.4', '37.55', '187', '123']) expect(scrubbed).not.toMatch(new RegExp(`(?<![\\w.])${value.replace('.', '\\.')}(?![\\w.])`));
  });
});

function connect(host: BrowserHost): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${host.port}${WEBSOCKET_PATH}`, [WEBSOCKET_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${host.token}`], { origin: host.origin });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Makes API calls over the browser host's WebSocket, as the renderer does. */
function callOver(socket: WebSocket): (channel: string, input: unknown) => Promise<unknown> {
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { type: string; id: number; result: { ok: boolean; value?: unknown; error?: { message: string } } };
    if (message.type !== 'result') return;
    const call = pending.get(message.id);
    pending.delete(message.id);
    if (message.result.ok) call?.resolve(message.result.value);
    else call?.reject(new Error(message.result.error?.message));
  });
  return (channel, input) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ type: 'call', id, channel, input }));
    });
}
