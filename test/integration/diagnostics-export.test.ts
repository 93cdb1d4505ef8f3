import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Core } from '../../main/core/core.js';
import { createCore } from '../../main/core/core.js';
import { createFileLogger } from '../../main/core/logging/file-logger.js';
import type { Logger } from '../../main/core/logging/logger.js';
import type { CallResultOf } from '../../preload/api/contract.js';
import type { SyncServer } from '../../sync/server/app.js';
import { createServer } from '../../sync/server/app.js';
import { FakeHidBinding, posScanner } from '../support/fake-hid.js';
import { until } from '../support/lab-bench.js';
import { makeTempDirectory } from '../support/replica.js';
import { waitFor } from '../support/waiting.js';

/**
 * A ward workstation syncs the seeded ward, a nurse opens a patient's chart, and IT exports the
 * diagnostics bundle. The bundle's bytes, compressed and unpacked, hold none of the ward's
 * patients' names or MRNs, even though one log line carried a name in its message text.
 */
describe('diagnostics export bundle', () => {
  const data = makeTempDirectory('diagnostics-export');
  const dataDirectory = join(data.path, 'workstation');
  const logDirectory = join(dataDirectory, 'logs');
  let server: SyncServer;
  let core: Core;
  let logger: Logger;
  const scanners = new FakeHidBinding();
  scanners.plug(posScanner({ path: '/dev/hidraw4', serialNumber: 'DIAG01' }));

  async function call<T>(channel: string, input: unknown = {}): Promise<T> {
    const result = await core.gateway.handle(channel, input, { senderId: 'diagnostics-test' });
    if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
    return result.value as T;
  }

  beforeAll(async () => {
    logger = await createFileLogger({ directory: logDirectory, name: 'workstation', level: 'debug' });
    server = await createServer({ dataDir: join(data.path, 'server'), seed: true, logLevel: 'silent' });
    core = await createCore({
      settings: { workstationId: 'ws-diagnostics', serverUrl: server.url, wardId: 'ward-4a' },
      dataDirectory,
      logDirectory,
      logger,
      versions: { app: '0.1.0', electron: null },
      // No USB device is allowed, so the plugged-in scanner is listed as blocked.
      policy: { logLevel: 'debug', allowedUsbDevices: [] },
      hidDevices: scanners,
      connectivity: { minProbeIntervalMs: 100, maxProbeIntervalMs: 300 },
    });
  });

  afterAll(async () => {
    await core?.close();
    await server?.close();
    data.remove();
  });

  it('contains no patient name or MRN', async () => {
    await call('session:signIn', { username: 'nurse', password: 'nurse-demo' });
    await waitFor(core.replication.status$, (status) => status.state === 'online' && status.pendingChanges === 0, 'first sync');
    await core.replication.awaitInSync();
    const rows = await call<CallResultOf<'ward', 'listPatients'>>('ward:listPatients');
    expect(rows.length).toBeGreaterThan(3);
    const chart = await call<CallResultOf<'patient', 'getChart'>>('patient:getChart', { patientId: rows[0]?.patientId });
    const [family = '', given = ''] = chart.name.split(', ');
    // A careless message text, which no redaction path can catch: the export masks it.
    logger.warn(`chart opened for ${given} ${family}`);
    await call('session:signOut');
    await call('session:signIn', { username: 'it-administrator', password: 'it-administrator-demo' });

    const summary = await until(
      () => call<CallResultOf<'diagnostics', 'summary'>>('diagnostics:summary'),
      (current) => current.devices.some((device) => device.kind === 'scanner'),
      'the scanner in the device list',
    );
    const bundle = await call<CallResultOf<'diagnostics', 'export'>>('diagnostics:export');

    expect(summary.replica.documents).toBeGreaterThan(rows.length);
    expect(summary.devices).toContainEqual(expect.objectContaining({ kind: 'scanner', endpoint: 'USB 0x0c2e:0x0b01', state: 'blocked' }));
    expect(summary.sync.lagSeconds).not.toBeNull();
    expect(bundle.path.startsWith(join(dataDirectory, 'diagnostics'))).toBe(true);
    expect(bundle.entries).toEqual(expect.arrayContaining(['versions.json', 'effective-policy.json', 'replica.json', 'devices.json', 'crash-dumps.json']));
    expect(bundle.entries.some((entry) => entry.startsWith('logs/workstation.'))).toBe(true);

    const compressed = readFileSync(bundle.path);
    const tar = gunzipSync(compressed).toString('latin1');
    expect(tar).toContain('"logLevel"');
    expect(tar).toContain('chart opened for [patient] [patient]');
    for (const row of rows) {
      const [rowFamily = '', rowGiven = ''] = row.name.split(', ');
      for (const value of [rowFamily, rowGiven, row.mrn].filter((text): text is string => typeof text === 'string' && text.length > 2)) {
        expect(tar, `bundle holds "${value}"`).not.toContain(value);
        expect(compressed.includes(Buffer.from(value)), `compressed bundle holds "${value}"`).toBe(false);
      }
    }
  });
});
