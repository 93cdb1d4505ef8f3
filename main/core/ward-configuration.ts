import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { WardConfigurationResponse } from '../../sync/protocol/ward-configuration.js';
import { wardConfigurationResponse } from '../../sync/protocol/ward-configuration.js';
import type { PolicyKey } from './policy.js';
import type { PolicyReading } from './policy-document.js';

/** Cached copy of the ward configuration in the data folder, read at every start. */
export const WARD_CONFIGURATION_FILE = 'ward-configuration.json';

/**
 * Keys a ward configuration may not set. The data folder, server URL and ward decide where the
 * configuration itself comes from, and a wrong proxy or update feed from the server could cut
 * the workstation off from the fix, so only the machine's own policy sets them.
 */
export const MACHINE_ONLY_KEYS: readonly PolicyKey[] = ['dataDirectory', 'serverUrl', 'wardId', 'proxy', 'updateUrl'];

/** Names the ward configuration in reports and on the settings screen. */
export function wardConfigurationSource(configuration: Pick<WardConfigurationResponse, 'wardId' | 'revision'>): string {
  return `ward configuration of ${configuration.wardId} (revision ${configuration.revision})`;
}

/**
 * Reads the cached configuration; undefined when there is no cache or it cannot be read.
 * TODO: the copy is as writable as the data folder, so a user who edits it can lift a ward
 * setting until the next fetch; a signature by the central server would let the app reject that.
 */
export function readCachedWardConfiguration(dataDirectory: string): WardConfigurationResponse | undefined {
  let text: string;
  try {
    text = readFileSync(join(dataDirectory, WARD_CONFIGURATION_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = wardConfigurationResponse.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stores the configuration for the next start, through a temporary file and a rename so that a
 * crash leaves the old copy or the new one, never half of one.
 */
export function writeCachedWardConfiguration(dataDirectory: string, configuration: WardConfigurationResponse): void {
  const path = join(dataDirectory, WARD_CONFIGURATION_FILE);
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(configuration, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/**
 * Turns a ward configuration into the `ward` policy layer. A cached copy of another ward (the
 * workstation was enrolled elsewhere since) sets nothing, and machine-only keys are ignored with
 * a problem that names them.
 */
export function wardConfigurationLayer(configuration: WardConfigurationResponse | undefined, wardId: string | undefined): PolicyReading {
  if (configuration === undefined || configuration.wardId !== wardId) return { layers: [], problems: [] };
  const source = wardConfigurationSource(configuration);
  const values: Record<string, unknown> = {};
  const problems: PolicyReading['problems'] = [];
  for (const [key, value] of Object.entries(configuration.values)) {
    if ((MACHINE_ONLY_KEYS as readonly string[]).includes(key)) {
      problems.push({ source, level: 'ward', key, message: 'ignored: only the machine policy sets this key, so set it in the policy file, registry or managed preferences' });
      continue;
    }
    values[key] = value;
  }
  return { layers: [{ level: 'ward', source, values }], problems };
}
