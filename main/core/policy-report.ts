import type { Logger } from './logging/logger.js';
import { POLICY_KEYS } from './policy.js';
import type { PolicyLayer, PolicyProblem } from './policy-document.js';
import type { EffectivePolicy } from './policy-resolve.js';
import type { PolicySourceOptions } from './policy-sources.js';
import { readEffectivePolicy, readPolicySources, resolveWorkstationPolicy } from './policy-sources.js';

export const POLICY_REPORT_SWITCH = '--policy-report';

/**
 * Formats every policy key with its effective value and where that value came from, then every
 * ignored file and rejected key with the reason. Values are IT's configuration, never patient data.
 */
export function formatPolicyReport(effective: EffectivePolicy): string {
  const rows = POLICY_KEYS.map((key) => {
    const entry = effective.values[key];
    if (entry === undefined) return [key, '(not set)', '-'];
    return [key, JSON.stringify(entry.value), entry.level === 'default' ? 'default' : `${entry.level}: ${entry.source}`];
  });
  const keyWidth = Math.max(...rows.map(([key]) => key?.length ?? 0));
  const valueWidth = Math.max(...rows.map(([, value]) => value?.length ?? 0));
  const lines = ['HMS Workstation effective policy', '', `${'KEY'.padEnd(keyWidth)}  ${'VALUE'.padEnd(valueWidth)}  SOURCE`];
  for (const [key = '', value = '', source = ''] of rows) lines.push(`${key.padEnd(keyWidth)}  ${value.padEnd(valueWidth)}  ${source}`);

  lines.push('');
  if (effective.problems.length === 0) {
    lines.push('Policy is valid.');
    return lines.join('\n');
  }
  lines.push(`Policy is invalid: ${effective.problems.length} problem(s). Each key named fell back to the next source that sets it.`);
  for (const problem of effective.problems) {
    const where = [problem.source, problem.level, problem.key].filter((part) => part !== undefined).join(' ');
    lines.push(`  ${where}: ${problem.message}`);
  }
  return lines.join('\n');
}

/**
 * Runs `--policy-report` for either host: prints the report and returns the exit code, 0 for a
 * valid policy and 1 when any file was ignored or any key rejected, so IT's tools can check a
 * rollout of a new policy.
 */
export function runPolicyReport(options: { sources: PolicySourceOptions; extraLayers?: readonly (PolicyLayer | undefined)[]; dataDirectory?: string; write: (text: string) => void }): number {
  // With the data folder, the report also covers its cached ward configuration and user settings.
  const effective = options.dataDirectory === undefined ? readEffectivePolicy(options.sources, options.extraLayers) : resolveWorkstationPolicy(readPolicySources(options.sources), options.dataDirectory);
  options.write(`${formatPolicyReport(effective)}\n`);
  return effective.problems.length === 0 ? 0 : 1;
}

/**
 * Logs every ignored policy file and rejected key at error level, since the workstation then runs
 * with a value IT did not intend, and on standard error for whoever started it.
 */
export function logPolicyProblems(problems: readonly PolicyProblem[], logger: Pick<Logger, 'error'> | undefined): void {
  for (const problem of problems) {
    logger?.error({ source: problem.source, level: problem.level, key: problem.key }, `policy ignored: ${problem.message}`);
    console.error(`HMS Workstation policy: ${[problem.source, problem.level, problem.key].filter(Boolean).join(' ')}: ${problem.message}`);
  }
}
