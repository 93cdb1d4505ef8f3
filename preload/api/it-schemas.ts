import { z } from 'zod';

/**
 * Data shapes of the IT calls: the effective settings with their sources, and the diagnostics
 * summary and export. None of them carries patient data.
 */

const isoDateTime = z.iso.datetime({ offset: true });

/** Levels a setting's value can come from, highest precedence first. */
export const SETTING_LEVELS = ['mandatory', 'ward', 'user', 'recommended', 'default'] as const;

/**
 * Settings the app itself may change (`settings:update`), stored in the workstation's
 * settings.json. Every other key comes from IT's policy, the ward configuration or the defaults.
 */
export const USER_SETTING_KEYS = ['serverUrl', 'wardId', 'inactivityLockMinutes'] as const;
export type UserSettingKey = (typeof USER_SETTING_KEYS)[number];

export const effectiveSetting = z.object({
  /** Policy key, such as `inactivityLockMinutes`. */
  key: z.string(),
  /** JSON value; null when no level sets the key. */
  value: z.unknown(),
  level: z.enum(SETTING_LEVELS).nullable(),
  /** File, registry key or ward configuration the value came from. */
  source: z.string().nullable(),
  /** Fixed by mandatory policy or the ward configuration, so the app shows it read-only. */
  managed: z.boolean(),
  /** The app may change it: a user setting that no policy or ward configuration fixes. */
  editable: z.boolean(),
  /** The running app started with another value; the one shown applies from the next start. */
  appliesAtNextStart: z.boolean(),
});
export type EffectiveSetting = z.infer<typeof effectiveSetting>;

export const settingProblem = z.object({
  source: z.string(),
  level: z.enum(SETTING_LEVELS).optional(),
  key: z.string().optional(),
  message: z.string(),
});

export const effectiveSettings = z.object({
  settings: z.array(effectiveSetting),
  /** Ignored policy files and rejected keys, with the reason. */
  problems: z.array(settingProblem),
});
export type EffectiveSettings = z.infer<typeof effectiveSettings>;

export const updateSettingInput = z.object({
  key: z.enum(USER_SETTING_KEYS),
  /** The new value, checked against the policy schema of the key; null removes the user's value. */
  value: z.union([z.string().max(2048), z.number(), z.null()]),
});
export type UpdateSettingInput = z.infer<typeof updateSettingInput>;

export const diagnosticsDevice = z.object({
  /** Analyzer profile id or device name. */
  id: z.string(),
  kind: z.enum(['analyzer', 'scanner']),
  /** Port path or host:port of an analyzer, USB ids of a scanner. */
  endpoint: z.string(),
  /** Connection state; `refused` or `blocked` when the policy's allow-list does not name the port or device. */
  state: z.string(),
  reason: z.string(),
});

export const diagnosticsSummary = z.object({
  versions: z.object({ app: z.string(), electron: z.string().nullable(), node: z.string(), platform: z.string(), arch: z.string() }),
  workstationId: z.string(),
  wardId: z.string(),
  dataDirectory: z.string(),
  logDirectory: z.string(),
  replica: z.object({
    /** Bytes of the replica's SQLite file with its write-ahead log. */
    bytes: z.number().int().min(0),
    documents: z.number().int().min(0),
  }),
  sync: z.object({
    state: z.string(),
    lastSuccessfulSyncAt: isoDateTime.nullable(),
    /** Seconds since the last successful sync; null before the first one. */
    lagSeconds: z.number().int().min(0).nullable(),
    pendingChanges: z.number().int().min(0),
    oldestPendingAt: isoDateTime.nullable(),
  }),
  devices: z.array(diagnosticsDevice),
  logs: z.object({ files: z.number().int().min(0), bytes: z.number().int().min(0) }),
  crashDumps: z.object({ files: z.number().int().min(0), bytes: z.number().int().min(0), retentionDays: z.number().int().min(1) }),
  policy: effectiveSettings,
});
export type DiagnosticsSummary = z.infer<typeof diagnosticsSummary>;

export const diagnosticsExport = z.object({
  /** Path of the written bundle on this workstation. */
  path: z.string(),
  bytes: z.number().int().min(0),
  /** Names of the files inside the bundle. */
  entries: z.array(z.string()),
});
export type DiagnosticsExport = z.infer<typeof diagnosticsExport>;
