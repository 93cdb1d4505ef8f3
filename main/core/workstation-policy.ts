import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { EffectiveSettings, UserSettingKey } from '../../preload/api/it-schemas.js';
import { USER_SETTING_KEYS } from '../../preload/api/it-schemas.js';
import { HmsApiError } from '../../preload/api/errors.js';
import type { WardConfigurationResponse } from '../../sync/protocol/ward-configuration.js';
import type { Logger } from './logging/logger.js';
import { POLICY_KEYS, policyFields } from './policy.js';
import type { PolicyReading } from './policy-document.js';
import { isPlainObject } from './policy-document.js';
import type { EffectivePolicy } from './policy-resolve.js';
import { isManaged } from './policy-resolve.js';
import { resolveWorkstationPolicy } from './policy-sources.js';
import { SETTINGS_FILE } from './settings.js';
import { readCachedWardConfiguration, wardConfigurationLayer, writeCachedWardConfiguration } from './ward-configuration.js';

export interface WorkstationPolicyOptions {
  /** The machine's policy sources as the host read them at start. */
  machine: PolicyReading;
  dataDirectory: string;
  logger: Logger;
}

/**
 * The effective settings of the running workstation with their sources: IT's machine policy,
 * the ward configuration cached from the central server, the user settings and the defaults.
 * Values that change while the app runs (a new ward configuration, a changed user setting) are
 * shown at once and apply from the next start.
 */
export class WorkstationPolicy {
  readonly #machine: PolicyReading;
  readonly #dataDirectory: string;
  readonly #logger: Logger;
  readonly #atStart: EffectivePolicy;

  constructor(options: WorkstationPolicyOptions) {
    this.#machine = options.machine;
    this.#dataDirectory = options.dataDirectory;
    this.#logger = options.logger;
    this.#atStart = this.effective();
  }

  /** Resolves every level as the files are now. */
  effective(): EffectivePolicy {
    return resolveWorkstationPolicy(this.#machine, this.#dataDirectory);
  }

  /** Lists every policy key with its value, source and whether the app may change it. */
  settings(): EffectiveSettings {
    const effective = this.effective();
    const settings = POLICY_KEYS.map((key) => {
      const entry = effective.values[key];
      const managed = isManaged(effective, key);
      const startValue = this.#atStart.values[key]?.value;
      return {
        key,
        value: entry?.value ?? null,
        level: entry?.level ?? null,
        source: entry?.source ?? null,
        managed,
        editable: !managed && (USER_SETTING_KEYS as readonly string[]).includes(key),
        appliesAtNextStart: JSON.stringify(entry?.value) !== JSON.stringify(startValue),
      };
    });
    return { settings, problems: effective.problems };
  }

  /**
   * Fetches the ward configuration and caches it for the next start when it changed. Invalid keys
   * are logged here; the settings screen and --policy-report list them too.
   */
  async refreshWardConfiguration(fetchConfiguration: () => Promise<WardConfigurationResponse>): Promise<boolean> {
    const fetched = await fetchConfiguration();
    const cached = readCachedWardConfiguration(this.#dataDirectory);
    if (cached !== undefined && JSON.stringify(cached) === JSON.stringify(fetched)) return false;

    writeCachedWardConfiguration(this.#dataDirectory, fetched);
    this.#logger.info({ wardId: fetched.wardId, revision: fetched.revision, keys: Object.keys(fetched.values).length }, 'ward configuration changed; it applies from the next start');
    const reading = wardConfigurationLayer(fetched, fetched.wardId);
    const effective = this.effective();
    const wardProblems = [...reading.problems, ...effective.problems.filter((problem) => problem.level === 'ward')];
    for (const problem of wardProblems) this.#logger.error({ wardId: fetched.wardId, revision: fetched.revision, key: problem.key }, `ward configuration key ignored: ${problem.message}`);
    return true;
  }

  /**
   * Stores a user setting in settings.json, or removes it for null, and logs who changed which key.
   * A key that mandatory policy or the ward configuration fixes is rejected, since the user's value
   * would never apply.
   */
  updateUserSetting(key: UserSettingKey, value: string | number | null, userId?: string): EffectiveSettings {
    const effective = this.effective();
    if (isManaged(effective, key)) {
      const entry = effective.values[key];
      throw new HmsApiError({ code: 'forbidden', message: `${key} is managed by IT (${entry?.source ?? 'policy'}); change it there, not in the app` });
    }

    const path = join(this.#dataDirectory, SETTINGS_FILE);
    let stored = readSettingsObject(path);
    if (value === null) {
      stored = Object.fromEntries(Object.entries(stored).filter(([name]) => name !== key));
    } else {
      const candidate = key === 'inactivityLockMinutes' && typeof value === 'string' ? Number(value) : value;
      const parsed = policyFields[key].safeParse(candidate);
      if (!parsed.success) {
        const message = parsed.error.issues.map((issue) => issue.message).join('; ');
        throw new HmsApiError({ code: 'invalid-input', message: `${key} ${JSON.stringify(value)} is invalid: ${message}`, issues: [{ path: 'value', message }] });
      }
      stored[key] = parsed.data;
    }
    const temporary = `${path}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, path);
    this.#logger.info({ key, removed: value === null, userId }, 'user setting changed; it applies from the next start');
    return this.settings();
  }
}

function readSettingsObject(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  const parsed: unknown = JSON.parse(text);
  if (!isPlainObject(parsed)) throw new HmsApiError({ code: 'internal', message: `${path} does not contain a JSON object; fix or delete it` });
  return parsed;
}
