import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { PolicyReading } from './policy-document.js';
import { isPlainObject } from './policy-document.js';

/** The app's preference domain on macOS, its bundle id, which is electron-builder's appId. */
export const PREFERENCE_DOMAIN = 'org.hms.workstation';
const MANAGED_PREFERENCES_FOLDER = '/Library/Managed Preferences';

/**
 * Reads the managed preferences a configuration profile installed for one domain: the values as
 * JSON types (plist dict, array, string, integer, boolean), undefined when no profile sets any.
 */
export interface ManagedPreferencesReader {
  read(domain: string, scope: 'machine' | 'user'): Record<string, unknown> | undefined;
}

/**
 * Reads macOS managed preferences, machine scope before user scope. A profile forces its values,
 * so they are all mandatory; there is no recommended level on macOS.
 */
export function readManagedPreferencesPolicy(reader: ManagedPreferencesReader, domain = PREFERENCE_DOMAIN): PolicyReading {
  const reading: PolicyReading = { layers: [], problems: [] };
  for (const scope of ['machine', 'user'] as const) {
    const source = `managed preferences ${domain} (${scope})`;
    let values: Record<string, unknown> | undefined;
    try {
      values = reader.read(domain, scope);
    } catch (error) {
      reading.problems.push({ source, message: `cannot be read (${(error as Error).message}); ignored` });
      continue;
    }
    if (values !== undefined) reading.layers.push({ level: 'mandatory', source, scope, values });
  }
  return reading;
}

/**
 * Reads `/Library/Managed Preferences[/<user>]/<domain>.plist` through `plutil`, which ships with
 * macOS and converts a binary or XML plist to JSON. Only root can write that folder.
 */
export function plutilManagedPreferencesReader(userName: string, run: (args: string[]) => string = runPlutil): ManagedPreferencesReader {
  return {
    read(domain, scope) {
      const folder = scope === 'machine' ? MANAGED_PREFERENCES_FOLDER : join(MANAGED_PREFERENCES_FOLDER, userName);
      const path = join(folder, `${domain}.plist`);
      if (!existsSync(path)) return undefined;
      const parsed: unknown = JSON.parse(run(['-convert', 'json', '-o', '-', path]));
      if (!isPlainObject(parsed)) throw new Error(`${path} does not hold a dictionary`);
      return parsed;
    },
  };
}

function runPlutil(args: string[]): string {
  // NOTE: never run here (no macOS on the build machines); tests stand in a reader.
  return execFileSync('/usr/bin/plutil', args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
}
