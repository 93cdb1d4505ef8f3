import { readFileSync } from 'node:fs';
import { join, posix, win32 } from 'node:path';

import semver from 'semver';
import { z } from 'zod';

const hourMinute = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour local time such as "02:00"');
const usbId = z.string().regex(/^0x[0-9a-fA-F]{4}$/, 'must be four hex digits after 0x, such as "0x0c2e"');
const absolutePath = z
  .string()
  .min(1)
  .refine((path) => posix.isAbsolute(path) || win32.isAbsolute(path), 'must be an absolute path');

export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
export const UPDATE_MODES = ['off', 'notify', 'download', 'download-and-install-in-window'] as const;

/**
 * Daily period in local wall-clock time in which an update may be installed. `end` before `start`
 * means the window runs past midnight; `days` names the day on which the window opens.
 */
export const updateWindow = z
  .object({
    days: z.array(z.enum(WEEKDAYS)).min(1).default([...WEEKDAYS]),
    start: hourMinute,
    end: hourMinute,
    /** Minutes without keyboard or pointer input on the whole system before an install may start. */
    minIdleMinutes: z.number().int().min(0).max(240).default(15),
    /** IANA time zone of start and end; the system's zone when absent. */
    timeZone: z
      .string()
      .refine((zone) => Intl.supportedValuesOf('timeZone').includes(zone) || zone === 'UTC', 'must be an IANA time zone such as "Europe/Berlin"')
      .optional(),
  })
  .strict()
  .refine((window) => window.start !== window.end, 'start and end must differ');
export type UpdateWindow = z.infer<typeof updateWindow>;

/** Network proxy of the app and its updater, in Chromium's terms. */
export const proxyPolicy = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('system') }).strict(),
  z.object({ mode: z.literal('direct') }).strict(),
  z.object({ mode: z.literal('fixed'), server: z.string().min(1), bypassList: z.string().optional() }).strict(),
  z.object({ mode: z.literal('pac'), pacUrl: z.url({ protocol: /^https?$/ }) }).strict(),
]);
export type ProxyPolicy = z.infer<typeof proxyPolicy>;

/**
 * Every setting hospital IT can fix centrally, one schema per key, so that an invalid value
 * rejects only its own key. Keys are case-sensitive.
 */
export const policyFields = {
  /** Folder of the replica, settings and logs; for shared PCs, a folder outside user profiles. */
  dataDirectory: absolutePath,
  serverUrl: z.url({ protocol: /^https?$/, message: 'serverUrl must be an http:// or https:// URL' }),
  /** Ward scope: Location id of the ward this workstation is enrolled to. */
  wardId: z.string().min(1).max(64),
  /** Days after a user's last online sign-in during which they may sign in offline at this workstation. */
  offlineSignInDays: z.number().int().min(0).max(90),
  /** Minutes without keyboard or pointer activity after which the workstation locks. */
  inactivityLockMinutes: z.number().int().min(1).max(240),
  /** Failed sign-in or unlock attempts for one username before it is locked out. */
  failedSignInLimit: z.number().int().min(1).max(100),
  /** How long a username stays locked out after too many failed attempts, in minutes. */
  signInLockoutMinutes: z.number().int().min(1).max(1440),
  /**
   * Days a patient's local copy is kept after they leave this workstation's ward. At least 3: the
   * server goes on sending a departed patient's documents to their old ward for 72 hours.
   */
  retentionDaysAfterLeaving: z.number().int().min(3).max(3650),
  updateMode: z.enum(UPDATE_MODES),
  /** Base URL of the hospital's update feed (electron-updater's generic provider). */
  updateUrl: z.url({ protocol: /^https?$/, message: 'updateUrl must be an http:// or https:// URL' }),
  /** Name of the channel file on the feed (`<channel>.yml`), so lower-case letters, digits and dashes. */
  updateChannel: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be 1 to 32 lower-case letters, digits or dashes, such as "latest" or "pilot-ward"'),
  /** Rollout ring of this machine: ring r takes a staged release once its percentage exceeds r × 10. */
  updateRing: z.number().int().min(0).max(9),
  updateWindow,
  allowDowngrade: z.boolean(),
  /** Oldest version allowed to keep running; an older one installs an update at the next safe moment. */
  minimumVersion: z.string().refine((version) => semver.valid(version) !== null, 'must be a semantic version such as "1.4.0"'),
  proxy: proxyPolicy,
  allowedUsbDevices: z.array(z.object({ vendorId: usbId, productId: usbId, role: z.string().min(1).max(64).optional() }).strict()),
  allowedSerialPorts: z.array(z.string().min(1).max(256)),
  logLevel: z.enum(['error', 'warn', 'info', 'debug']),
  /** Days a local crash dump is kept before it is deleted; dumps hold process memory, so patient data. */
  crashDumpRetentionDays: z.number().int().min(1).max(365),
};
export type PolicyKey = keyof typeof policyFields;
export const POLICY_KEYS = Object.keys(policyFields) as PolicyKey[];

/**
 * Machine-wide settings that hospital IT fixes for every user of a workstation: the mandatory
 * values of the effective policy. A value set here overrides the same setting of the user or of
 * settings.json.
 */
export const machinePolicy = z.object(policyFields).partial().strict();
export type MachinePolicy = z.infer<typeof machinePolicy>;

/**
 * Built-in defaults, the lowest level. Keys without a default stay unset: no server URL, ward,
 * update feed, data folder or device allow-list is guessed.
 */
export const POLICY_DEFAULTS = {
  // A long weekend of downtime and more.
  offlineSignInDays: 7,
  // Within the 10 to 30 minutes clinical systems commonly use.
  inactivityLockMinutes: 10,
  failedSignInLimit: 5,
  signInLockoutMinutes: 15,
  // The same 30 days the core applies when no policy sets it.
  retentionDaysAfterLeaving: 30,
  // Tell, never install: installing in the app needs IT to choose a window.
  updateMode: 'notify',
  updateChannel: 'latest',
  // An unassigned machine takes a staged release last.
  updateRing: 9,
  allowDowngrade: false,
  proxy: { mode: 'system' },
  logLevel: 'info',
  crashDumpRetentionDays: 14,
} satisfies MachinePolicy;

/** Session rules with the defaults that apply where IT's policy sets nothing. */
export interface SessionPolicy {
  offlineSignInDays: number;
  inactivityLockMinutes: number;
  failedSignInLimit: number;
  signInLockoutMinutes: number;
}

/** The session rules of a policy, with POLICY_DEFAULTS where it sets none. */
export function sessionPolicy(policy: MachinePolicy): SessionPolicy {
  return {
    offlineSignInDays: policy.offlineSignInDays ?? POLICY_DEFAULTS.offlineSignInDays,
    inactivityLockMinutes: policy.inactivityLockMinutes ?? POLICY_DEFAULTS.inactivityLockMinutes,
    failedSignInLimit: policy.failedSignInLimit ?? POLICY_DEFAULTS.failedSignInLimit,
    signInLockoutMinutes: policy.signInLockoutMinutes ?? POLICY_DEFAULTS.signInLockoutMinutes,
  };
}

/**
 * Returns where IT puts the policy file on each platform: a machine-wide folder that users cannot write.
 * No environment variable moves it, so a user cannot point the app at a policy of their own.
 */
export function policyFilePath(platform: NodeJS.Platform, environment: NodeJS.ProcessEnv): string {
  switch (platform) {
    case 'win32':
      return join(environment.ProgramData ?? 'C:\\ProgramData', 'HMS Workstation', 'policy.json');
    case 'darwin':
      return '/Library/Application Support/HMS Workstation/policy.json';
    default:
      return '/etc/hms-workstation/policy.json';
  }
}

/**
 * Reads one flat policy file strictly: any invalid or unknown key fails the whole file. The hosts
 * read policy through readPolicySources, which rejects single keys; this stays for callers that
 * need all-or-nothing.
 */
export function readMachinePolicy(path: string): MachinePolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`Cannot read the policy file ${path}: ${(error as Error).message}`, { cause: error });
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`The policy file ${path} is not valid JSON (${(error as Error).message}); ask IT to correct it`, { cause: error });
  }
  const parsed = machinePolicy.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new Error(`The policy file ${path} is invalid: ${problems}; ask IT to correct it`);
  }
  return parsed.data;
}
