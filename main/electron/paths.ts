import { join, win32 } from 'node:path';

import type { App } from 'electron';

import type { MachinePolicy } from '../core/policy.js';

export const PRODUCT_FOLDER = 'HMS Workstation';

export interface AppPaths {
  /** Replica, settings and the sealed replica key. */
  dataDirectory: string;
  logDirectory: string;
  /** Local crash dumps, kept beside the replica because they contain process memory. */
  crashDumpDirectory: string;
  /** Chromium's own profile (caches, local storage), always per user and outside roaming profiles. */
  userDataDirectory: string;
}

/**
 * Resolves the app's folders. Electron's userData on Windows is in the roaming profile (%APPDATA%),
 * which Windows copies to the server at every log-off. So on Windows everything goes to
 * %LOCALAPPDATA% instead, or to the folder IT's policy names for shared workstations (such as a
 * folder under %ProgramData%), whose users must all reach the same replica. Linux and macOS keep
 * userData, which does not roam.
 */
export function resolveAppPaths(app: Pick<App, 'getPath'>, policy: MachinePolicy, platform: NodeJS.Platform = process.platform, environment: NodeJS.ProcessEnv = process.env): AppPaths {
  const userDataDirectory = platform === 'win32' ? windowsLocalAppData(environment) : app.getPath('userData');
  const dataDirectory = policy.dataDirectory ?? userDataDirectory;
  const joinPath = platform === 'win32' ? win32.join : join;
  return {
    dataDirectory,
    logDirectory: joinPath(dataDirectory, 'logs'),
    crashDumpDirectory: joinPath(dataDirectory, 'crash-dumps'),
    userDataDirectory,
  };
}

/** `%LOCALAPPDATA%\HMS Workstation`, from USERPROFILE when LOCALAPPDATA is not set. */
function windowsLocalAppData(environment: NodeJS.ProcessEnv): string {
  const local = environment.LOCALAPPDATA ?? (environment.USERPROFILE === undefined ? undefined : win32.join(environment.USERPROFILE, 'AppData', 'Local'));
  if (local === undefined) throw new Error('Neither LOCALAPPDATA nor USERPROFILE is set, so HMS Workstation cannot find its local data folder; set dataDirectory in the policy');
  return win32.join(local, PRODUCT_FOLDER);
}
