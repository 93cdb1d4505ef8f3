import { execFileSync } from 'node:child_process';

import type { PolicyKey } from './policy.js';
import type { PolicyLayer, PolicyProblem, PolicyReading } from './policy-document.js';

/** Registry keys IT's Group Policy writes; `Recommended` below each holds the recommended level. */
export const REGISTRY_POLICY_KEYS = {
  machine: 'HKLM\\SOFTWARE\\Policies\\HMS\\HMSWorkstation',
  user: 'HKCU\\SOFTWARE\\Policies\\HMS\\HMSWorkstation',
} as const;

export type RegistryValue =
  | { type: 'REG_SZ' | 'REG_EXPAND_SZ'; value: string }
  | { type: 'REG_DWORD' | 'REG_QWORD'; value: number }
  | { type: 'REG_MULTI_SZ'; value: string[] };

/** Reads the values of one registry key; undefined when the key does not exist. */
export interface RegistryReader {
  readKey(path: string): Record<string, RegistryValue> | undefined;
}

/**
 * How each key is stored in the registry: numbers and booleans (0 or 1) as REG_DWORD, lists of
 * strings as REG_MULTI_SZ, objects and lists of objects as JSON text in a REG_SZ.
 */
const REGISTRY_KINDS: Record<PolicyKey, 'string' | 'integer' | 'boolean' | 'list' | 'json'> = {
  dataDirectory: 'string',
  serverUrl: 'string',
  wardId: 'string',
  offlineSignInDays: 'integer',
  inactivityLockMinutes: 'integer',
  failedSignInLimit: 'integer',
  signInLockoutMinutes: 'integer',
  retentionDaysAfterLeaving: 'integer',
  updateMode: 'string',
  updateUrl: 'string',
  updateChannel: 'string',
  updateRing: 'integer',
  updateWindow: 'json',
  allowDowngrade: 'boolean',
  minimumVersion: 'string',
  proxy: 'json',
  allowedUsbDevices: 'json',
  allowedSerialPorts: 'list',
  logLevel: 'string',
  crashDumpRetentionDays: 'integer',
};

/**
 * Reads the machine key before the user key, as Group Policy gives Computer Configuration
 * precedence over User Configuration. Mandatory values of the user key still beat every
 * recommended value.
 */
export function readRegistryPolicy(registry: RegistryReader): PolicyReading {
  const reading: PolicyReading = { layers: [], problems: [] };
  for (const [level, suffix] of [['mandatory', ''], ['recommended', '\\Recommended']] as const) {
    for (const scope of ['machine', 'user'] as const) {
      const path = `${REGISTRY_POLICY_KEYS[scope]}${suffix}`;
      const values = registry.readKey(path);
      if (values === undefined) continue;
      const layer: PolicyLayer = { level, source: `registry ${path}`, scope, values: {} };
      for (const [name, value] of Object.entries(values)) {
        const converted = convertRegistryValue(name, value, layer.source);
        if ('problem' in converted) reading.problems.push({ ...converted.problem, level });
        else layer.values[name] = converted.value;
      }
      reading.layers.push(layer);
    }
  }
  return reading;
}

function convertRegistryValue(name: string, entry: RegistryValue, source: string): { value: unknown } | { problem: PolicyProblem } {
  const kind = REGISTRY_KINDS[name as PolicyKey] as (typeof REGISTRY_KINDS)[PolicyKey] | undefined;
  // Unknown names pass through unchanged, so that validation reports them as unknown keys.
  if (kind === undefined) return { value: entry.value };
  if (kind === 'boolean' && entry.type === 'REG_DWORD' && (entry.value === 0 || entry.value === 1)) return { value: entry.value === 1 };
  if (kind === 'json' && (entry.type === 'REG_SZ' || entry.type === 'REG_EXPAND_SZ')) {
    try {
      return { value: JSON.parse(entry.value) };
    } catch (error) {
      return { problem: { source, key: name, message: `rejected: ${entry.type} must hold JSON text (${(error as Error).message})` } };
    }
  }
  return { value: entry.value };
}

/**
 * Parses the output of `reg query <key>`: a header line with the key, then one line per value,
 * `    <name>    <type>    <data>` with four-space separators. REG_DWORD data is hexadecimal and
 * REG_MULTI_SZ items are separated by the two characters `\0`.
 */
export function parseRegQueryOutput(output: string): Record<string, RegistryValue> {
  const values: Record<string, RegistryValue> = {};
  for (const line of output.split(/\r?\n/)) {
    const match = /^ {4}(.+?) {4}(REG_[A-Z_]+) {4}(.*)$/.exec(line) ?? /^ {4}(.+?) {4}(REG_[A-Z_]+)$/.exec(line);
    if (match === null) continue;
    const [, name, type, data = ''] = match;
    if (name === undefined || type === undefined) continue;
    if (type === 'REG_DWORD' || type === 'REG_QWORD') values[name] = { type, value: Number.parseInt(data, 16) };
    else if (type === 'REG_MULTI_SZ') values[name] = { type, value: data === '' ? [] : data.split('\\0') };
    else if (type === 'REG_SZ' || type === 'REG_EXPAND_SZ') values[name] = { type, value: data };
  }
  return values;
}

/**
 * Reads registry keys with Windows' own `reg.exe`, which needs no native module. A missing key
 * makes reg.exe exit with 1, which reads as "no policy here".
 */
export function regExeRegistryReader(run: (args: string[]) => string = runRegExe): RegistryReader {
  return {
    readKey(path) {
      let output: string;
      try {
        output = run(['query', path]);
      } catch {
        return undefined;
      }
      return parseRegQueryOutput(output);
    },
  };
}

function runRegExe(args: string[]): string {
  // NOTE: never run here (no Windows on the build machines); the parser is tested on sample output.
  return execFileSync('reg.exe', args, { encoding: 'utf8', timeout: 10_000, windowsHide: true, stdio: ['ignore', 'pipe', 'ignore'] });
}
