import { chmodSync, cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { PolicyFileOptions } from '../../../main/core/policy-files.js';
import type { ManagedPreferencesReader } from '../../../main/core/policy-managed-preferences.js';
import type { RegistryReader } from '../../../main/core/policy-registry.js';
import { parseRegQueryOutput, REGISTRY_POLICY_KEYS } from '../../../main/core/policy-registry.js';

export const POLICY_FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'policy');

/** The current user, who owns the copies the tests make; root when tests run as root. */
export const TEST_OWNER = process.getuid?.() ?? 0;

/** Copies the Linux sample into `directory` with the modes IT would set: 755 folders, 644 files. */
export function copyLinuxPolicy(directory: string): PolicyFileOptions {
  cpSync(join(POLICY_FIXTURES, 'linux'), directory, { recursive: true });
  chmodSync(directory, 0o755);
  chmodSync(join(directory, 'policy.d'), 0o755);
  chmodSync(join(directory, 'policy.json'), 0o644);
  for (const name of ['10-pilot-ward.json', '20-typos.json']) chmodSync(join(directory, 'policy.d', name), 0o644);
  return { file: join(directory, 'policy.json'), dropInDirectory: join(directory, 'policy.d'), platform: 'linux', trustedOwnerUids: [TEST_OWNER] };
}

/** A registry that holds the sample `reg query` outputs under their keys. */
export function sampleRegistry(): RegistryReader {
  const keys: Record<string, string> = {
    [REGISTRY_POLICY_KEYS.machine]: 'windows-hklm.reg-query.txt',
    [REGISTRY_POLICY_KEYS.user]: 'windows-hkcu.reg-query.txt',
    [`${REGISTRY_POLICY_KEYS.machine}\\Recommended`]: 'windows-hklm-recommended.reg-query.txt',
  };
  return {
    readKey(path) {
      const file = keys[path];
      return file === undefined ? undefined : parseRegQueryOutput(readFileSync(join(POLICY_FIXTURES, file), 'utf8'));
    },
  };
}

/** Managed preferences with the sample profile at machine scope and none for the user. */
export function sampleManagedPreferences(): ManagedPreferencesReader {
  return {
    read(domain, scope) {
      if (domain !== 'org.hms.workstation' || scope !== 'machine') return undefined;
      return JSON.parse(readFileSync(join(POLICY_FIXTURES, 'macos-managed-preferences.json'), 'utf8')) as Record<string, unknown>;
    },
  };
}
