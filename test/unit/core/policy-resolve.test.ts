import { describe, expect, it } from 'vitest';

import type { PolicyLayer, PolicyLevel } from '../../../main/core/policy-document.js';
import { hostPolicy, isManaged, policyValues, resolvePolicy } from '../../../main/core/policy-resolve.js';

const LAYER_VALUES: Record<Exclude<PolicyLevel, 'default'>, number> = { mandatory: 3, ward: 4, user: 5, recommended: 6 };

function layer(level: PolicyLayer['level'], values: Record<string, unknown>, source = `${level} source`): PolicyLayer {
  return { level, source, values };
}

describe('policy precedence', () => {
  // Each row sets inactivityLockMinutes at some levels; the highest level present must win.
  const table: { present: (keyof typeof LAYER_VALUES)[]; winner: PolicyLevel; value: number }[] = [
    { present: ['mandatory', 'ward', 'user', 'recommended'], winner: 'mandatory', value: 3 },
    { present: ['ward', 'user', 'recommended'], winner: 'ward', value: 4 },
    { present: ['user', 'recommended'], winner: 'user', value: 5 },
    { present: ['recommended'], winner: 'recommended', value: 6 },
    { present: [], winner: 'default', value: 10 },
    { present: ['recommended', 'mandatory'], winner: 'mandatory', value: 3 },
    { present: ['user', 'ward'], winner: 'ward', value: 4 },
  ];

  for (const row of table) {
    it(`${row.present.join(' + ') || 'nothing set'} gives ${row.winner}`, () => {
      const layers = row.present.map((level) => layer(level, { inactivityLockMinutes: LAYER_VALUES[level] }));

      const effective = resolvePolicy(layers);

      expect(effective.values.inactivityLockMinutes?.level).toBe(row.winner);
      expect(effective.values.inactivityLockMinutes?.value).toBe(row.value);
      expect(effective.problems).toEqual([]);
    });
  }

  it('earlier layer wins within a level', () => {
    const effective = resolvePolicy([layer('mandatory', { updateRing: 1 }, 'registry HKLM'), layer('mandatory', { updateRing: 8 }, 'registry HKCU')]);

    expect(effective.values.updateRing).toEqual({ value: 1, level: 'mandatory', source: 'registry HKLM' });
  });

  it('leaves keys without default unset', () => {
    const effective = resolvePolicy([]);

    expect(effective.values.serverUrl).toBeUndefined();
    expect(effective.values.updateMode).toEqual({ value: 'notify', level: 'default', source: 'built-in default' });
  });
});

describe('policy per-key rejection', () => {
  it('rejects only the invalid key', () => {
    const effective = resolvePolicy([
      layer('mandatory', { updateRing: 12, updateChannel: 'pilot-ward', serverUrl: 'ftp://hms.hospital.example' }, '/etc/hms-workstation/policy.json'),
      layer('recommended', { updateRing: 4 }),
    ]);

    expect(effective.values.updateChannel?.value).toBe('pilot-ward');
    expect(effective.values.updateRing).toEqual({ value: 4, level: 'recommended', source: 'recommended source' });
    expect(effective.values.serverUrl).toBeUndefined();
    expect(effective.problems).toHaveLength(2);
    expect(effective.problems[0]).toMatchObject({ source: '/etc/hms-workstation/policy.json', level: 'mandatory', key: 'updateRing' });
    expect(effective.problems[0]?.message).toMatch(/^rejected 12: Too big: expected number to be <=9/);
    expect(effective.problems[1]).toMatchObject({ key: 'serverUrl', message: 'rejected "ftp://hms.hospital.example": serverUrl must be an http:// or https:// URL' });
  });

  it('names the nested field at fault', () => {
    const effective = resolvePolicy([layer('mandatory', { updateWindow: { start: '2:00', end: '04:30' } })]);

    expect(effective.values.updateWindow).toBeUndefined();
    expect(effective.problems[0]?.message).toContain('start: must be a 24-hour local time such as "02:00"');
  });

  it('reports unknown and wrong-case keys', () => {
    const effective = resolvePolicy([layer('mandatory', { LogLevel: 'debug' })]);

    expect(effective.values.logLevel?.level).toBe('default');
    expect(effective.problems[0]).toMatchObject({ key: 'LogLevel' });
    expect(effective.problems[0]?.message).toMatch(/^unknown key ignored \(keys are case-sensitive/);
  });

  it('validates the lower levels too', () => {
    const effective = resolvePolicy([layer('mandatory', { logLevel: 'warn' }), layer('user', { wardId: '' }, '/data/settings.json')]);

    expect(effective.problems).toEqual([expect.objectContaining({ source: '/data/settings.json', level: 'user', key: 'wardId' })]);
  });
});

describe('policy values for hosts', () => {
  it('marks mandatory and ward keys as managed', () => {
    const effective = resolvePolicy([
      layer('mandatory', { logLevel: 'warn' }),
      layer('ward', { updateChannel: 'pilot-ward' }),
      layer('user', { inactivityLockMinutes: 20 }),
      layer('recommended', { updateRing: 2 }),
    ]);

    expect(isManaged(effective, 'logLevel')).toBe(true);
    expect(isManaged(effective, 'updateChannel')).toBe(true);
    expect(isManaged(effective, 'inactivityLockMinutes')).toBe(false);
    expect(isManaged(effective, 'updateRing')).toBe(false);
    expect(isManaged(effective, 'crashDumpRetentionDays')).toBe(false);
  });

  it('selects values by level', () => {
    const effective = resolvePolicy([layer('mandatory', { logLevel: 'warn' }), layer('recommended', { updateRing: 2 })]);

    expect(policyValues(effective, ['mandatory'])).toEqual({ logLevel: 'warn' });
    expect(policyValues(effective, ['recommended'])).toEqual({ updateRing: 2 });
  });

  it('keeps a recommended server URL out of host policy', () => {
    const effective = resolvePolicy([
      layer('mandatory', { wardId: 'ward-4a' }),
      layer('recommended', { serverUrl: 'https://hms.hospital.example', inactivityLockMinutes: 20 }),
    ]);

    const policy = hostPolicy(effective);

    expect(policy.wardId).toBe('ward-4a');
    expect(policy.serverUrl).toBeUndefined();
    expect(policy.inactivityLockMinutes).toBe(20);
  });
});
