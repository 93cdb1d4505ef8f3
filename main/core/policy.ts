import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { z } from 'zod';

/**
 * Machine-wide settings that hospital IT fixes for every user of a workstation. A value set here
 * overrides the same setting of the user or of settings.json. The file is optional; an invalid one
 * stops the app with the file and the field named, because silently ignoring IT's policy on a
 * shared ward PC is worse than not starting.
 */
export const machinePolicy = z
  .object({
    /** Folder of the replica, settings and logs; for shared PCs, a folder outside user profiles. */
    dataDirectory: z.string().min(1).optional(),
    serverUrl: z.url({ protocol: /^https?$/, message: 'serverUrl must be an http:// or https:// URL' }).optional(),
    wardId: z.string().min(1).max(64).optional(),
    /** Days after a user's last online sign-in during which they may sign in offline at this workstation. */
    offlineSignInDays: z.number().int().min(0).max(90).optional(),
    /** Minutes without keyboard or pointer activity after which the workstation locks. */
    inactivityLockMinutes: z.number().int().min(1).max(240).optional(),
    /** Failed sign-in or unlock attempts for one username before it is locked out. */
    failedSignInLimit: z.number().int().min(1).max(100).optional(),
    /** How long a username stays locked out after too many failed attempts, in minutes. */
    signInLockoutMinutes: z.number().int().min(1).max(1440).optional(),
    /**
     * Days a patient's local copy is kept after they leave this workstation's ward. At least 3: the
     * server goes on sending a departed patient's documents to their old ward for 72 hours.
     */
    retentionDaysAfterLeaving: z.number().int().min(3).max(3650).optional(),
  })
  .strict();
export type MachinePolicy = z.infer<typeof machinePolicy>;

/** Session rules with the defaults that apply where IT's policy sets nothing. */
export interface SessionPolicy {
  offlineSignInDays: number;
  inactivityLockMinutes: number;
  failedSignInLimit: number;
  signInLockoutMinutes: number;
}

/**
 * Defaults: offline sign-in for 7 days after the last online one (a long weekend of downtime and
 * more); lock after 10 minutes, within the 10 to 30 minutes clinical systems commonly use; 5
 * failed attempts lock a username out for 15 minutes.
 */
export function sessionPolicy(policy: MachinePolicy): SessionPolicy {
  return {
    offlineSignInDays: policy.offlineSignInDays ?? 7,
    inactivityLockMinutes: policy.inactivityLockMinutes ?? 10,
    failedSignInLimit: policy.failedSignInLimit ?? 5,
    signInLockoutMinutes: policy.signInLockoutMinutes ?? 15,
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
