import { describe, expect, it } from 'vitest';

import { POLICY_KEYS } from '../../../main/core/policy.js';
import { describeSettingKey } from '../../../renderer/src/it/it-text.js';

// The settings screen names each policy key in words, because clinicians open it too. This test
// sits outside test/unit/renderer because it imports the core's policy schema, which needs the
// Node types that the renderer's tsconfig leaves out.
describe('describeSettingKey', () => {
  it.each(POLICY_KEYS)('names %s in words', (key) => {
    const label = describeSettingKey(key);
    expect(label).not.toBe(key);
    expect(label).toMatch(/^[A-Z]/);
    expect(label).not.toMatch(/[a-z][A-Z]/);
  });

  it('names the inactivity lock with its unit', () => {
    expect(describeSettingKey('inactivityLockMinutes')).toBe('Lock after inactivity (minutes)');
  });

  it('shows an unknown key as it is', () => {
    expect(describeSettingKey('keyFromANewerCore')).toBe('keyFromANewerCore');
    expect(describeSettingKey('constructor')).toBe('constructor');
  });
});
