import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * Imports main/electron/main.ts with `--policy-report` or `--busy` against a mocked `electron`: it
 * must print its output and exit before taking the single-instance lock or opening anything.
 */
const electron = vi.hoisted(() => ({ dataDirectory: '', exitCodes: [] as number[], lockRequests: 0 }));

vi.mock('electron', () => ({
  app: {
    getPath: () => electron.dataDirectory,
    exit: (code: number) => electron.exitCodes.push(code),
    requestSingleInstanceLock: () => {
      electron.lockRequests += 1;
      return true;
    },
    whenReady: () => new Promise(() => undefined),
    on: () => undefined,
  },
  dialog: { showErrorBox: vi.fn() },
  protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
}));

describe('Electron command-line switches', () => {
  electron.dataDirectory = mkdtempSync(join(tmpdir(), 'hms-electron-policy-'));
  afterAll(() => rmSync(electron.dataDirectory, { recursive: true, force: true }));

  beforeEach(() => {
    vi.resetModules();
    electron.exitCodes = [];
    electron.lockRequests = 0;
  });

  async function runMain(...options: string[]): Promise<string> {
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((text) => {
      written.push(String(text));
      return true;
    });
    process.argv.push(...options);
    try {
      await import('../../../main/electron/main.js');
      await vi.waitFor(() => expect(electron.exitCodes).toHaveLength(1));
    } finally {
      process.argv.splice(process.argv.length - options.length);
      write.mockRestore();
    }
    return written.join('');
  }

  it('prints the report and exits', { skip: existsSync('/etc/hms-workstation') }, async () => {
    writeFileSync(join(electron.dataDirectory, 'settings.json'), JSON.stringify({ workstationId: 'ws-1', wardId: 'ward-4a' }));

    const output = await runMain('--policy-report');

    expect(electron.exitCodes).toEqual([0]);
    expect(output).toMatch(new RegExp(`^wardId +"ward-4a" +user: ${join(electron.dataDirectory, 'settings.json')}$`, 'm'));
    expect(electron.lockRequests).toBe(0);
  });

  it('answers --busy and exits', { skip: existsSync('/etc/hms-workstation') }, async () => {
    writeFileSync(join(electron.dataDirectory, 'documentation-state.json'), JSON.stringify({ pid: process.pid, documentation: 'open', updatedAt: new Date().toISOString() }));

    const output = await runMain(`--data-dir=${electron.dataDirectory}`, '--busy');

    expect(electron.exitCodes).toEqual([1]);
    expect(output).toBe(`busy: HMS Workstation (process ${process.pid}) has documentation open\n`);
    expect(electron.lockRequests).toBe(0);
  });

  it('refuses --busy on a profile folder', { skip: existsSync('/etc/hms-workstation') }, async () => {
    const output = await runMain('--busy');

    expect(electron.exitCodes).toEqual([1]);
    expect(output).toBe('busy: no shared data folder to check; set dataDirectory by policy or pass --data-dir=DIR\n');
  });
});
