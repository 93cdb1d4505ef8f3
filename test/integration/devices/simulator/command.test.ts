import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SimulatorEvent } from '../../../../devices/simulator/index.js';
import { runSimulate } from '../../../../devices/simulator/index.js';
import { AstmTestHost } from './support/astm-host.js';
import { Hl7TestHost } from './support/hl7-host.js';
import { fastAstm, Rig } from './support/setup.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const PENTRA = fileURLToPath(new URL('../../../fixtures/astm/senaite_pentra_xlr.txt', import.meta.url));
const HAPI = fileURLToPath(new URL('../../../fixtures/hl7/hapi_example_oml_o21.hl7', import.meta.url));

/** Runs `hms-lab simulate` in-process with its output captured. */
async function run(args: string[]): Promise<{ status: number; stdout: string }> {
  let stdout = '';
  const status = await runSimulate(args, { stdout: (text) => (stdout += text), stderr: (text) => (stdout += text) });
  return { status, stdout };
}

/** Runs the installed launcher, bin/hms-lab.mjs, as a user would. */
function launch(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/hms-lab.mjs', 'simulate', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('hms-lab simulate against a host on 127.0.0.1', () => {
  let rig: Rig;

  beforeEach(() => {
    rig = new Rig();
  });

  afterEach(async () => {
    await rig.close();
  });

  it('--json: one event per line, status 0', async () => {
    const { transport, port } = await rig.listeningHost();
    const host = new AstmTestHost(transport, fastAstm);

    const { status, stdout } = await run(['--connect', `127.0.0.1:${port}`, '--json', '--reply-timeout-ms', '300', '--fault', 'bad-checksum:frame=2', PENTRA]);
    await host.messages.waitForCount(1, 'the message at the host');

    expect(status).toBe(0);
    const events = stdout.trim().split('\n').map((line) => JSON.parse(line) as SimulatorEvent & { time: string });
    expect(events.every((event) => !Number.isNaN(Date.parse(event.time)))).toBe(true);
    expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(['capture', 'connecting', 'message-started', 'fault-injected', 'fault-outcome', 'message-accepted', 'finished']));
    expect(events.find((event) => event.type === 'fault-outcome')).toMatchObject({ fault: 'bad-checksum', expected: true });
    expect(events.at(-1)).toMatchObject({ type: 'finished', sent: 1, accepted: 1, ok: true });
  });

  it('HL7 AE: status 1, the rejection printed', async () => {
    const { transport, port } = await rig.listeningHost();
    new Hl7TestHost(transport, (_message, index) => (index === 2 ? 'AE' : 'AA'));

    const { status, stdout } = await run(['--connect', `127.0.0.1:${port}`, '--ack-timeout-ms', '2000', HAPI]);

    expect(status).toBe(1);
    expect(stdout).toContain('message 2: NOT ACCEPTED on attempt 1 (rejected): the host answered AE');
    expect(stdout).toContain('message 1: accepted (AA)');
    expect(stdout.trim().split('\n').at(-1)).toBe('finished: 13 sent, 12 accepted, 1 not accepted');
  });

  it('bin/hms-lab.mjs replays a capture', async () => {
    const { transport, port } = await rig.listeningHost();
    const host = new AstmTestHost(transport, fastAstm);

    const { status, stdout, stderr } = await launch(['--connect', `127.0.0.1:${port}`, '--repeat', '2', PENTRA]);

    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain('message 2: accepted');
    expect(stdout.trim().split('\n').at(-1)).toBe('finished: 2 sent, 2 accepted, 0 not accepted');
    expect(await host.messages.waitForCount(2, 'messages at the host')).toHaveLength(2);
  });

  it('bin/hms-lab.mjs: bad argument, status 2', async () => {
    const { status, stdout, stderr } = await launch(['--listen', '0', '--fault', 'broken-mllp', PENTRA]);

    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('hms-lab simulate: --fault: Fault broken-mllp:message=1 does not apply to ASTM captures: use bad-checksum, lost-ack, timeout, interrupt-eot or interrupt-close\n');
  });
});
