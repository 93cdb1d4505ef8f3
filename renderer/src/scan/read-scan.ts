import type { ScanParseOptions, ScanResult } from '../../../devices/scan/index.js';
import { compileSitePattern, parseScan, SitePatternError } from '../../../devices/scan/index.js';
import type { ScanSettings } from '../../../preload/api/scan-schemas.js';

/**
 * Builds the parser options from the site's scan settings. devices/scan is plain functions without Node
 * imports, so the renderer bundles it and reads wedge scans itself, with no round trip to the
 * core between the last keystroke and the screen's reaction. The core reads HID scans with the
 * same parser and the same settings.
 */
export function parseOptionsOf(settings: ScanSettings | null, now: Date): ScanParseOptions {
  if (settings === null) return { now };
  const wristbandPattern = compileOrSkip(settings.wristbandPattern, 'wristband');
  const specimenPattern = compileOrSkip(settings.specimenPattern, 'specimen');
  return {
    now,
    ...(wristbandPattern ? { wristbandPattern } : {}),
    ...(specimenPattern ? { specimenPattern } : {}),
    extraGroupSeparators: settings.extraGroupSeparators,
  };
}

export function readScan(raw: string, settings: ScanSettings | null, now: Date): ScanResult {
  return parseScan(raw, parseOptionsOf(settings, now));
}

function compileOrSkip(source: string | null, setting: 'wristband' | 'specimen'): RegExp | undefined {
  if (source === null) return undefined;
  try {
    return compileSitePattern(source, setting);
  } catch (error) {
    // The core validates the patterns when it loads the settings, so this is a settings file
    // changed under a running workstation. Scans are still read, without that pattern.
    if (!(error instanceof SitePatternError)) throw error;
    console.warn(`scan: the ${setting} pattern of the site settings is invalid and is not used (${error.message})`);
    return undefined;
  }
}
