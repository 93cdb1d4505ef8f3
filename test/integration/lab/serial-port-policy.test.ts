import { realpathSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Core } from '../../../main/core/core.js';
import { createCore } from '../../../main/core/core.js';
import { fixedClock } from '../../../main/core/clock.js';
import { makeTempDirectory } from '../../support/replica.js';
import { until } from '../../support/lab-bench.js';
import { captureLogs } from '../../unit/devices/transport/log-capture.js';
import { SocatPair, socatAvailable } from '../devices/transport/socat-pair.js';

/** A port nobody listens on: the core never needs the central server in these tests. */
const NO_SERVER = 'http://127.0.0.1:9';

/**
 * The lab's serial connections against IT's allowedSerialPorts, on socat pseudo-terminals: a port
 * the policy does not name is never opened and the reason is logged and shown on the diagnostics
 * screen; a port it names through its symlink opens.
 */
describe.skipIf(!socatAvailable)('serial ports and the policy allow-list', () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let socat: SocatPair;
  let core: Core | undefined;

  beforeEach(async () => {
    directory = makeTempDirectory('serial-policy');
    socat = new SocatPair(directory.path);
    await socat.start();
  });

  afterEach(async () => {
    await core?.close();
    core = undefined;
    await socat.stop();
    directory.remove();
  });

  async function startCore(allowedSerialPorts: string[]) {
    const logs = captureLogs();
    core = await createCore({
      settings: {
        workstationId: 'ws-serial-policy',
        serverUrl: NO_SERVER,
        wardId: 'lab-core',
        lab: { connections: [{ profile: 'roche-cobas-c311', transport: { path: socat.b, assertDtr: false } }] },
      },
      dataDirectory: join(directory.path, 'workstation'),
      logger: logs.logger,
      clock: fixedClock('2026-12-05T10:00:00.000Z'),
      policy: { allowedSerialPorts },
    });
    return { core, logs };
  }

  it('rejects a port the policy does not name', async () => {
    const { core: started, logs } = await startCore(['/dev/ttyUSB7']);

    const analyzers = (await started.diagnostics.summary()).devices.filter((device) => device.kind === 'analyzer');

    expect(analyzers).toEqual([expect.objectContaining({ id: 'roche-cobas-c311', endpoint: socat.b, state: 'refused' })]);
    expect(analyzers[0]?.reason).toContain(`serial port ${socat.b} is not in the policy's allowedSerialPorts`);
    const refusal = logs.lines.find((line) => line.msg === 'analyzer connection not started');
    expect(refusal).toMatchObject({ level: 50, profile: 'roche-cobas-c311', endpoint: socat.b, refusedByPolicy: true });
    expect(String(refusal?.problem)).toContain('ask IT to add the port');
  });

  it('opens a port listed by its device path', async () => {
    const { core: started } = await startCore([realpathSync(socat.b)]);

    const analyzers = await until(
      async () => (await started.diagnostics.summary()).devices.filter((device) => device.kind === 'analyzer'),
      (current) => current[0]?.state === 'open',
      'the allowed connection to open',
    );

    expect(analyzers).toEqual([expect.objectContaining({ id: 'roche-cobas-c311', endpoint: socat.b, state: 'open' })]);
  });
});
