import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { z } from 'zod';

import { imagingSettings } from './imaging/imaging-settings.js';
import { scanningSettings } from './scan/scanning-settings.js';
import { medicationSettings } from './medication/medication-settings.js';
import { policyFields } from './policy.js';

/**
 * Workstation settings: which server to sync with and which ward this workstation serves (its
 * scope). They live in `settings.json` in the data folder; IT policy will override them later.
 */
export const workstationSettings = z.object({
  /** Stable id of this workstation, generated on first start; recorded with every push. */
  workstationId: z.string().min(1).max(64),
  /** Base URL of the central sync server. */
  serverUrl: z.url({ protocol: /^https?$/, message: 'serverUrl must be an http:// or https:// URL' }),
  /** Location id of the ward this workstation is enrolled to. */
  wardId: z.string().min(1).max(64),
  /** Lab analyzers connected to this workstation; absent on ward workstations. */
  lab: z
    .object({
      /** Folder of IT's own analyzer profiles (`*.json`); the shipped profiles are always available. */
      profileFolder: z.string().min(1).optional(),
      connections: z
        .array(
          z.object({
            /** Id of the analyzer profile this connection uses; it also names the connection. */
            profile: z.string().min(1).max(63),
            /**
             * This workstation's part of the transport: the serial port, the analyzer's address or the
             * listening port. Merged over the profile's transport.
             */
            transport: z.record(z.string(), z.unknown()).default({}),
          }),
        )
        .default([]),
    })
    .optional(),
  /** Minutes of inactivity before the workstation locks, as set in the app; policy may override it. */
  inactivityLockMinutes: policyFields.inactivityLockMinutes.optional(),
  /** The PACS and the study cache; absent where nobody views images. */
  imaging: imagingSettings.optional(),
  /** Barcode scanners and the site's wristband and specimen label formats. */
  scanning: scanningSettings.optional(),
  /** Medication administration: the time window of the bedside check. */
  medication: medicationSettings.optional(),
});
export type WorkstationSettings = z.infer<typeof workstationSettings>;

export const SETTINGS_FILE = 'settings.json';

/**
 * Reads `settings.json` from `dataDirectory`, applies `overrides` and writes the result back, so a
 * generated workstation id stays the same across restarts. Invalid settings fail with the field
 * and the file named.
 */
export function loadSettings(dataDirectory: string, overrides: Partial<WorkstationSettings> = {}): WorkstationSettings {
  mkdirSync(dataDirectory, { recursive: true });
  const path = join(dataDirectory, SETTINGS_FILE);
  let stored: unknown = {};
  if (existsSync(path)) {
    try {
      stored = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new Error(`Settings file ${path} is not valid JSON (${(error as Error).message}); fix or delete it`, { cause: error });
    }
  }
  const merged = { workstationId: `ws-${randomUUID()}`, ...(stored as object), ...definedOnly(overrides) };
  const parsed = workstationSettings.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new Error(`Invalid workstation settings in ${path}: ${problems}`);
  }
  writeFileSync(path, `${JSON.stringify(parsed.data, null, 2)}\n`, { mode: 0o600 });
  return parsed.data;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
