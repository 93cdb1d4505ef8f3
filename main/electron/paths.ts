import { join } from 'node:path';

import type { App } from 'electron';

import type { MachinePolicy } from '../core/policy.js';

export interface AppPaths {
  /** Replica, settings and the sealed replica key. */
  dataDirectory: string;
  logDirectory: string;
}

/**
 * The app's data folder: Electron's per-user data folder, or the folder IT's policy names for
 * shared workstations, whose users must all reach the same replica.
 */
export function resolveAppPaths(app: Pick<App, 'getPath'>, policy: MachinePolicy): AppPaths {
  const dataDirectory = policy.dataDirectory ?? app.getPath('userData');
  return { dataDirectory, logDirectory: join(dataDirectory, 'logs') };
}
