import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';

import { USER_SETTING_KEYS } from '../../preload/api/it-schemas.js';
import { policyFilePath } from './policy.js';
import type { PolicyLayer, PolicyReading } from './policy-document.js';
import { isPlainObject } from './policy-document.js';
import type { PolicyFileOptions } from './policy-files.js';
import { readPolicyFiles } from './policy-files.js';
import type { ManagedPreferencesReader } from './policy-managed-preferences.js';
import { plutilManagedPreferencesReader, readManagedPreferencesPolicy } from './policy-managed-preferences.js';
import type { RegistryReader } from './policy-registry.js';
import { readRegistryPolicy, regExeRegistryReader } from './policy-registry.js';
import type { EffectivePolicy } from './policy-resolve.js';
import { resolvePolicy } from './policy-resolve.js';
import { SETTINGS_FILE } from './settings.js';
import { readCachedWardConfiguration, wardConfigurationLayer } from './ward-configuration.js';

/** Where IT's policy is read from; tests pass their own files and stand-in readers. */
export interface PolicySourceOptions {
  files: PolicyFileOptions;
  /** Windows only. */
  registry?: RegistryReader;
  /** macOS only. */
  managedPreferences?: ManagedPreferencesReader;
}

/** The sources of this platform: the policy file and its `policy.d` folder everywhere, plus the registry or managed preferences. */
export function platformPolicySources(platform: NodeJS.Platform, environment: NodeJS.ProcessEnv): PolicySourceOptions {
  const file = policyFilePath(platform, environment);
  return {
    files: { file, dropInDirectory: join(dirname(file), 'policy.d'), platform },
    ...(platform === 'win32' ? { registry: regExeRegistryReader() } : {}),
    ...(platform === 'darwin' ? { managedPreferences: plutilManagedPreferencesReader(userInfo().username) } : {}),
  };
}

/**
 * Reads every policy source of the machine into layers. Order within a level: the registry's
 * machine key or the machine's managed preferences, then the policy files, then the user's
 * registry key or managed preferences.
 */
export function readPolicySources(options: PolicySourceOptions): PolicyReading {
  const readings = [
    options.registry ? readRegistryPolicy(options.registry) : undefined,
    options.managedPreferences ? readManagedPreferencesPolicy(options.managedPreferences) : undefined,
    readPolicyFiles(options.files),
  ].filter((reading) => reading !== undefined);

  const layers = readings.flatMap((reading) => reading.layers);
  const machineFirst = [...layers.filter((layer) => layer.scope !== 'user'), ...layers.filter((layer) => layer.scope === 'user')];
  return { layers: machineFirst, problems: readings.flatMap((reading) => reading.problems) };
}

/**
 * The user-settings level: the policy keys set in the app (USER_SETTING_KEYS), from
 * `settings.json` in the data folder. Read only; a missing or unreadable file sets nothing.
 */
export function readUserSettingsLayer(dataDirectory: string): PolicyLayer | undefined {
  const path = join(dataDirectory, SETTINGS_FILE);
  if (!existsSync(path)) return undefined;
  let stored: unknown;
  try {
    stored = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  if (!isPlainObject(stored)) return undefined;
  const values: Record<string, unknown> = {};
  for (const key of USER_SETTING_KEYS) if (stored[key] !== undefined) values[key] = stored[key];
  return { level: 'user', source: path, values };
}

/** Reads all sources and resolves them, with the ward configuration and user settings layers the caller has. */
export function readEffectivePolicy(options: PolicySourceOptions, extraLayers: readonly (PolicyLayer | undefined)[] = []): EffectivePolicy {
  const reading = readPolicySources(options);
  const layers = [...reading.layers, ...extraLayers.filter((layer) => layer !== undefined)];
  return resolvePolicy(layers, reading.problems);
}

/**
 * Resolves the machine's policy together with the data folder's levels: the cached ward
 * configuration and the user settings. The ward is the mandatory wardId or else the user's, and
 * a cached configuration of any other ward is ignored.
 */
export function resolveWorkstationPolicy(machine: PolicyReading, dataDirectory: string): EffectivePolicy {
  const user = readUserSettingsLayer(dataDirectory);
  const mandatoryWard = resolvePolicy(machine.layers.filter((layer) => layer.level === 'mandatory')).values.wardId?.value;
  const wardId = (mandatoryWard ?? user?.values.wardId) as string | undefined;
  const ward = wardConfigurationLayer(readCachedWardConfiguration(dataDirectory), wardId);
  const layers = [...machine.layers, ...ward.layers, ...(user ? [user] : [])];
  return resolvePolicy(layers, [...machine.problems, ...ward.problems]);
}
