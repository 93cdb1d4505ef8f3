import { describe, expect, it } from 'vitest';

import { resolveAppPaths } from '../../../main/electron/paths.js';

/** Electron's userData as a Windows machine returns it: the roaming profile. */
const roamingApp = { getPath: () => 'C:\\Users\\nurse\\AppData\\Roaming\\HMS Workstation' };
const WINDOWS_ENVIRONMENT = {
  APPDATA: 'C:\\Users\\nurse\\AppData\\Roaming',
  LOCALAPPDATA: 'C:\\Users\\nurse\\AppData\\Local',
  USERPROFILE: 'C:\\Users\\nurse',
  ProgramData: 'C:\\ProgramData',
};

describe('app paths', () => {
  it('keeps Windows data out of the roaming profile', () => {
    const paths = resolveAppPaths(roamingApp, {}, 'win32', WINDOWS_ENVIRONMENT);

    expect(paths).toEqual({
      dataDirectory: 'C:\\Users\\nurse\\AppData\\Local\\HMS Workstation',
      logDirectory: 'C:\\Users\\nurse\\AppData\\Local\\HMS Workstation\\logs',
      crashDumpDirectory: 'C:\\Users\\nurse\\AppData\\Local\\HMS Workstation\\crash-dumps',
      userDataDirectory: 'C:\\Users\\nurse\\AppData\\Local\\HMS Workstation',
    });
    for (const path of Object.values(paths)) expect(path).not.toContain('Roaming');
  });

  it('falls back to USERPROFILE without LOCALAPPDATA', () => {
    const paths = resolveAppPaths(roamingApp, {}, 'win32', { USERPROFILE: 'C:\\Users\\nurse' });

    expect(paths.dataDirectory).toBe('C:\\Users\\nurse\\AppData\\Local\\HMS Workstation');
  });

  it('puts data, logs and dumps in the policy folder', () => {
    const paths = resolveAppPaths(roamingApp, { dataDirectory: 'C:\\ProgramData\\HMS Workstation' }, 'win32', WINDOWS_ENVIRONMENT);

    expect(paths.dataDirectory).toBe('C:\\ProgramData\\HMS Workstation');
    expect(paths.logDirectory).toBe('C:\\ProgramData\\HMS Workstation\\logs');
    expect(paths.crashDumpDirectory).toBe('C:\\ProgramData\\HMS Workstation\\crash-dumps');
    // Chromium's profile stays per user: two Windows sessions cannot share one.
    expect(paths.userDataDirectory).toBe('C:\\Users\\nurse\\AppData\\Local\\HMS Workstation');
  });

  it('names the fix when no profile variable is set', () => {
    expect(() => resolveAppPaths(roamingApp, {}, 'win32', {})).toThrow(/set dataDirectory in the policy/);
  });

  it('keeps userData on Linux', () => {
    const paths = resolveAppPaths({ getPath: () => '/home/nurse/.config/HMS Workstation' }, {}, 'linux', {});

    expect(paths.dataDirectory).toBe('/home/nurse/.config/HMS Workstation');
    expect(paths.logDirectory).toBe('/home/nurse/.config/HMS Workstation/logs');
  });
});
