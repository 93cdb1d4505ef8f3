import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { readManagedPreferencesPolicy } from '../../../main/core/policy-managed-preferences.js';
import { parseRegQueryOutput, readRegistryPolicy, regExeRegistryReader } from '../../../main/core/policy-registry.js';
import { POLICY_FIXTURES, sampleManagedPreferences, sampleRegistry } from './policy-support.js';

describe('registry policy', () => {
  it('parses reg query output', () => {
    const values = parseRegQueryOutput(readFileSync(join(POLICY_FIXTURES, 'windows-hklm.reg-query.txt'), 'utf8'));

    expect(values.updateRing).toEqual({ type: 'REG_DWORD', value: 3 });
    expect(values.allowedSerialPorts).toEqual({ type: 'REG_MULTI_SZ', value: ['COM3', 'COM4'] });
    expect(values.dataDirectory).toEqual({ type: 'REG_SZ', value: 'C:\\ProgramData\\HMS Workstation\\data' });
    expect(Object.keys(values)).toHaveLength(7);
  });

  it('reads machine before user, mandatory before recommended', () => {
    const reading = readRegistryPolicy(sampleRegistry());

    expect(reading.layers.map((layer) => [layer.level, layer.scope, layer.source])).toEqual([
      ['mandatory', 'machine', 'registry HKLM\\SOFTWARE\\Policies\\HMS\\HMSWorkstation'],
      ['mandatory', 'user', 'registry HKCU\\SOFTWARE\\Policies\\HMS\\HMSWorkstation'],
      ['recommended', 'machine', 'registry HKLM\\SOFTWARE\\Policies\\HMS\\HMSWorkstation\\Recommended'],
    ]);
  });

  it('converts DWORD booleans and JSON text', () => {
    const machine = readRegistryPolicy(sampleRegistry()).layers[0]?.values;

    expect(machine?.allowDowngrade).toBe(true);
    expect(machine?.updateWindow).toEqual({ start: '22:00', end: '05:00', minIdleMinutes: 20 });
    expect(machine?.allowedSerialPorts).toEqual(['COM3', 'COM4']);
  });

  it('rejects malformed JSON text', () => {
    const reading = readRegistryPolicy({ readKey: (path) => (path.startsWith('HKLM') && !path.endsWith('Recommended') ? { proxy: { type: 'REG_SZ', value: '{mode:' } } : undefined) });

    expect(reading.layers[0]?.values).toEqual({});
    expect(reading.problems[0]).toMatchObject({ key: 'proxy', level: 'mandatory' });
    expect(reading.problems[0]?.message).toMatch(/^rejected: REG_SZ must hold JSON text/);
  });

  it('treats a failing reg.exe as no key', () => {
    const reader = regExeRegistryReader(() => {
      throw new Error('ERROR: The system was unable to find the specified registry key or value.');
    });

    expect(reader.readKey('HKLM\\SOFTWARE\\Policies\\HMS\\HMSWorkstation')).toBeUndefined();
  });
});

describe('managed preferences policy', () => {
  it('reads the machine profile as mandatory', () => {
    const reading = readManagedPreferencesPolicy(sampleManagedPreferences());

    expect(reading.layers).toHaveLength(1);
    expect(reading.layers[0]).toMatchObject({ level: 'mandatory', scope: 'machine', source: 'managed preferences org.hms.workstation (machine)' });
    expect(reading.layers[0]?.values.updateChannel).toBe('beta');
  });

  it('reports an unreadable profile', () => {
    const reading = readManagedPreferencesPolicy({
      read: () => {
        throw new Error('plutil exited with 1');
      },
    });

    expect(reading.layers).toEqual([]);
    expect(reading.problems.map((problem) => problem.message)).toEqual(['cannot be read (plutil exited with 1); ignored', 'cannot be read (plutil exited with 1); ignored']);
  });
});
