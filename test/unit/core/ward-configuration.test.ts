import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { HmsApiError } from '../../../preload/api/errors.js';
import type { PolicyLevel } from '../../../main/core/policy-document.js';
import type { PolicySourceOptions } from '../../../main/core/policy-sources.js';
import { readPolicySources, resolveWorkstationPolicy } from '../../../main/core/policy-sources.js';
import { runPolicyReport } from '../../../main/core/policy-report.js';
import { WARD_CONFIGURATION_FILE, wardConfigurationLayer } from '../../../main/core/ward-configuration.js';
import { WorkstationPolicy } from '../../../main/core/workstation-policy.js';
import type { WardConfigurationResponse } from '../../../sync/protocol/ward-configuration.js';
import { makeTempDirectory } from '../../support/replica.js';
import { TEST_OWNER } from './policy-support.js';

const silentLogger = pino({ level: 'silent' });

/** The inactivity lock each level sets in the table, so the winner can be read off the value. */
const LEVEL_VALUES: Record<Exclude<PolicyLevel, 'default'>, number> = { mandatory: 3, ward: 4, user: 5, recommended: 6 };

interface Workstation {
  sources: PolicySourceOptions;
  dataDirectory: string;
}

/** Writes IT's policy file, the cached ward configuration and settings.json as a workstation holds them. */
function writeWorkstation(root: string, levels: { mandatory?: object; ward?: object; user?: object; recommended?: object }, wardId = 'ward-4a'): Workstation {
  const etc = join(root, 'etc');
  const dataDirectory = join(root, 'data');
  mkdirSync(etc, { recursive: true, mode: 0o755 });
  chmodSync(etc, 0o755);
  mkdirSync(dataDirectory, { recursive: true });
  const policyFile = join(etc, 'policy.json');
  writeFileSync(policyFile, JSON.stringify({ schemaVersion: 1, mandatory: levels.mandatory ?? {}, recommended: levels.recommended ?? {} }));
  chmodSync(policyFile, 0o644);
  writeFileSync(join(dataDirectory, 'settings.json'), JSON.stringify({ workstationId: 'ws-1', serverUrl: 'http://127.0.0.1:9', wardId, ...levels.user }));
  if (levels.ward !== undefined) {
    const cached: WardConfigurationResponse = { wardId: 'ward-4a', revision: 3, updatedAt: '2026-12-01T08:00:00.000Z', values: { ...levels.ward } };
    writeFileSync(join(dataDirectory, WARD_CONFIGURATION_FILE), JSON.stringify(cached));
  }
  return {
    sources: { files: { file: policyFile, dropInDirectory: join(etc, 'policy.d'), platform: 'linux', trustedOwnerUids: [TEST_OWNER] } },
    dataDirectory,
  };
}

function resolveAt(workstation: Workstation) {
  return resolveWorkstationPolicy(readPolicySources(workstation.sources), workstation.dataDirectory);
}

describe('precedence with ward configuration', () => {
  let directory: ReturnType<typeof makeTempDirectory>;

  beforeEach(() => {
    directory = makeTempDirectory('ward-precedence');
  });

  afterEach(() => directory.remove());

  const table: { present: (keyof typeof LEVEL_VALUES)[]; winner: PolicyLevel; value: number }[] = [
    { present: ['mandatory', 'ward', 'user', 'recommended'], winner: 'mandatory', value: 3 },
    { present: ['ward', 'user', 'recommended'], winner: 'ward', value: 4 },
    { present: ['user', 'recommended'], winner: 'user', value: 5 },
    { present: ['recommended'], winner: 'recommended', value: 6 },
    { present: [], winner: 'default', value: 10 },
    { present: ['mandatory', 'ward'], winner: 'mandatory', value: 3 },
    { present: ['ward', 'recommended'], winner: 'ward', value: 4 },
    { present: ['ward', 'user'], winner: 'ward', value: 4 },
    { present: ['mandatory', 'user'], winner: 'mandatory', value: 3 },
  ];

  for (const row of table) {
    it(`${row.present.join(' + ') || 'nothing set'} gives ${row.winner}`, () => {
      const levels = Object.fromEntries(row.present.map((level) => [level, { inactivityLockMinutes: LEVEL_VALUES[level] }]));
      const workstation = writeWorkstation(directory.path, levels);

      const effective = resolveAt(workstation);

      expect(effective.values.inactivityLockMinutes?.level).toBe(row.winner);
      expect(effective.values.inactivityLockMinutes?.value).toBe(row.value);
      expect(effective.problems).toEqual([]);
    });
  }

  it('reads all five levels in one resolution', () => {
    const workstation = writeWorkstation(directory.path, {
      mandatory: { logLevel: 'warn' },
      ward: { updateChannel: 'pilot-ward', logLevel: 'debug' },
      user: { inactivityLockMinutes: 20 },
      recommended: { updateRing: 2, updateChannel: 'beta' },
    });

    const effective = resolveAt(workstation);

    expect(effective.values.logLevel).toMatchObject({ value: 'warn', level: 'mandatory' });
    expect(effective.values.updateChannel).toMatchObject({ value: 'pilot-ward', level: 'ward', source: 'ward configuration of ward-4a (revision 3)' });
    expect(effective.values.inactivityLockMinutes).toMatchObject({ value: 20, level: 'user' });
    expect(effective.values.updateRing).toMatchObject({ value: 2, level: 'recommended' });
    expect(effective.values.crashDumpRetentionDays).toMatchObject({ value: 14, level: 'default' });
  });

  it('ignores a cached configuration of another ward', () => {
    const workstation = writeWorkstation(directory.path, { ward: { inactivityLockMinutes: 4 } }, 'ward-7b');

    const effective = resolveAt(workstation);

    expect(effective.values.inactivityLockMinutes?.level).toBe('default');
  });

  it('uses the mandatory ward to pick the cache', () => {
    const workstation = writeWorkstation(directory.path, { mandatory: { wardId: 'ward-4a' }, ward: { inactivityLockMinutes: 4 } }, 'ward-7b');

    const effective = resolveAt(workstation);

    expect(effective.values.inactivityLockMinutes).toMatchObject({ value: 4, level: 'ward' });
  });

  it('rejects an invalid ward value and falls through', () => {
    const workstation = writeWorkstation(directory.path, { ward: { inactivityLockMinutes: 0 }, user: { inactivityLockMinutes: 20 } });

    const effective = resolveAt(workstation);

    expect(effective.values.inactivityLockMinutes).toMatchObject({ value: 20, level: 'user' });
    expect(effective.problems).toEqual([expect.objectContaining({ level: 'ward', key: 'inactivityLockMinutes' })]);
  });

  it('lists the ward level in the policy report', () => {
    const workstation = writeWorkstation(directory.path, { ward: { updateChannel: 'pilot-ward' } });
    let output = '';

    const exitCode = runPolicyReport({ sources: workstation.sources, dataDirectory: workstation.dataDirectory, write: (text) => (output += text) });

    expect(exitCode).toBe(0);
    expect(output).toMatch(/updateChannel\s+"pilot-ward"\s+ward: ward configuration of ward-4a \(revision 3\)/);
  });
});

describe('ward configuration layer', () => {
  it('keeps machine-only keys out', () => {
    const configuration: WardConfigurationResponse = { wardId: 'ward-4a', revision: 2, updatedAt: null, values: { serverUrl: 'http://127.0.0.1:1', proxy: { mode: 'direct' }, updateRing: 1 } };

    const reading = wardConfigurationLayer(configuration, 'ward-4a');

    expect(reading.layers).toEqual([{ level: 'ward', source: 'ward configuration of ward-4a (revision 2)', values: { updateRing: 1 } }]);
    expect(reading.problems.map((problem) => problem.key)).toEqual(['serverUrl', 'proxy']);
  });
});

describe('workstation policy', () => {
  let directory: ReturnType<typeof makeTempDirectory>;

  beforeEach(() => {
    directory = makeTempDirectory('workstation-policy');
  });

  afterEach(() => directory.remove());

  function policyOf(workstation: Workstation): WorkstationPolicy {
    return new WorkstationPolicy({ machine: readPolicySources(workstation.sources), dataDirectory: workstation.dataDirectory, logger: silentLogger });
  }

  it('marks mandatory and ward settings managed and read-only', () => {
    const policy = policyOf(writeWorkstation(directory.path, { mandatory: { serverUrl: 'https://hms.hospital.example' }, ward: { inactivityLockMinutes: 4 } }));

    const settings = policy.settings().settings;
    const byKey = (key: string) => settings.find((setting) => setting.key === key);

    expect(byKey('serverUrl')).toMatchObject({ managed: true, editable: false, level: 'mandatory' });
    expect(byKey('inactivityLockMinutes')).toMatchObject({ managed: true, editable: false, level: 'ward', value: 4 });
    expect(byKey('wardId')).toMatchObject({ managed: false, editable: true, level: 'user', value: 'ward-4a' });
    expect(byKey('updateChannel')).toMatchObject({ managed: false, editable: false, level: 'default' });
  });

  it('rejects a change of a managed setting', () => {
    const policy = policyOf(writeWorkstation(directory.path, { ward: { inactivityLockMinutes: 4 } }));

    expect(() => policy.updateUserSetting('inactivityLockMinutes', 30)).toThrow(HmsApiError);
    expect(() => policy.updateUserSetting('inactivityLockMinutes', 30)).toThrow(/managed by IT \(ward configuration of ward-4a/);
  });

  it('stores a user setting for the next start', () => {
    const workstation = writeWorkstation(directory.path, {});
    const policy = policyOf(workstation);

    const settings = policy.updateUserSetting('inactivityLockMinutes', '25').settings;

    const stored = JSON.parse(readFileSync(join(workstation.dataDirectory, 'settings.json'), 'utf8')) as Record<string, unknown>;
    expect(stored.inactivityLockMinutes).toBe(25);
    expect(stored.workstationId).toBe('ws-1');
    expect(settings.find((setting) => setting.key === 'inactivityLockMinutes')).toMatchObject({ value: 25, level: 'user', appliesAtNextStart: true });
  });

  it('removes a user setting for null', () => {
    const workstation = writeWorkstation(directory.path, { user: { inactivityLockMinutes: 20 } });
    const policy = policyOf(workstation);

    const settings = policy.updateUserSetting('inactivityLockMinutes', null).settings;

    const stored = JSON.parse(readFileSync(join(workstation.dataDirectory, 'settings.json'), 'utf8')) as Record<string, unknown>;
    expect(stored).not.toHaveProperty('inactivityLockMinutes');
    expect(stored.wardId).toBe('ward-4a');
    expect(settings.find((setting) => setting.key === 'inactivityLockMinutes')).toMatchObject({ value: 10, level: 'default' });
  });

  it('rejects an invalid user value', () => {
    const policy = policyOf(writeWorkstation(directory.path, {}));

    expect(() => policy.updateUserSetting('inactivityLockMinutes', 0)).toThrow(/inactivityLockMinutes 0 is invalid/);
    expect(() => policy.updateUserSetting('serverUrl', 'ftp://hms')).toThrow(/serverUrl "ftp:\/\/hms" is invalid/);
  });

  it('caches a fetched configuration once per change', async () => {
    const workstation = writeWorkstation(directory.path, {});
    const policy = policyOf(workstation);
    const fetched: WardConfigurationResponse = { wardId: 'ward-4a', revision: 1, updatedAt: '2026-12-05T06:00:00.000Z', values: { inactivityLockMinutes: 7 } };

    const first = await policy.refreshWardConfiguration(async () => fetched);
    const second = await policy.refreshWardConfiguration(async () => fetched);

    expect(first).toBe(true);
    expect(second).toBe(false);
    expect(existsSync(join(workstation.dataDirectory, WARD_CONFIGURATION_FILE))).toBe(true);
    expect(policy.settings().settings.find((setting) => setting.key === 'inactivityLockMinutes')).toMatchObject({ value: 7, level: 'ward', managed: true, appliesAtNextStart: true });
  });

  it('keeps the cache when the server is unreachable', async () => {
    const workstation = writeWorkstation(directory.path, { ward: { inactivityLockMinutes: 4 } });
    const policy = policyOf(workstation);

    await expect(policy.refreshWardConfiguration(async () => Promise.reject(new Error('ECONNREFUSED')))).rejects.toThrow('ECONNREFUSED');

    expect(policy.effective().values.inactivityLockMinutes).toMatchObject({ value: 4, level: 'ward' });
  });
});
