import type { MachinePolicy, PolicyKey } from './policy.js';
import { POLICY_DEFAULTS, POLICY_KEYS, policyFields } from './policy.js';
import type { PolicyLayer, PolicyLevel, PolicyProblem } from './policy-document.js';
import { POLICY_LEVELS } from './policy-document.js';

export interface EffectiveValue {
  value: unknown;
  level: PolicyLevel;
  source: string;
}

export interface EffectivePolicy {
  /** The winning value of every key that some level sets. */
  values: Partial<Record<PolicyKey, EffectiveValue>>;
  /** Ignored files and rejected keys; non-empty means the policy is invalid. */
  problems: PolicyProblem[];
}

/**
 * Resolves every key to the value of the highest level that sets a valid one: mandatory policy,
 * then server-delivered ward configuration, then user settings, then recommended policy, then the
 * defaults. Within a level, earlier layers win. An invalid value is rejected with its reason and
 * the key falls through to the next layer, so one typo never discards the rest of IT's policy.
 */
export function resolvePolicy(layers: readonly PolicyLayer[], problems: readonly PolicyProblem[] = []): EffectivePolicy {
  const ordered = [...layers, { level: 'default' as const, source: 'built-in default', values: POLICY_DEFAULTS }].sort((a, b) => POLICY_LEVELS.indexOf(a.level) - POLICY_LEVELS.indexOf(b.level));
  const effective: EffectivePolicy = { values: {}, problems: [...problems] };

  for (const layer of ordered) {
    for (const [key, raw] of Object.entries(layer.values)) {
      if (!(key in policyFields)) {
        effective.problems.push({ source: layer.source, level: layer.level, key, message: 'unknown key ignored (keys are case-sensitive; --policy-report lists every known key)' });
        continue;
      }
      const policyKey = key as PolicyKey;
      const parsed = policyFields[policyKey].safeParse(raw);
      if (!parsed.success) {
        const reason = parsed.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
        effective.problems.push({ source: layer.source, level: layer.level, key, message: `rejected ${JSON.stringify(raw)}: ${reason}` });
        continue;
      }
      effective.values[policyKey] ??= { value: parsed.data, level: layer.level, source: layer.source };
    }
  }
  return effective;
}

/** Selects the effective values of the given levels, in the MachinePolicy shape the hosts and core take. */
export function policyValues(effective: EffectivePolicy, levels: readonly PolicyLevel[]): MachinePolicy {
  const values: Record<string, unknown> = {};
  for (const key of POLICY_KEYS) {
    const entry = effective.values[key];
    if (entry !== undefined && levels.includes(entry.level)) values[key] = entry.value;
  }
  return values as MachinePolicy;
}

/** Levels whose value the app shows read-only and marked as managed by IT. */
export const MANAGED_LEVELS: readonly PolicyLevel[] = ['mandatory', 'ward'];

/**
 * Tells whether IT fixed this key, by mandatory policy or the ward configuration, so that the UI
 * shows it read-only and marked as managed.
 */
export function isManaged(effective: EffectivePolicy, key: PolicyKey): boolean {
  const level = effective.values[key]?.level;
  return level !== undefined && MANAGED_LEVELS.includes(level);
}

/**
 * Selects the MachinePolicy the hosts pass on: every value except the defaults. The hosts apply
 * its serverUrl and wardId over the user's settings.json, so those two are kept only when
 * mandatory, because a user setting beats a recommendation.
 */
export function hostPolicy(effective: EffectivePolicy): MachinePolicy {
  const values = policyValues(effective, ['mandatory', 'ward', 'user', 'recommended']);
  // TODO: a recommended server URL or ward is not yet offered as the first value of a new settings.json.
  if (effective.values.serverUrl?.level !== 'mandatory') delete values.serverUrl;
  if (effective.values.wardId?.level !== 'mandatory') delete values.wardId;
  return values;
}
