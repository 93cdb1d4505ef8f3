import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { PolicyFileOptions } from '../../../main/core/policy-files.js';
import { runPolicyReport } from '../../../main/core/policy-report.js';
import { readUserSettingsLayer } from '../../../main/core/policy-sources.js';
import { makeTempDirectory } from '../../support/replica.js';
import { copyLinuxPolicy, sampleManagedPreferences, sampleRegistry } from './policy-support.js';

const HKLM = 'registry HKLM\\SOFTWARE\\Policies\\HMS\\HMSWorkstation';
const HKCU = 'registry HKCU\\SOFTWARE\\Policies\\HMS\\HMSWorkstation';
const MACOS = 'managed preferences org.hms.workstation (machine)';

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Matches the report's row of one key: key, value and source separated by runs of spaces. */
function row(key: string, value: string, source: string): RegExp {
  return new RegExp(`^${key} +${escape(value)} +${escape(source)}$`, 'm');
}

function report(options: Parameters<typeof runPolicyReport>[0]['sources'], extraLayers: Parameters<typeof runPolicyReport>[0]['extraLayers'] = []) {
  let output = '';
  const exitCode = runPolicyReport({ sources: options, extraLayers, write: (text) => (output += text) });
  return { exitCode, output };
}

describe('--policy-report', () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let noFiles: PolicyFileOptions;

  beforeEach(() => {
    directory = makeTempDirectory('policy-report');
    noFiles = { file: join(directory.path, 'absent.json'), dropInDirectory: join(directory.path, 'absent.d'), platform: 'linux' };
  });

  afterEach(() => directory.remove());

  it('reports the Linux files with sources', () => {
    const files = copyLinuxPolicy(directory.path);

    const { exitCode, output } = report({ files });

    expect(exitCode).toBe(1);
    expect(output).toMatch(row('serverUrl', '"https://hms.hospital.example/api"', `mandatory: ${files.file}`));
    expect(output).toMatch(row('updateChannel', '"pilot-ward"', `mandatory: ${join(files.dropInDirectory, '10-pilot-ward.json')}`));
    expect(output).toMatch(row('updateRing', '0', `mandatory: ${join(files.dropInDirectory, '10-pilot-ward.json')}`));
    expect(output).toMatch(row('wardId', '"ward-4a"', `recommended: ${files.file}`));
    expect(output).toMatch(row('offlineSignInDays', '7', 'default'));
    expect(output).toMatch(row('minimumVersion', '(not set)', '-'));
    expect(output).toContain('Policy is invalid: 3 problem(s).');
    expect(output).toContain(`${join(files.dropInDirectory, '20-typos.json')} mandatory updateRing: rejected 12: Too big: expected number to be <=9`);
    expect(output).toContain(`${join(files.dropInDirectory, '20-typos.json')} mandatory minimumVersion: rejected "1.4": must be a semantic version such as "1.4.0"`);
    expect(output).toContain(`${join(files.dropInDirectory, '20-typos.json')} mandatory LogLevel: unknown key ignored`);
  });

  it('puts user settings above recommended', () => {
    const files = copyLinuxPolicy(directory.path);
    writeFileSync(join(directory.path, 'settings.json'), JSON.stringify({ workstationId: 'ws-1', serverUrl: 'https://other.hospital.example', wardId: 'ward-7c' }));

    const { output } = report({ files }, [readUserSettingsLayer(directory.path)]);

    expect(output).toMatch(row('wardId', '"ward-7c"', `user: ${join(directory.path, 'settings.json')}`));
    expect(output).toMatch(row('serverUrl', '"https://hms.hospital.example/api"', `mandatory: ${files.file}`));
  });

  it('reports the Windows registry', () => {
    const { exitCode, output } = report({ files: { ...noFiles, platform: 'win32' }, registry: sampleRegistry() });

    expect(exitCode).toBe(0);
    expect(output).toMatch(row('updateRing', '3', `mandatory: ${HKLM}`));
    expect(output).toMatch(row('inactivityLockMinutes', '20', `mandatory: ${HKCU}`));
    expect(output).toMatch(row('allowDowngrade', 'true', `mandatory: ${HKLM}`));
    expect(output).toMatch(row('allowedSerialPorts', '["COM3","COM4"]', `mandatory: ${HKLM}`));
    expect(output).toMatch(row('logLevel', '"debug"', `recommended: ${HKLM}\\Recommended`));
    expect(output).toContain('Policy is valid.');
  });

  it('reports macOS managed preferences', () => {
    const { exitCode, output } = report({ files: { ...noFiles, platform: 'darwin' }, managedPreferences: sampleManagedPreferences() });

    expect(exitCode).toBe(1);
    expect(output).toMatch(row('updateChannel', '"beta"', `mandatory: ${MACOS}`));
    expect(output).toMatch(row('inactivityLockMinutes', '10', 'default'));
    expect(output).toContain(`${MACOS} mandatory inactivityLockMinutes: rejected 500: Too big: expected number to be <=240`);
    expect(output).toContain(`${MACOS} mandatory PayloadUUID: unknown key ignored`);
  });

  it('exits 1 for an untrusted file', () => {
    const files = copyLinuxPolicy(directory.path);

    const { exitCode, output } = report({ files: { ...files, trustedOwnerUids: [] } });

    expect(exitCode).toBe(1);
    expect(output).toMatch(row('serverUrl', '(not set)', '-'));
    expect(output).toContain(`${files.file}: is owned by uid`);
  });

  it('runs from the browser host', { skip: existsSync('/etc/hms-workstation') }, async () => {
    writeFileSync(join(directory.path, 'settings.json'), JSON.stringify({ workstationId: 'ws-1', serverUrl: 'https://hms.hospital.example', wardId: 'ward-4a' }));

    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'main/browser-host/main.ts', '--policy-report', '--data-dir', directory.path], { cwd: join(import.meta.dirname, '..', '..', '..') });

    expect(stdout).toMatch(row('wardId', '"ward-4a"', `user: ${join(directory.path, 'settings.json')}`));
    expect(stdout).toMatch(row('updateMode', '"notify"', 'default'));
    expect(stdout).toContain('Policy is valid.');
  });
});
